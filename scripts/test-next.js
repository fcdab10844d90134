// `npm run test:next`: the README's Next.js route under Next.js 16 (App Router, `next build` with Turbopack,
// `next start`), with the packed package installed in fresh projects outside the repo: (a) with
// serverExternalPackages, (b) with no next.config (Turbopack bundles the package), (c) with no next.config
// built by webpack (`next build --webpack`), and an Edge route, which
// must fail with the package's ERR_TRUSTED_IDENTITY_UNSUPPORTED_RUNTIME (`node scripts/test-next.js --keep`
// keeps the temporary folder). Details: CONTRIBUTING.md, Scripts.
'use strict'

const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const fs = require('node:fs')
const net = require('node:net')
const os = require('node:os')
const path = require('node:path')
const { spawn } = require('node:child_process')
const { targetName, detectMusl } = require('../lib/loader.js')
const { npm, cleanEnv, run, assertNoNodeModulesAbove, binaryName, packMainAndPlatform } = require('./local-packages.js')

const ROOT = path.join(__dirname, '..')
const main = require('../package.json')
const TARGET = targetName(process.platform, process.arch, detectMusl)
const BINARY = binaryName(TARGET)

const args = process.argv.slice(2)
const KEEP = args.includes('--keep')
if (args.some((arg) => arg !== '--keep')) {
  console.error('usage: node scripts/test-next.js [--keep]')
  process.exit(2)
}

// Fixed test secrets (never real ones), given to `next start` only. Whatever this script prints goes
// through redact() all the same.
const SECRETS = { ios: 'test-next-ios-secret', android: 'test-next-android-secret' }
const SECRET_ENV = { MTRIBES_IOS_SECRET: SECRETS.ios, MTRIBES_ANDROID_SECRET: SECRETS.android }
const redact = (text) =>
  Object.values(SECRETS).reduce((out, secret) => out.split(secret).join('<test secret>'), String(text))
const expected = (userId, platform) => crypto.createHmac('sha256', SECRETS[platform]).update(userId).digest('hex')

// What the user is told on the Edge runtime (lib/unsupported-runtime.js), and what a bundler says instead
// when the package is not caught by its edge-light condition.
const UNSUPPORTED_CODE = 'ERR_TRUSTED_IDENTITY_UNSUPPORTED_RUNTIME'
const UNSUPPORTED_FIX = "add `export const runtime = 'nodejs'`"
const BUNDLER_MESSAGES = ['Native module not found', 'node:module']
// The loader's error when the bundled package is not found from the server's working directory.
const EXTERNAL_FIX = `serverExternalPackages: ['${main.name}']`

const NEXT_ENV = { ...cleanEnv, NEXT_TELEMETRY_DISABLED: '1' }
const USER_COOKIE = 'demo_user'
const IDENTITY = '/mtribes/identity'

// The README's route (app/mtribes/identity/route.ts, in JavaScript: next installs TypeScript only
// interactively): the user comes from Next's own cookies(), as `(await auth())?.user?.id` would.
const routeFile = (runtime) => `// The README's Next.js route, written by scripts/test-next.js.
import { cookies } from 'next/headers'
import { trustedIdentityHandler } from '${main.name}/fetch'

export const runtime = '${runtime}'
export const dynamic = 'force-dynamic'

export const GET = trustedIdentityHandler({
  userId: async () => (await cookies()).get('${USER_COOKIE}')?.value,
})
`
const EXTERNAL_CONFIG = `// next.config.mjs, as the README says, written by scripts/test-next.js.
const nextConfig = { serverExternalPackages: ['${main.name}'] }
export default nextConfig
`

const PROJECTS = [
  { name: 'external', what: "(a) next.config with serverExternalPackages: ['mtribes-trusted-identity']" },
  { name: 'no-config', what: '(b) no next.config (Turbopack bundles the package)' },
  { name: 'webpack', what: '(c) no next.config, built by webpack (next build --webpack)' },
  { name: 'edge', what: "an Edge route (runtime = 'edge')" },
]

// ---------------------------------------------------------------------------------------------
// Checks and their report.

const results = []
const seconds = (since) => (Number(process.hrtime.bigint() - since) / 1e9).toFixed(1)

/** Runs one check; records and prints its result (a failure does not stop the others). */
async function check(name, fn) {
  const started = process.hrtime.bigint()
  try {
    const note = await fn()
    results.push({ name, ok: true })
    const took = seconds(started)
    console.log(`  ok   ${name}${took === '0.0' ? '' : ` (${took} s)`}${note ? `: ${note}` : ''}`)
    return true
  } catch (error) {
    results.push({ name, ok: false })
    console.log(`  FAIL ${name} (${seconds(started)} s)\n${redact(error.stack ?? error).replace(/^/gm, '    | ')}`)
    return false
  }
}

/** The last `lines` lines of a command's output, for a failure's message. */
function tail(text, lines = 40) {
  return redact(text.trimEnd().split('\n').slice(-lines).join('\n'))
}

// ---------------------------------------------------------------------------------------------
// Projects and servers.

async function install(tmp, project, tarballs) {
  const dir = path.join(tmp, project.name)
  fs.mkdirSync(dir)
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: `next-${project.name}-check`, version: '1.0.0', private: true }),
  )
  const r = await run(
    npm,
    ['install', '--no-audit', '--no-fund', '--prefer-offline', 'next@16', 'react', 'react-dom', ...tarballs],
    dir,
  )
  if (r.code !== 0) throw new Error(`npm install failed (exit ${r.code}):\n${tail(r.stderr)}`)
  return { dir, seconds: r.seconds }
}

const version = (dir, name) => JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', name, 'package.json'))).version
const nextBin = (dir) => path.join(dir, 'node_modules', 'next', 'dist', 'bin', 'next')

function nextBuild(dir, ...flags) {
  return run(process.execPath, [nextBin(dir), 'build', ...flags], dir, { timeout: 300_000, env: NEXT_ENV })
}

/** A port free on 127.0.0.1 now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

const servers = new Set()

/** Ends a server's process group (next start and whatever it started). */
function kill(server) {
  if (!servers.delete(server)) return
  try {
    process.kill(-server.child.pid, 'SIGKILL')
  } catch {
    // already gone
  }
}
process.on('exit', () => {
  for (const server of servers) kill(server)
})
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const server of servers) kill(server)
    process.exit(1)
  })
}

/**
 * `next start -H 127.0.0.1 -p <free port>` for the project `dir`, run from `cwd` (the project, unless
 * given: then the project's folder is passed to next start); resolves once it answers HTTP.
 * @returns {Promise<{ url: string, log: () => string, stop: () => Promise<void> }>}
 */
async function nextStart(dir, cwd = dir) {
  const port = await freePort()
  const where = cwd === dir ? [] : [dir]
  const child = spawn(process.execPath, [nextBin(dir), 'start', ...where, '-H', '127.0.0.1', '-p', String(port)], {
    cwd,
    env: { ...NEXT_ENV, ...SECRET_ENV },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (d) => (output += d))
  child.stderr.setEncoding('utf8').on('data', (d) => (output += d))
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)))
  const server = { child, url: `http://127.0.0.1:${port}`, log: () => redact(output) }
  servers.add(server)
  server.stop = async () => {
    kill(server)
    await exited
  }
  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      servers.delete(server)
      throw new Error(`next start exited (${child.exitCode ?? child.signalCode}):\n${tail(server.log())}`)
    }
    try {
      await fetch(`${server.url}/`, { signal: AbortSignal.timeout(2000) })
      return server
    } catch {
      if (Date.now() > deadline) {
        await server.stop()
        throw new Error(`next start did not answer on ${server.url} within 60 s:\n${tail(server.log())}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
}

/** GET the identity route; `user` logs in (the cookie), `query` is the query string. */
async function getIdentity(server, { user, query = '' } = {}) {
  const headers = user === undefined ? {} : { cookie: `${USER_COOKIE}=${encodeURIComponent(user)}` }
  const res = await fetch(`${server.url}${IDENTITY}${query}`, { headers, signal: AbortSignal.timeout(30_000) })
  const text = await res.text()
  let body
  try {
    body = JSON.parse(text)
  } catch {
    body = text
  }
  return { status: res.status, cacheControl: res.headers.get('cache-control'), body }
}

/** Whether the build bundled the package into its server chunks (Turbopack's /ROOT/node_modules/<name>). */
function bundled(dir) {
  const chunks = path.join(dir, '.next', 'server')
  const files = fs.readdirSync(chunks, { recursive: true }).filter((file) => file.endsWith('.js'))
  return files.some((file) =>
    fs.readFileSync(path.join(chunks, file), 'utf8').includes(`/ROOT/node_modules/${main.name}/`),
  )
}

// ---------------------------------------------------------------------------------------------
// The variants.

/** The route's answers, as lib/endpoint.js gives them, from a server started in the project's folder. */
async function checkAnswers(server, label) {
  const PLATFORMS = Object.keys(SECRETS).sort()
  await check(`${label}: a logged-in user, ?platform=ios -> 200, signed as node:crypto's createHmac`, async () => {
    const r = await getIdentity(server, { user: 'user-1', query: '?platform=ios' })
    assert.deepEqual(
      r,
      {
        status: 200,
        cacheControl: 'no-store',
        body: { userId: 'user-1', platform: 'ios', signed: expected('user-1', 'ios') },
      },
      `the server said:\n${tail(server.log())}`,
    )
  })
  await check(`${label}: another user (not ASCII), ?platform=android -> 200, with android's secret`, async () => {
    const user = 'usér-2 ✓'
    const r = await getIdentity(server, { user, query: '?platform=android' })
    assert.equal(r.status, 200, JSON.stringify(r.body))
    assert.deepEqual(r.body, { userId: user, platform: 'android', signed: expected(user, 'android') })
  })
  await check(`${label}: nobody logged in -> 401`, async () => {
    const r = await getIdentity(server, { query: '?platform=ios' })
    assert.equal(r.status, 401, JSON.stringify(r.body))
    assert.equal(r.cacheControl, 'no-store')
    assert.deepEqual(r.body, { error: 'not logged in: only a logged-in user can be given a signed id' })
  })
  await check(`${label}: no platform -> 400, naming the platforms configured`, async () => {
    const r = await getIdentity(server, { user: 'user-1' })
    assert.equal(r.status, 400, JSON.stringify(r.body))
    assert.match(r.body.error, /^platform is missing/)
    assert.deepEqual([...r.body.allowed].sort(), PLATFORMS)
  })
  await check(`${label}: ?platform=windows (not configured) -> 400`, async () => {
    const r = await getIdentity(server, { user: 'user-1', query: '?platform=windows' })
    assert.equal(r.status, 400, JSON.stringify(r.body))
    assert.deepEqual(r.body.error, 'platform is not configured')
    assert.deepEqual([...r.body.allowed].sort(), PLATFORMS)
  })
  await check(`${label}: the server logged no error`, () => {
    assert.doesNotMatch(server.log(), /⨯|Error/, server.log())
  })
}

async function nodeVariant(dir, project, tmp) {
  const label = project.name
  fs.mkdirSync(path.join(dir, 'app', 'mtribes', 'identity'), { recursive: true })
  fs.writeFileSync(path.join(dir, 'app', 'mtribes', 'identity', 'route.js'), routeFile('nodejs'))
  if (project.name === 'external') fs.writeFileSync(path.join(dir, 'next.config.mjs'), EXTERNAL_CONFIG)

  const webpack = project.name === 'webpack'
  const built = await check(`${label}: next build${webpack ? ' --webpack' : ''}`, async () => {
    const r = await nextBuild(dir, ...(webpack ? ['--webpack'] : []))
    assert.equal(r.code, 0, `next build failed:\n${tail(r.stdout + r.stderr)}`)
    if (webpack) assert.doesNotMatch(r.stdout, /Turbopack/, 'next build --webpack said it used Turbopack')
    else assert.match(r.stdout, /Turbopack/, 'next build did not say it used Turbopack')
    return `${r.seconds.toFixed(1)} s${webpack ? '' : `, the package ${bundled(dir) ? 'bundled' : 'left external'}`}`
  })
  if (!built) return
  if (project.name === 'external') {
    await check(`${label}: serverExternalPackages left the package out of the bundle`, () => {
      assert.equal(bundled(dir), false)
    })
  }

  let server
  if (await check(`${label}: next start in the project's folder`, async () => void (server = await nextStart(dir)))) {
    try {
      await checkAnswers(server, label)
    } finally {
      await server.stop()
    }
  }

  // `next start <dir>` from another folder: bundled, the loader finds the package only from the working directory.
  // (Turbopack's variants only: the webpack build is checked served from its folder, as users run it.)
  if (webpack) return
  await check(`${label}: next start ${project.name} from another folder`, async () => {
    const elsewhere = await nextStart(dir, tmp)
    try {
      const r = await getIdentity(elsewhere, { user: 'user-1', query: '?platform=ios' })
      if (project.name === 'external') {
        assert.deepEqual(r.body, { userId: 'user-1', platform: 'ios', signed: expected('user-1', 'ios') })
        return '200, signed'
      }
      // Bundled: the route fails to load, with the loader's own error naming serverExternalPackages.
      assert.equal(r.status, 500, JSON.stringify(r.body))
      const log = elsewhere.log()
      assert.ok(log.includes('ERR_TRUSTED_IDENTITY_NATIVE_LOAD'), log)
      assert.ok(log.includes(`${main.name} is not found from ${tmp}`), log)
      assert.ok(log.includes(EXTERNAL_FIX), log)
      return `500, the server logs ERR_TRUSTED_IDENTITY_NATIVE_LOAD naming ${EXTERNAL_FIX}`
    } finally {
      await elsewhere.stop()
    }
  })
}

async function edgeVariant(dir) {
  const label = 'edge'
  fs.mkdirSync(path.join(dir, 'app', 'mtribes', 'identity'), { recursive: true })
  fs.writeFileSync(path.join(dir, 'app', 'mtribes', 'identity', 'route.js'), routeFile('edge'))
  let r
  await check(`${label}: next build -> the package's ${UNSUPPORTED_CODE}, not a bundler's error`, async () => {
    r = await nextBuild(dir)
    let output = redact(r.stdout + r.stderr)
    let what = `next build failed (exit ${r.code}) with the package's message`
    if (r.code === 0) {
      // Built: then the route must answer 500 and the server log the package's message.
      const server = await nextStart(dir)
      try {
        const answer = await getIdentity(server, { user: 'user-1', query: '?platform=ios' })
        assert.equal(answer.status, 500, JSON.stringify(answer.body))
        output = server.log()
        what = "next build succeeded; the route answers 500 and the server logs the package's message"
      } finally {
        await server.stop()
      }
    }
    assert.ok(output.includes(UNSUPPORTED_CODE), `no ${UNSUPPORTED_CODE} in:\n${tail(output)}`)
    assert.ok(output.includes(UNSUPPORTED_FIX), `the message does not say to ${UNSUPPORTED_FIX}:\n${tail(output)}`)
    for (const message of BUNDLER_MESSAGES) assert.ok(!output.includes(message), `"${message}" in:\n${tail(output)}`)
    return what
  })
}

// ---------------------------------------------------------------------------------------------

async function mainRun() {
  if (!fs.existsSync(path.join(ROOT, BINARY))) {
    console.error(`${BINARY} not found: run \`npm run build\` first`)
    return 1
  }
  const started = process.hrtime.bigint()
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mti-next-'))
  try {
    assertNoNodeModulesAbove(tmp)
    const { main: mainTarball, platform } = packMainAndPlatform(tmp, TARGET)
    const tarballs = [mainTarball, platform]
    console.log(
      `test:next: packed ${tarballs.map((t) => path.basename(t)).join(' and ')}; installing next@16, react and ` +
        `react-dom with them in ${PROJECTS.length} projects in ${tmp} (Node ${process.version})`,
    )
    const installs = await Promise.allSettled(PROJECTS.map((project) => install(tmp, project, tarballs)))
    for (const [index, project] of PROJECTS.entries()) {
      const installed = installs[index]
      console.log(`${project.name}: ${project.what}`)
      if (installed.status === 'rejected') {
        await check(`${project.name}: npm install`, () => {
          throw installed.reason
        })
        continue
      }
      const { dir } = installed.value
      const versions = ['next', 'react', 'react-dom'].map((name) => `${name} ${version(dir, name)}`).join(', ')
      await check(`${project.name}: npm install`, () => `${installed.value.seconds.toFixed(1)} s; ${versions}`)
      if (project.name === 'edge') await edgeVariant(dir)
      else await nodeVariant(dir, project, tmp)
    }
  } catch (error) {
    await check('test:next', () => {
      throw error
    })
  } finally {
    for (const server of servers) kill(server)
    if (!KEEP) fs.rmSync(tmp, { recursive: true, force: true })
  }
  const failed = results.filter((r) => !r.ok).length
  console.log(`test:next took ${seconds(started)} s${KEEP ? `; kept ${tmp}` : ''}`)
  console.log(`${results.length - failed} passed, ${failed} failed`)
  return failed === 0 && results.length > 0 ? 0 : 1
}

mainRun().then(
  (code) => {
    process.exitCode = code
  },
  (error) => {
    console.error(redact(error.stack))
    process.exitCode = 1
  },
)
