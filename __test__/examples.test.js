// The runnable examples: examples/express/server.js and examples/nest/main.js started as real
// processes on 127.0.0.1 (random port) with a secret in the environment, then logged in to and asked
// for a signed id over HTTP; and `npm run demo`'s script (examples/express/demo.js --once).
'use strict'

const { describe, it } = require('./known-differences.js').nodeTest(__filename)
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const path = require('node:path')
const { spawn, spawnSync } = require('node:child_process')
const { httpRequest } = require('./fixtures/http-request.js')

const EXAMPLES = path.join(__dirname, '..', 'examples')
const SECRET = 'example-Secret-1f7c'
const USER = 'user ü 1'

function hmac(secret, userId) {
  return crypto.createHmac('sha256', secret).update(userId).digest('hex')
}

/** Starts an example with PORT=0 and returns its base URL (from its "listening on" line) and a stop function. */
async function startExample(file, env) {
  const child = spawn(process.execPath, [file], { env: { PATH: process.env.PATH, PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
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

for (const [name, file] of [
  ['examples/express/server.js', path.join(EXAMPLES, 'express', 'server.js')],
  ['examples/nest/main.js', path.join(EXAMPLES, 'nest', 'main.js')],
]) {
  describe(`${name}: fake login, then the identity endpoint`, () => {
    it('signs the logged-in user for the requested platform; 401 without login; 400 for an unconfigured platform', async () => {
      const example = await startExample(file, { MTRIBES_IOS_SECRET: SECRET, MTRIBES_BROWSER_SECRET: `${SECRET}-browser` })
      try {
        const login = await httpRequest(`${example.url}/login?user=${encodeURIComponent(USER)}`, { method: 'POST' })
        assert.equal(login.status, 200)
        const cookie = login.headers.get('set-cookie').split(';')[0]

        for (const platform of ['ios', 'browser']) {
          const r = await httpRequest(`${example.url}/mtribes/identity?platform=${platform}`, { headers: { cookie } })
          assert.equal(r.status, 200)
          assert.equal(r.headers.get('cache-control'), 'no-store')
          const secret = platform === 'ios' ? SECRET : `${SECRET}-browser`
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
      assert.ok(!example.output().includes(SECRET), 'the example printed a secret')
    })

    it('refuses to start without a secret, naming the variable', () => {
      const r = spawnSync(process.execPath, [file], { env: { PATH: process.env.PATH, PORT: '0' }, encoding: 'utf8', timeout: 30_000 })
      assert.equal(r.status, 1, r.stderr)
      assert.match(r.stderr, /ERR_TRUSTED_IDENTITY_NO_SECRETS/)
      assert.match(r.stderr, /MTRIBES_<PLATFORM>_SECRET/)
    })
  })
}

describe('npm run demo (examples/express/demo.js)', () => {
  it('starts the Express example, signs through it like node:crypto, and prints curl lines', () => {
    const r = spawnSync(process.execPath, [path.join(EXAMPLES, 'express', 'demo.js'), '--once'], {
      env: { PATH: process.env.PATH },
      encoding: 'utf8',
      timeout: 30_000,
    })
    assert.equal(r.status, 0, r.stdout + r.stderr)
    assert.match(r.stdout, /-> 200 no-store/)
    assert.match(r.stdout, /signed equals node:crypto's HMAC: true/)
    assert.match(r.stdout, /curl -s -H 'Cookie: demo_user=[^']+' 'http:\/\/127\.0\.0\.1:\d+\/mtribes\/identity\?platform=ios'/)
    assert.ok(!r.stdout.includes('demo-ios-secret'), 'the demo printed its secret')
  })
})
