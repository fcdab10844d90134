// The frameworks (Express, Fastify, Hono, Nest) are optional peer dependencies: the main entry
// (require or import) never loads them, and /express, /fastify, /hono and /nest fail with
// ERR_TRUSTED_IDENTITY_MISSING_PEER naming the missing package when it is not installed, while
// /fetch needs none (checked on a copy of the package in a temp dir without node_modules).
'use strict'

const { describe, it, before } = require('./known-differences.js').nodeTest(__filename)
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { runNode, tempDir, BUILD_PROBE, assertSameBuild } = require('./helpers.js')
const { moduleFile } = require('./fixtures/module-file.js')

const ROOT = path.join(__dirname, '..')

/** What `node ...args` (run in `cwd`) wrote to stdout as JSON, after it exited 0. */
function node(args, { cwd = ROOT } = {}) {
  const r = runNode(args, { cwd })
  assert.equal(r.status, 0, r.stderr)
  return JSON.parse(r.stdout)
}

// Records every module request made through require() (also those of CommonJS files an ES module
// imports, such as index.mjs -> index.js), then reports the ones that name a peer.
const RECORDER = `
  const Module = require('node:module')
  const requested = []
  const load = Module._load
  Module._load = function (request, ...rest) { requested.push(request); return load.call(this, request, ...rest) }
  const peers = () => [
    ...requested.filter((r) => /^(express|fastify|hono|@hono\\/|@nestjs\\/|reflect-metadata|rxjs)/.test(r)),
    ...Object.keys(require.cache).filter((f) =>
      /node_modules[\\\\/](express|fastify|fastify-plugin|hono|@hono|@nestjs|reflect-metadata|rxjs)[\\\\/]/.test(f)),
  ]
`

describe("the peer tests' children", () => {
  it('its children load the build this process loads (the WASI build under test:wasi)', () => {
    assertSameBuild(node(['-e', BUILD_PROBE]).from, 'node()')
  })
})

describe('the main entry never loads a framework (express, fastify, hono, @nestjs/*)', () => {
  it('require("mtribes-trusted-identity"), then signing', () => {
    const out = node([
      '-e',
      `${RECORDER}
      const api = require(${JSON.stringify(ROOT)})
      new api.TrustedIdentity({ ios: 's' }).sign('u', 'ios')
      process.stdout.write(JSON.stringify({ peers: peers(), entries: requested.filter((r) => r.startsWith('./')) }))`,
    ])
    assert.deepEqual(out.peers, [])
    assert.ok(out.entries.includes('./binding.js'), 'the recorder saw the entry load its binding')
  })

  it('import "mtribes-trusted-identity" (index.mjs), then signing', () => {
    const out = node([
      moduleFile(`import { createRequire } from 'node:module'
      const require = createRequire(import.meta.url)
      ${RECORDER}
      const api = await import(${JSON.stringify(new URL('../index.mjs', `file://${__filename}`).href)})
      new api.TrustedIdentity({ ios: 's' }).sign('u', 'ios')
      process.stdout.write(JSON.stringify({ peers: peers(), entries: requested.filter((r) => r.startsWith('./')) }))`),
    ])
    assert.deepEqual(out.peers, [])
    assert.ok(out.entries.includes('./binding.js'), 'the recorder saw the entry load its binding')
  })

  it('the recorder does see a peer when one is loaded (so the checks above can fail)', () => {
    const nest = JSON.stringify(path.join(ROOT, 'lib', 'nest.js'))
    const out = node(['-e', `${RECORDER} require(${nest}); process.stdout.write(JSON.stringify(peers()))`])
    assert.ok(out.includes('@nestjs/common'), JSON.stringify(out))
  })

  for (const [entry, located] of [
    ['express', 'express'],
    ['hono', 'hono'],
    ['fetch', 'nothing'],
  ]) {
    it(`the ${entry} entry only locates ${located}; it does not load it`, () => {
      const file = JSON.stringify(path.join(ROOT, 'lib', `${entry}.js`))
      const out = node(['-e', `${RECORDER} require(${file}); process.stdout.write(JSON.stringify(peers()))`])
      assert.deepEqual(out, [])
    })
  }
})

describe('without the peer installed, the subpath entries name the missing package', () => {
  let dir
  before(() => {
    // A copy of the package's own files (entries, binding, native addon, package.json) where no
    // node_modules can be found: not in it, nor in any parent directory.
    dir = tempDir(undefined, 'ti-peers-')
    for (const name of fs.readdirSync(ROOT)) {
      const own = /\.(js|mjs|cjs|node)$/.test(name) || name === 'package.json'
      if (own) fs.copyFileSync(path.join(ROOT, name), path.join(dir, name))
    }
    fs.cpSync(path.join(ROOT, 'lib'), path.join(dir, 'lib'), { recursive: true })
    for (let d = dir; ; d = path.dirname(d)) {
      assert.ok(!fs.existsSync(path.join(d, 'node_modules')), `${d} has a node_modules`)
      if (path.dirname(d) === d) break
    }
  })

  function attempt(code, { esm = false } = {}) {
    return node(esm ? [moduleFile(code, dir)] : ['-e', code], { cwd: dir })
  }

  // What the child writes: the code and message of the error, or null when nothing was thrown.
  const report = '(e) { process.stdout.write(JSON.stringify({ code: e.code, message: e.message })) }'
  const cases = [
    ['require("mtribes-trusted-identity/express")', 'lib/express.js', 'express', 'npm install express'],
    [
      'require("mtribes-trusted-identity/nest")',
      'lib/nest.js',
      '@nestjs/common',
      'npm install @nestjs/common @nestjs/core',
    ],
    ['require("mtribes-trusted-identity/fastify")', 'lib/fastify.js', 'fastify', 'npm install fastify'],
    ['require("mtribes-trusted-identity/hono")', 'lib/hono.js', 'hono', 'npm install hono'],
  ]
  for (const [name, file, peer, install] of cases) {
    it(`${name} throws ERR_TRUSTED_IDENTITY_MISSING_PEER naming ${peer}`, () => {
      const out = attempt(`try { require('./${file}'); process.stdout.write('null') } catch ${report}`)
      assert.equal(out?.code, 'ERR_TRUSTED_IDENTITY_MISSING_PEER')
      assert.ok(out.message.includes(peer), out.message)
      assert.ok(out.message.includes(install), out.message)
    })

    it(`import of ${file.replace('.js', '.mjs')} fails the same way`, () => {
      const esm = file.replace('.js', '.mjs')
      const code = `try { await import('./${esm}'); process.stdout.write('null') } catch ${report}`
      const out = attempt(code, { esm: true })
      assert.equal(out?.code, 'ERR_TRUSTED_IDENTITY_MISSING_PEER')
      assert.ok(out.message.includes(peer), out.message)
    })
  }

  it('the main entry works there (it needs no peer)', () => {
    const signed = `new (require('./index.js').TrustedIdentity)({ ios: 's' }).sign('u', 'ios')`
    const out = attempt(`process.stdout.write(JSON.stringify(${signed}))`)
    assert.match(out, /^[0-9a-f]{64}$/)
  })

  it('the fetch entry works there (it needs no peer)', () => {
    const out = attempt(`process.stdout.write(JSON.stringify(typeof require('./lib/fetch.js').trustedIdentityHandler))`)
    assert.equal(out, 'function')
  })
})
