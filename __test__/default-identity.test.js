// defaultIdentity(): the lazily made TrustedIdentity.fromEnv() default that module-level sign and the
// Express handler use; each case runs in a fresh Node process with a controlled environment.
'use strict'

const { describe, it } = require('./known-differences.js').nodeTest(__filename)
const assert = require('node:assert/strict')
const path = require('node:path')
const { hmac, runNode, BUILD_PROBE, assertSameBuild } = require('./helpers.js')
const { moduleFile } = require('./fixtures/module-file.js')

const ROOT = path.join(__dirname, '..')
const SECRET = 'default-Secret-0a4c'

function child(code, env = {}, { esm = false } = {}) {
  const prelude = esm
    ? `import * as api from ${JSON.stringify(new URL('../index.mjs', `file://${__filename}`).href)}\n`
    : `const api = require(${JSON.stringify(ROOT)})\n`
  const args = esm ? [moduleFile(`${prelude}${code}`)] : ['-e', `${prelude}${code}`]
  const r = runNode(args, { env, timeout: 30_000, secrets: [SECRET] })
  assert.equal(r.status, 0, r.stderr)
  return JSON.parse(r.stdout)
}

describe("the defaultIdentity tests' children", () => {
  it('its children load the build this process loads (the WASI build under test:wasi)', () => {
    assertSameBuild(child(BUILD_PROBE).from, 'child()')
  })
})

describe('defaultIdentity() is TrustedIdentity.fromEnv(), made on the first call and kept', () => {
  it('returns the same TrustedIdentity every time, signing with MTRIBES_IOS_SECRET', () => {
    const out = child(
      `const a = api.defaultIdentity(), b = api.defaultIdentity()
      const out = [a === b, a instanceof api.TrustedIdentity, a.platforms, a.sign('u', 'ios')]
      process.stdout.write(JSON.stringify(out))`,
      { MTRIBES_IOS_SECRET: SECRET },
    )
    assert.deepEqual(out, [true, true, ['ios'], hmac(SECRET, 'u')])
  })

  it('is the one module-level sign uses (made by whichever is called first)', () => {
    const out = child(
      `const signed = api.sign('u', 'ios')
      const identity = api.defaultIdentity()
      identity.dispose()
      let after
      try { api.sign('u', 'ios') } catch (e) { after = e.code }
      process.stdout.write(JSON.stringify([signed, after]))`,
      { MTRIBES_IOS_SECRET: SECRET },
    )
    assert.deepEqual(out, [hmac(SECRET, 'u'), 'ERR_TRUSTED_IDENTITY_DISPOSED'])
  })

  it('keeps nothing when it throws: the next call, once the variable is set, succeeds', () => {
    const out = child(
      `let first
      try { api.defaultIdentity() } catch (e) { first = e.code }
      process.env.MTRIBES_IOS_SECRET = ${JSON.stringify(SECRET)}
      process.stdout.write(JSON.stringify([first, api.defaultIdentity().sign('u', 'ios')]))`,
    )
    assert.deepEqual(out, ['ERR_TRUSTED_IDENTITY_NO_SECRETS', hmac(SECRET, 'u')])
  })

  it('is exported by index.mjs too, the same function', () => {
    const out = child(
      `import { createRequire } from 'node:module'
      const cjs = createRequire(import.meta.url)(${JSON.stringify(ROOT)})
      const out = [api.defaultIdentity === cjs.defaultIdentity, api.defaultIdentity().sign('u', 'ios')]
      process.stdout.write(JSON.stringify(out))`,
      { MTRIBES_IOS_SECRET: SECRET },
      { esm: true },
    )
    assert.deepEqual(out, [true, hmac(SECRET, 'u')])
  })
})
