// The runnable TypeScript examples (examples/<framework>/server.ts: Express, Fastify, Hono, NestJS),
// compiled with tsc (examples/tsconfig.json, strict) into examples/dist, then started as real
// processes on 127.0.0.1 (random port) with secrets in the environment, logged in to and asked for a
// signed id over HTTP; the Next.js route handler (examples/next) called with a Request; and
// `npm run demo`'s script (examples/dist/express/demo.js --once).
'use strict'

const { describe, it, before } = require('./known-differences.js').nodeTest(__filename)
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { spawn } = require('node:child_process')
const { hmac, assertNoLeak, runNode, childEnv } = require('./helpers.js')
const { httpRequest } = require('./fixtures/http-request.js')

const EXAMPLES = path.join(__dirname, '..', 'examples')
const DIST = path.join(EXAMPLES, 'dist')
const SERVERS = ['express', 'fastify', 'hono', 'nest']

/**
 * Compiles the examples with the TypeScript API (in this process, so it runs the same on every
 * runtime the suite runs on) and fails on any diagnostic: they must compile as users paste them.
 */
function compileExamples() {
  const ts = require('typescript')
  const configFile = path.join(EXAMPLES, 'tsconfig.json')
  const { config, error } = ts.readConfigFile(configFile, ts.sys.readFile)
  if (error) throw new Error(ts.formatDiagnostics([error], ts.createCompilerHost({})))
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, EXAMPLES, undefined, configFile)
  const program = ts.createProgram(parsed.fileNames, parsed.options)
  const result = program.emit()
  const diagnostics = [...parsed.errors, ...ts.getPreEmitDiagnostics(program), ...result.diagnostics]
  const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => EXAMPLES, getNewLine: () => '\n' }
  assert.equal(diagnostics.length, 0, ts.formatDiagnostics(diagnostics, host))
}

before(() => compileExamples())
const SECRET = 'example-Secret-1f7c'
const BROWSER_SECRET = `${SECRET}-browser`
// The start of the demo's own secrets (examples/express/demo.ts).
const DEMO_SECRETS = ['demo-ios-secret', 'demo-browser-secret']
const USER = 'user ü 1'

/** Starts an example with PORT=0 and returns its base URL (from its "listening on" line) and a stop function. */
async function startExample(file, env) {
  const stdio = ['ignore', 'pipe', 'pipe']
  const child = spawn(process.execPath, [file], { env: childEnv({ PORT: '0', ...env }), stdio })
  let output = ''
  child.stderr.setEncoding('utf8').on('data', (d) => (output += d))
  const exited = new Promise((resolve) => child.once('exit', resolve))
  const url = await new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d) => {
      output += d
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (match) resolve(match[1])
    })
    exited.then((code) => reject(new Error(`the example exited (${code}) before listening: ${output}`)))
  })
  return {
    url,
    output: () => output,
    stop: async () => {
      child.kill()
      await exited
    },
  }
}

describe('every framework example is listed here', () => {
  it('each examples/<name>/server.ts is started by this test', () => {
    const found = fs.readdirSync(EXAMPLES).filter((name) => fs.existsSync(path.join(EXAMPLES, name, 'server.ts')))
    assert.deepEqual(found.sort(), [...SERVERS].sort())
  })
})

for (const name of SERVERS) {
  const file = path.join(DIST, name, 'server.js')
  describe(`examples/${name}/server.ts: fake login, then the identity endpoint`, () => {
    it('signs the logged-in user for the requested platform; 401 without login; 400 for an unconfigured platform', async () => {
      const example = await startExample(file, { MTRIBES_IOS_SECRET: SECRET, MTRIBES_BROWSER_SECRET: BROWSER_SECRET })
      try {
        const login = await httpRequest(`${example.url}/login?user=${encodeURIComponent(USER)}`, { method: 'POST' })
        assert.equal(login.status, 200)
        const cookie = login.headers.get('set-cookie').split(';')[0]

        for (const platform of ['ios', 'browser']) {
          const r = await httpRequest(`${example.url}/mtribes/identity?platform=${platform}`, { headers: { cookie } })
          assert.equal(r.status, 200)
          assert.equal(r.headers.get('cache-control'), 'no-store')
          const secret = platform === 'ios' ? SECRET : BROWSER_SECRET
          assert.deepEqual(await r.json(), { userId: USER, platform, signed: hmac(secret, USER) })
        }

        const anonymous = await httpRequest(`${example.url}/mtribes/identity?platform=ios`)
        assert.equal(anonymous.status, 401)
        const unconfigured = await httpRequest(`${example.url}/mtribes/identity?platform=roku`, { headers: { cookie } })
        assert.equal(unconfigured.status, 400)
        assert.deepEqual((await unconfigured.json()).allowed.sort(), ['browser', 'ios'])
      } finally {
        await example.stop()
      }
      assertNoLeak(example.output(), [SECRET, BROWSER_SECRET], "the example's output")
    })

    it('refuses to start without a secret, naming the variable', () => {
      const r = runNode([file], { env: { PORT: '0' }, timeout: 30_000 })
      assert.equal(r.status, 1, r.stderr)
      assert.match(r.stderr, /^cannot start: ERR_TRUSTED_IDENTITY_NO_SECRETS: .*MTRIBES_<PLATFORM>_SECRET/m)
    })
  })
}

describe('examples/metrics: the telemetry channels as Prometheus metrics (prom-client)', () => {
  /** The value of the sample `name{labels}` in a Prometheus text exposition, or undefined. */
  const sample = (text, name, labels) => {
    const wanted = `${name}{${Object.entries(labels)
      .map(([key, value]) => `${key}="${value}"`)
      .join(',')}}`
    const line = text.split('\n').find((l) => l.startsWith(`${wanted} `))
    return line === undefined ? undefined : Number(line.slice(wanted.length + 1))
  }
  const fingerprintOf = (secret) =>
    `ti1:${require('node:crypto')
      .createHmac('sha256', secret)
      .update(Buffer.from('\xffmtribes-trusted-identity key fingerprint v1', 'latin1'))
      .digest('hex')
      .slice(0, 16)}`

  it('counts signatures per platform, names each secret by fingerprint, and shows a rotation of a watched file', async (t) => {
    const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'mti-metrics-'))
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
    const file = path.join(dir, 'ios')
    fs.writeFileSync(file, `${SECRET}\n`)
    const NEXT = `${SECRET}-rotated`
    const env = { MTRIBES_IOS_SECRET_FILE: file, MTRIBES_BROWSER_SECRET: BROWSER_SECRET, WATCH_INTERVAL_MS: '100' }
    const example = await startExample(path.join(DIST, 'metrics', 'app.js'), env)
    let text
    try {
      const login = await httpRequest(`${example.url}/login?user=${encodeURIComponent(USER)}`, { method: 'POST' })
      const cookie = login.headers.get('set-cookie').split(';')[0]
      for (const platform of ['ios', 'ios', 'browser']) {
        const r = await httpRequest(`${example.url}/mtribes/identity?platform=${platform}`, { headers: { cookie } })
        assert.equal(r.status, 200)
      }
      const metrics = async () => (await httpRequest(`${example.url}/metrics`)).text()
      text = await metrics()
      const signatures = 'mtribes_trusted_identity_signatures_total'
      assert.equal(sample(text, signatures, { platform: 'ios', operation: 'sign' }), 2)
      assert.equal(sample(text, signatures, { platform: 'browser', operation: 'sign' }), 1)
      const info = 'mtribes_trusted_identity_secret_info'
      assert.equal(sample(text, info, { platform: 'ios', fingerprint: fingerprintOf(SECRET) }), 1)
      assert.equal(sample(text, info, { platform: 'browser', fingerprint: fingerprintOf(BROWSER_SECRET) }), 1)

      fs.writeFileSync(file, `${NEXT}\n`)
      const reloaded = { platform: 'ios', source: 'file', outcome: 'reloaded' }
      for (let tries = 0; sample(text, 'mtribes_trusted_identity_reloads_total', reloaded) !== 1; tries++) {
        assert.ok(tries < 100, 'the reload shows within 10 s')
        await new Promise((resolve) => setTimeout(resolve, 100))
        text = await metrics()
      }
      assert.equal(sample(text, info, { platform: 'ios', fingerprint: fingerprintOf(NEXT) }), 1)
      assert.equal(sample(text, info, { platform: 'ios', fingerprint: fingerprintOf(SECRET) }), undefined)
    } finally {
      await example.stop()
    }
    assertNoLeak(
      `${text}\n${example.output()}`,
      [SECRET, NEXT, BROWSER_SECRET, USER, hmac(SECRET, USER)],
      'the metrics',
    )
  })
})

describe('examples/next/app/mtribes/identity/route.ts (Next.js App Router)', () => {
  it("runs on Node.js, and GET answers a logged-in Request with node:crypto's HMAC, 401 without", () => {
    const route = path.join(DIST, 'next', 'app', 'mtribes', 'identity', 'route.js')
    const code = `
      const route = require(${JSON.stringify(route)})
      const ask = (headers) => route.GET(new Request('http://127.0.0.1/mtribes/identity?platform=ios', { headers }))
      const cookie = 'demo_user=${encodeURIComponent(USER)}'
      Promise.all([ask({ cookie }), ask({})]).then(async ([signed, anonymous]) => {
        const cache = signed.headers.get('cache-control')
        const body = await signed.json()
        const { runtime } = route
        console.log(JSON.stringify({ runtime, status: signed.status, cache, body, anonymous: anonymous.status }))
      })`
    const r = runNode(['-e', code], { env: { MTRIBES_IOS_SECRET: SECRET }, timeout: 30_000, secrets: [SECRET] })
    assert.equal(r.status, 0, r.stderr)
    assert.deepEqual(JSON.parse(r.stdout), {
      runtime: 'nodejs',
      status: 200,
      cache: 'no-store',
      body: { userId: USER, platform: 'ios', signed: hmac(SECRET, USER) },
      anonymous: 401,
    })
  })
})

describe('npm run demo (examples/express/demo.ts)', () => {
  it('starts the Express example, signs through it like node:crypto, and prints curl lines', () => {
    const r = runNode([path.join(DIST, 'express', 'demo.js'), '--once'], { timeout: 30_000, secrets: DEMO_SECRETS })
    assert.equal(r.status, 0, r.stdout + r.stderr)
    assert.match(r.stdout, /-> 200 no-store/)
    assert.match(r.stdout, /signed equals node:crypto's HMAC: true/)
    const curl = /curl -i -H 'Cookie: demo_user=[^']+' 'http:\/\/127\.0\.0\.1:\d+\/mtribes\/identity\?platform=ios'/
    assert.match(r.stdout, curl)
  })
})
