// A signer is a capability: only code holding the TrustedIdentity can sign with its key. Tried as
// another module in the same process would (fixtures/forge-child.js): every function of every file
// the package ships, required by its own path and from a copy, called with many arguments; every
// built-in method replaced by a recorder while the app makes and uses its signer; built-ins that
// lie while every signing path runs; and every shipped file's exports, which must be frozen.
'use strict'

const { describe, it } = require('./known-differences.js').nodeTest(__filename)
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { pathToFileURL } = require('node:url')
const { hmac, runNode } = require('./helpers.js')

const ROOT = path.join(__dirname, '..')
const FORGE = path.join(__dirname, 'fixtures', 'forge-child.js')
const ON_WASI = require('../lib/loader.js').loadNativeBinding().from.includes('wasi')
// The WASI build's glue (emnapi, JavaScript) copies a constructor secret's bytes into WebAssembly
// memory, reads and makes strings (ids, signatures) and promises, and keeps keyrings' wrapped
// objects in a WeakMap, with ordinary built-ins (SECURITY.md says so); the native build hands them
// to Rust directly. Each leak names its caller.
const WASI_GLUE =
  / from \S*(node_modules\/@emnapi\/|node_modules\/@napi-rs\/wasm-runtime\/|mtribes-trusted-identity\.wasi\.cjs)/

/** The leaks of `kind` the package itself is answerable for: on WASI, not those of its glue. */
function leaksOf(report, kind) {
  return ON_WASI ? report.leaks[kind].filter((where) => !WASI_GLUE.test(where)) : report.leaks[kind]
}

/** Runs the forge child in `mode` with no platform secret in its environment; returns its report. */
function forge(mode) {
  const r = runNode([FORGE, mode], { timeout: 300_000, maxBuffer: 64 * 1024 * 1024 })
  assert.equal(r.signal, null, `the child died of ${r.signal}: ${r.stderr}`)
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`)
  return JSON.parse(r.stdout)
}

/** The JavaScript files the package ships (package.json `files`), relative to the root. */
function shippedScripts() {
  const files = []
  for (const entry of require('../package.json').files) {
    if (entry.endsWith('/')) {
      for (const name of fs.readdirSync(path.join(ROOT, entry))) if (/\.m?js$/.test(name)) files.push(`${entry}${name}`)
    } else if (/\.m?js$/.test(entry)) files.push(entry)
  }
  return files.sort()
}

/** Whether `value` is a class (whose static methods a module could otherwise swap). */
const isClass = (value) => typeof value === 'function' && /^class\b/.test(Function.prototype.toString.call(value))

describe('nothing signs under a key the caller does not hold', () => {
  it("no function of any shipped file, by any path and with any arguments, signs with the app's key", () => {
    const report = forge('call')
    assert.deepEqual(report.forged, [], "these calls returned a signature under the app's key")
    // The calls reach signing code: with the attacker's own keyrings and signers they sign.
    assert.ok(report.attackerSigned > 0, "no call signed even with the attacker's own keyring")
    assert.ok(report.modules >= 20, `only ${report.modules} modules loaded`)
    assert.ok(report.callables >= 60, `only ${report.callables} functions tried`)
    assert.ok(report.calls >= 100_000, `only ${report.calls} calls made`)
  })

  it('built-ins patched after load, recording or lying, see no keyring, secret or signature, change no answer', () => {
    // Recorders on every method and getter of the built-ins while the app makes and uses its signer.
    const recorded = forge('patch')
    assert.deepEqual(leaksOf(recorded, 'keyrings'), [], 'recorders saw keyrings')
    assert.deepEqual(leaksOf(recorded, 'secrets'), [], 'recorders saw secrets')
    assert.deepEqual(leaksOf(recorded, 'signatures'), [], 'recorders saw signatures')
    assert.ok(recorded.patched > 300, `only ${recorded.patched} built-in methods patched`)
    // The recorders do record: the app's own calls (Array.from, JSON.stringify, ...) are there.
    assert.ok(recorded.byApp >= 10, `only ${recorded.byApp} of the app's own built-in calls recorded`)

    // Built-ins that lie (and the recorders) while every signing path runs.
    const lied = forge('lie')
    assert.deepEqual(lied.honest, [], 'these built-ins were meant to lie and did not')
    assert.ok(lied.lies >= 30, `only ${lied.lies} lies`)
    // The platforms of each of the 3 signers, and 5 paths on each of their 4, 3 and 2 platforms.
    assert.equal(lied.checked, 48)
    assert.deepEqual(lied.wrong, [], "these answers were not node:crypto's")
    assert.deepEqual(leaksOf(lied, 'keyrings'), [], 'lies saw keyrings')
    assert.deepEqual(leaksOf(lied, 'secrets'), [], 'lies saw secrets')
    assert.deepEqual(leaksOf(lied, 'signatures'), [], 'lies saw signatures')
    assert.ok(lied.byApp > 0, "the app's own built-in call was not recorded")
  })
})

describe('a module holding a keyring of its own cannot take the process down', () => {
  // V8 13.6 and later (Node 24 and 26) die of SIGSEGV when an External is made a prototype, so a
  // keyring is a wrapped ordinary object (src/keyrings.rs). Each use runs in a child of its own,
  // so that one crash names its use.
  const uses = {
    'made the prototype of an object': 'Object.setPrototypeOf({}, keyring)',
    'made the prototype of a function': 'Object.setPrototypeOf(function f() {}, keyring)',
    'given to Object.create': 'Object.create(keyring)',
    "assigned to an object's __proto__": 'const o = {}; o.__proto__ = keyring; o.x',
    'given to a class as its prototype': 'class C {}; Object.setPrototypeOf(C.prototype, keyring); new C().x',
    'frozen, then used': 'Object.freeze(keyring)',
    'a Proxy target, a WeakMap key, structuredClone':
      'new Proxy(keyring, {}).x; new WeakMap([[keyring, 1]]); structuredClone(keyring)',
  }
  for (const [use, code] of Object.entries(uses)) {
    it(`a keyring ${use}: no crash, it still signs, and an object derived from it is none`, () => {
      const child = `
        const binding = require(${JSON.stringify(path.join(ROOT, 'binding.js'))})
        const keyring = binding.keyringNew()
        binding.keyringInsert(keyring, 'ios', Buffer.from('attacker-own-secret'), false)
        ${code}
        let derived
        try { binding.sign(Object.create(keyring), 0, 'user-1') } catch (error) { derived = error.code }
        console.log(JSON.stringify({ signature: binding.sign(keyring, 0, 'user-1'), derived }))`
      const r = runNode(['-e', child])
      assert.equal(r.signal, null, `the child died of ${r.signal}`)
      assert.equal(r.status, 0, r.stderr)
      assert.deepEqual(JSON.parse(r.stdout), {
        signature: hmac('attacker-own-secret', 'user-1'),
        derived: 'ERR_INVALID_ARG_TYPE',
      })
    })
  }
})

describe('no other module can replace what the package hands out', () => {
  const api = require('..')
  for (const [name, value] of [
    ['TrustedIdentity', api.TrustedIdentity],
    ['TrustedIdentity.prototype', api.TrustedIdentity.prototype],
  ]) {
    it(`${name} is frozen`, () => {
      assert.equal(Object.isFrozen(value), true)
    })
  }

  const INTRINSICS = new Set([Map, Promise, Uint8Array, Uint32Array, Array.prototype, Object.prototype])
  const scripts = shippedScripts()
  it('the shipped files include every entry and lib/ module', () => {
    for (const file of [
      'index.js',
      'index.mjs',
      'binding.js',
      'lib/validation.js',
      'lib/env.js',
      'lib/endpoint.js',
      'lib/express.mjs',
    ]) {
      assert.ok(scripts.includes(file), file)
    }
  })
  // lib/unsupported-runtime.js exports nothing: it throws at load (error-codes.test.js checks it).
  const UNSUPPORTED = 'lib/unsupported-runtime.js'
  for (const file of scripts.filter((name) => name.endsWith('.js') && name !== UNSUPPORTED)) {
    it(`${file}: its exports, and every object and class among them, are frozen`, () => {
      const exported = require(path.join(ROOT, file))
      assert.equal(Object.isFrozen(exported), true)
      for (const [name, value] of Object.entries(exported)) {
        // lib/primordials.js hands out the realm's own built-ins (Map, Array.prototype, ...): no
        // module of the package made them, and freezing them would change every other module.
        if (INTRINSICS.has(value)) continue
        if ((typeof value === 'object' && value !== null) || isClass(value))
          assert.equal(Object.isFrozen(value), true, name)
      }
    })
  }
  for (const file of scripts.filter((name) => name.endsWith('.mjs'))) {
    it(`${file}: exports what its CommonJS file's frozen exports hold`, async () => {
      const namespace = await import(pathToFileURL(path.join(ROOT, file)))
      const exported = require(path.join(ROOT, file.replace(/\.mjs$/, '.js')))
      assert.equal(Object.isFrozen(exported), true)
      for (const name of Object.keys(namespace)) assert.equal(namespace[name], exported[name], name)
    })
  }

  it('replacing a method throws in strict mode and changes nothing', () => {
    const { sign } = api.TrustedIdentity.prototype
    assert.throws(() => {
      api.TrustedIdentity.prototype.sign = () => 'stolen'
    }, TypeError)
    assert.equal(api.TrustedIdentity.prototype.sign, sign)
  })

  it('a subclass still works, with keys of its own', () => {
    class Mine extends api.TrustedIdentity {}
    const mine = new Mine({ ios: 'subclass-secret' })
    assert.equal(mine.sign('u', 'ios'), hmac('subclass-secret', 'u'))
  })
})
