// A signer is a capability: only code holding the TrustedIdentity can sign with its key. Tried as
// another module in the same process would (fixtures/forge-child.js): every function of every file
// the package ships, required by its own path and from a copy, called with many arguments; and every
// built-in method replaced by a recorder while the app makes and uses its signer.
'use strict'

const { describe, it } = require('./known-differences.js').nodeTest(__filename)
const assert = require('node:assert/strict')
const path = require('node:path')
const { spawnSync } = require('node:child_process')
const { childEnv } = require('./fixtures/child-env.js')

const FORGE = path.join(__dirname, 'fixtures', 'forge-child.js')
const ON_WASI = require('../lib/loader.js').loadNativeBinding().from.includes('wasi')

/** Runs the forge child in `mode` with no platform secret in its environment; returns its report. */
function forge(mode) {
  const r = spawnSync(process.execPath, [FORGE, mode], {
    env: childEnv(),
    encoding: 'utf8',
    timeout: 300_000,
    maxBuffer: 64 * 1024 * 1024,
  })
  assert.equal(r.signal, null, `the child died of ${r.signal}: ${r.stderr}`)
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`)
  return JSON.parse(r.stdout)
}

describe('nothing signs under a key the caller does not hold', () => {
  it('no function of any shipped file, required by any path and called with any arguments, signs with the app\'s key', () => {
    const report = forge('call')
    assert.deepEqual(report.forged, [], 'these calls returned a signature under the app\'s key')
    // The calls reach signing code: with the attacker's own keyrings and signers they sign.
    assert.ok(report.attackerSigned > 0, 'no call signed even with the attacker\'s own keyring')
    assert.ok(report.modules >= 20, `only ${report.modules} modules loaded`)
    assert.ok(report.callables >= 60, `only ${report.callables} functions tried`)
    assert.ok(report.calls >= 100_000, `only ${report.calls} calls made`)
  })

  it('built-ins patched after the package loaded never see a keyring or a constructor secret', () => {
    const report = forge('patch')
    assert.deepEqual(report.leaks.keyrings, [])
    // The WASI build's glue (emnapi, JavaScript) copies a secret's bytes into WebAssembly memory
    // with built-ins; SECURITY.md says so. The native build hands them to Rust directly.
    if (!ON_WASI) assert.deepEqual(report.leaks.secrets, [])
    assert.ok(report.patched > 300, `only ${report.patched} built-in methods patched`)
    assert.ok(report.recorded > 1000, `only ${report.recorded} built-in calls recorded while the app signed`)
  })
})

describe('no other module can replace what the package hands out', () => {
  const api = require('..')
  const binding = require('../binding.js')
  for (const [name, value] of [
    ['the main entry\'s exports', api],
    ['TrustedIdentity', api.TrustedIdentity],
    ['TrustedIdentity.prototype', api.TrustedIdentity.prototype],
    ['the native binding\'s exports', binding],
  ]) {
    it(`${name} is frozen`, () => {
      assert.equal(Object.isFrozen(value), true)
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
    assert.equal(mine.sign('u', 'ios'), require('node:crypto').createHmac('sha256', 'subclass-secret').update('u').digest('hex'))
  })
})
