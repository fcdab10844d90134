// ES module entry: index.mjs gives the same TrustedIdentity and sign as the CommonJS index.js.
import { nodeTest } from './known-differences.js'
const { describe, it } = nodeTest(import.meta.url)
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { hmac, runNode, BUILD_PROBE, assertSameBuild } from './helpers.js'
import { moduleFile } from './fixtures/module-file.js'

import { TrustedIdentity, sign } from '../index.mjs'
import * as esm from '../index.mjs'

const require = createRequire(import.meta.url)
const cjs = require('../index.js')

describe('index.mjs named exports', () => {
  it('exports TrustedIdentity and sign as functions', () => {
    assert.equal(typeof TrustedIdentity, 'function')
    assert.equal(typeof sign, 'function')
    assert.ok(Object.keys(esm).includes('TrustedIdentity'))
    assert.ok(Object.keys(esm).includes('sign'))
  })

  it('TrustedIdentity is the same class as require("../index.js")', () => {
    assert.equal(TrustedIdentity, cjs.TrustedIdentity)
    const ti = new TrustedIdentity({ ios: 'esm-secret' })
    assert.ok(ti instanceof cjs.TrustedIdentity)
    assert.ok(new cjs.TrustedIdentity({ ios: 'x' }) instanceof TrustedIdentity)
  })

  it('signs like node:crypto through the ES module entry', () => {
    const ti = new TrustedIdentity({ ios: 'esm-secret', android: Buffer.from('esm-bytes') })
    assert.equal(ti.sign('user-1', 'ios'), hmac('esm-secret', 'user-1'))
    const bytes = Buffer.from('esm-bytes')
    assert.deepEqual(ti.signMany(['a', 'b'], 'android'), [hmac(bytes, 'a'), hmac(bytes, 'b')])
    assert.equal(ti.verify('user-1', 'ios', hmac('esm-secret', 'user-1')), true)
  })
})

describe('module-level sign from index.mjs (child process)', () => {
  const indexUrl = new URL('../index.mjs', import.meta.url).href
  const CHILD_SECRET = 'esm-child-secret'
  const run = (code, env) =>
    runNode([moduleFile(`import { sign } from ${JSON.stringify(indexUrl)}\n${code}`)], {
      env,
      timeout: 30_000,
      secrets: [CHILD_SECRET],
    })

  it('its children load the build this process loads (the WASI build under test:wasi)', () => {
    const prelude = `import { createRequire } from 'node:module'\nconst require = createRequire(import.meta.url)\n`
    const r = run(`${prelude}${BUILD_PROBE}`, {})
    assert.equal(r.status, 0, r.stderr)
    assertSameBuild(JSON.parse(r.stdout).from, 'run()')
  })

  it('signs with MTRIBES_IOS_SECRET', () => {
    const r = run(`process.stdout.write(sign('user-1', 'ios'))`, { MTRIBES_IOS_SECRET: CHILD_SECRET })
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stdout, hmac(CHILD_SECRET, 'user-1'))
  })

  it('importing without secrets does not throw; signing throws ERR_TRUSTED_IDENTITY_NO_SECRETS', () => {
    const code = `let out = 'signed'
try { sign('u', 'ios') } catch (e) { out = String(e.code) }
process.stdout.write(out)`
    const r = run(code, {})
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stdout, 'ERR_TRUSTED_IDENTITY_NO_SECRETS')
  })
})
