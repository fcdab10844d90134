// TrustedIdentity.fromEnv (variables, files, options.platforms, prefix, errors) and the module-level sign, run in
// child processes.
'use strict'

const { describe, it, afterEach } = require('./known-differences.js').nodeTest(__filename)
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { spawnSync } = require('node:child_process')
const { hmac, expectError, runNode, tempDir, childEnv, BUILD_PROBE, assertSameBuild } = require('./helpers.js')

const { TrustedIdentity } = require('..')

const INDEX = path.resolve(__dirname, '..', 'index.js')
// A prefix no other process or test uses, so a stray MTRIBES_* variable cannot change results.
const PREFIX = `MTI_TEST_${process.pid}_`
// Every secret in this file contains MARKER, so a check for it finds a leaked secret in any error.
const MARKER = 'EnvSecretMarker'
const WINDOWS = process.platform === 'win32'

// Variables set through setEnv are removed after each test.
const touched = new Set()
function setEnv(vars) {
  for (const [name, value] of Object.entries(vars)) {
    touched.add(name)
    process.env[name] = value
  }
}
afterEach(() => {
  for (const name of touched) delete process.env[name]
  touched.clear()
})

const dir = tempDir(undefined, 'mti-from-env-')

let fileCount = 0
function secretFile(content, name = `secret-${++fileCount}`) {
  const file = path.join(dir, name)
  fs.writeFileSync(file, content)
  return file
}

// The module-level sign keeps a lazily created default; each case runs in a fresh Node process with a controlled
// environment: `code` runs after `const api = require(index.js)`; none of `secrets` may show in its output.
function runChild(code, env = {}, secrets = []) {
  const script = `'use strict'\nconst api = require(${JSON.stringify(INDEX)})\n${code}`
  return runNode(['-e', script], { env, timeout: 30_000, secrets })
}

/** Runs `code` (which may throw) and reports its outcome as JSON on stdout. */
function childOutcome(code, env, secrets) {
  const r = runChild(
    `let out
    try {
      out = { value: (() => { ${code} })() }
    } catch (e) {
      const isError = e instanceof Error
      out = { error: { isError, isTypeError: e instanceof TypeError, code: e.code, message: e.message } }
    }
    process.stdout.write(JSON.stringify(out))`,
    env,
    secrets,
  )
  assert.equal(r.status, 0, `child failed: ${r.stderr}`)
  return { ...JSON.parse(r.stdout), stdout: r.stdout, stderr: r.stderr }
}

describe('fromEnv reads <prefix><PLATFORM>_SECRET variables', () => {
  it('one variable gives one platform whose signatures match node:crypto', () => {
    const secret = `ios-${MARKER}-1`
    setEnv({ [`${PREFIX}IOS_SECRET`]: secret })
    const ti = TrustedIdentity.fromEnv({ prefix: PREFIX })
    assert.ok(ti instanceof TrustedIdentity)
    assert.deepEqual([...ti.platforms], ['ios'])
    assert.equal(ti.sign('user-1', 'ios'), hmac(secret, 'user-1'))
    assert.equal(ti.verify('user-1', 'ios', hmac(secret, 'user-1')), true)
  })

  it('a non-ASCII secret is used as its UTF-8 bytes', () => {
    const secret = `sé€😀-${MARKER}`
    setEnv({ [`${PREFIX}IOS_SECRET`]: secret })
    assert.equal(TrustedIdentity.fromEnv({ prefix: PREFIX }).sign('ü', 'ios'), hmac(secret, 'ü'))
  })

  it('without options.platforms, loads every platform, sorted by name', () => {
    const secrets = { ROKU: 'r-secret', IOS: 'i-secret', TV2: 't-secret', ANDROID: 'a-secret', WEB: 'w-secret' }
    setEnv(Object.fromEntries(Object.entries(secrets).map(([p, s]) => [`${PREFIX}${p}_SECRET`, s])))
    const ti = TrustedIdentity.fromEnv({ prefix: PREFIX })
    assert.deepEqual([...ti.platforms], ['android', 'ios', 'roku', 'tv2', 'web'])
    assert.ok(Object.isFrozen(ti.platforms))
    for (const [p, s] of Object.entries(secrets)) assert.equal(ti.sign('u', p.toLowerCase()), hmac(s, 'u'), p)
  })

  it('ignores variables under another prefix', () => {
    const other = `MTI_OTHER_${process.pid}_`
    setEnv({ [`${PREFIX}IOS_SECRET`]: 'mine', [`${other}WEB_SECRET`]: 'not-mine' })
    const ti = TrustedIdentity.fromEnv({ prefix: PREFIX })
    assert.deepEqual([...ti.platforms], ['ios'])
    assert.throws(() => ti.sign('u', 'web'), { code: 'ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM' })
  })

  it('reads the variables when called, not when the module was loaded', () => {
    setEnv({ [`${PREFIX}IOS_SECRET`]: 'first' })
    const a = TrustedIdentity.fromEnv({ prefix: PREFIX })
    setEnv({ [`${PREFIX}IOS_SECRET`]: 'second' })
    const b = TrustedIdentity.fromEnv({ prefix: PREFIX })
    assert.equal(a.sign('u', 'ios'), hmac('first', 'u'))
    assert.equal(b.sign('u', 'ios'), hmac('second', 'u'))
  })

  it('the default prefix is MTRIBES_', () => {
    const platform = `zq${process.pid}`
    const name = `MTRIBES_${platform.toUpperCase()}_SECRET`
    setEnv({ [name]: 'default-prefix-secret' })
    const ti = TrustedIdentity.fromEnv({ platforms: [platform] })
    assert.deepEqual([...ti.platforms], [platform])
    assert.equal(ti.sign('u', platform), hmac('default-prefix-secret', 'u'))
    // Not read under another prefix.
    expectError(() => TrustedIdentity.fromEnv({ prefix: PREFIX, platforms: [platform] }), {
      code: 'ERR_TRUSTED_IDENTITY_NO_SECRETS',
      secrets: [MARKER],
    })
  })
})

describe('fromEnv reads <prefix><PLATFORM>_SECRET_FILE files, removing one trailing newline', () => {
  const cases = [
    ['a trailing \\n', `file-${MARKER}-lf\n`, `file-${MARKER}-lf`],
    ['a trailing \\r\\n', `file-${MARKER}-crlf\r\n`, `file-${MARKER}-crlf`],
    ['no trailing newline', `file-${MARKER}-none`, `file-${MARKER}-none`],
    ['non-ASCII UTF-8 text', 'fïlé-€-😀\n', 'fïlé-€-😀'],
    ['inner newlines', 'line1\nline2\n', 'line1\nline2'],
  ]
  for (const [label, content, secret] of cases) {
    it(`${label}`, () => {
      setEnv({ [`${PREFIX}IOS_SECRET_FILE`]: secretFile(content) })
      const ti = TrustedIdentity.fromEnv({ prefix: PREFIX })
      assert.deepEqual([...ti.platforms], ['ios'])
      assert.equal(ti.sign('user-1', 'ios'), hmac(secret, 'user-1'))
    })
  }

  it('a file of exactly 64 KiB', () => {
    const secret = 'k'.repeat(64 * 1024)
    setEnv({ [`${PREFIX}IOS_SECRET_FILE`]: secretFile(secret) })
    assert.equal(TrustedIdentity.fromEnv({ prefix: PREFIX }).sign('u', 'ios'), hmac(secret, 'u'))
  })

  const noLinks = process.platform === 'win32' && 'symlinks need privileges on Windows'
  it('a symbolic link to the file', { skip: noLinks }, () => {
    const link = path.join(dir, `link-${++fileCount}`)
    fs.symlinkSync(secretFile('linked-secret\n'), link)
    setEnv({ [`${PREFIX}IOS_SECRET_FILE`]: link })
    assert.equal(TrustedIdentity.fromEnv({ prefix: PREFIX }).sign('u', 'ios'), hmac('linked-secret', 'u'))
  })

  it('a long file secret (more than one HMAC block)', () => {
    const secret = 'k'.repeat(1000) + MARKER
    setEnv({ [`${PREFIX}IOS_SECRET_FILE`]: secretFile(secret + '\n') })
    assert.equal(TrustedIdentity.fromEnv({ prefix: PREFIX }).sign('u', 'ios'), hmac(secret, 'u'))
  })

  it('a path with spaces and non-ASCII characters', () => {
    setEnv({ [`${PREFIX}IOS_SECRET_FILE`]: secretFile('spaced-path-secret\n', 'my sécret file.txt') })
    assert.equal(TrustedIdentity.fromEnv({ prefix: PREFIX }).sign('u', 'ios'), hmac('spaced-path-secret', 'u'))
  })

  it('files and variables mix across platforms', () => {
    setEnv({
      [`${PREFIX}IOS_SECRET`]: 'from-var',
      [`${PREFIX}ANDROID_SECRET_FILE`]: secretFile('from-file\n'),
    })
    const ti = TrustedIdentity.fromEnv({ prefix: PREFIX })
    assert.deepEqual([...ti.platforms], ['android', 'ios'])
    assert.equal(ti.sign('u', 'ios'), hmac('from-var', 'u'))
    assert.equal(ti.sign('u', 'android'), hmac('from-file', 'u'))
  })
})

describe('options.platforms names the platforms that must be present', () => {
  it('loads only those, in that order', () => {
    setEnv({ [`${PREFIX}IOS_SECRET`]: 'i', [`${PREFIX}ROKU_SECRET`]: 'r', [`${PREFIX}WEB_SECRET`]: 'w' })
    const ti = TrustedIdentity.fromEnv({ prefix: PREFIX, platforms: ['roku', 'ios'] })
    assert.deepEqual([...ti.platforms], ['roku', 'ios'])
    assert.equal(ti.sign('u', 'roku'), hmac('r', 'u'))
    assert.equal(ti.sign('u', 'ios'), hmac('i', 'u'))
    assert.throws(() => ti.sign('u', 'web'), { code: 'ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM' })
  })

  it('a file-backed platform counts as present', () => {
    setEnv({ [`${PREFIX}ROKU_SECRET_FILE`]: secretFile('roku-file\n') })
    const ti = TrustedIdentity.fromEnv({ prefix: PREFIX, platforms: ['roku'] })
    assert.equal(ti.sign('u', 'roku'), hmac('roku-file', 'u'))
  })

  it('a missing platform -> ERR_TRUSTED_IDENTITY_NO_SECRETS naming its variable', () => {
    setEnv({ [`${PREFIX}IOS_SECRET`]: `i-${MARKER}` })
    expectError(() => TrustedIdentity.fromEnv({ prefix: PREFIX, platforms: ['ios', 'roku'] }), {
      code: 'ERR_TRUSTED_IDENTITY_NO_SECRETS',
      includes: [`${PREFIX}ROKU_SECRET`],
      secrets: [MARKER],
    })
  })

  it('several missing platforms are all named', () => {
    setEnv({ [`${PREFIX}IOS_SECRET`]: `i-${MARKER}` })
    const error = expectError(() => TrustedIdentity.fromEnv({ prefix: PREFIX, platforms: ['roku', 'ios', 'web'] }), {
      code: 'ERR_TRUSTED_IDENTITY_NO_SECRETS',
      includes: [`${PREFIX}ROKU_SECRET`, `${PREFIX}WEB_SECRET`],
      secrets: [MARKER],
    })
    assert.ok(!error.message.includes(`${PREFIX}IOS_SECRET`), `lists a present platform: ${error.message}`)
  })

  it('with the default prefix the message names MTRIBES_<PLATFORM>_SECRET', () => {
    const platform = `zr${process.pid}`
    expectError(() => TrustedIdentity.fromEnv({ platforms: [platform] }), {
      code: 'ERR_TRUSTED_IDENTITY_NO_SECRETS',
      includes: [`MTRIBES_${platform.toUpperCase()}_SECRET`],
      secrets: [MARKER],
    })
  })
})

describe('fromEnv errors', () => {
  it('nothing set under the prefix -> ERR_TRUSTED_IDENTITY_NO_SECRETS', () => {
    expectError(() => TrustedIdentity.fromEnv({ prefix: PREFIX }), {
      code: 'ERR_TRUSTED_IDENTITY_NO_SECRETS',
      secrets: [MARKER],
    })
  })

  it('both _SECRET and _SECRET_FILE for a platform -> ERR_TRUSTED_IDENTITY_SECRET_SOURCE naming it', () => {
    const fileContent = `file-${MARKER}-both`
    setEnv({ [`${PREFIX}IOS_SECRET`]: `var-${MARKER}-both`, [`${PREFIX}IOS_SECRET_FILE`]: secretFile(fileContent) })
    expectError(() => TrustedIdentity.fromEnv({ prefix: PREFIX }), {
      code: 'ERR_TRUSTED_IDENTITY_SECRET_SOURCE',
      includes: [`${PREFIX}IOS_SECRET`],
      secrets: [MARKER, fileContent],
    })
  })

  it('a missing file -> ERR_TRUSTED_IDENTITY_SECRET_SOURCE naming the variable and OS error, not the path', () => {
    const missing = path.join(dir, `does-not-exist-${MARKER}`)
    setEnv({ [`${PREFIX}IOS_SECRET_FILE`]: missing })
    expectError(() => TrustedIdentity.fromEnv({ prefix: PREFIX }), {
      code: 'ERR_TRUSTED_IDENTITY_SECRET_SOURCE',
      // The OS's own text: Windows words it "The system cannot find the file specified." (Wine:
      // "File not found."), so there the test looks for the code Rust appends to every OS error.
      includes: [`${PREFIX}IOS_SECRET_FILE`, WINDOWS ? '(os error 2)' : 'No such file or directory'],
      secrets: [MARKER, missing, MARKER],
    })
  })

  it('a secret pasted into _SECRET_FILE (base64, with a /) is never shown', () => {
    const pasted = `c2Vj${MARKER}/cmV0+dGV4dA==`
    setEnv({ [`${PREFIX}IOS_SECRET_FILE`]: pasted })
    expectError(() => TrustedIdentity.fromEnv({ prefix: PREFIX }), {
      code: 'ERR_TRUSTED_IDENTITY_SECRET_SOURCE',
      includes: [`${PREFIX}IOS_SECRET_FILE`],
      secrets: [MARKER, pasted, 'c2Vj'],
    })
  })

  // Each is refused before it is read whole: nothing here blocks or grows without end.
  const notAFile = [
    ['a directory', () => fs.mkdtempSync(path.join(dir, `subdir-${MARKER}-`)), 'not a regular file'],
    ['a file over 64 KiB', () => secretFile('k'.repeat(64 * 1024 + 1)), 'larger than 64 KiB'],
  ]
  if (process.platform !== 'win32') {
    notAFile.push(['/dev/zero (endless)', () => '/dev/zero', 'not a regular file'])
    notAFile.push(['/dev/null', () => '/dev/null', 'not a regular file'])
  }
  for (const [label, make, says] of notAFile) {
    it(`${label} -> ERR_TRUSTED_IDENTITY_SECRET_SOURCE (${says}), without the path`, () => {
      const file = make()
      setEnv({ [`${PREFIX}IOS_SECRET_FILE`]: file })
      expectError(() => TrustedIdentity.fromEnv({ prefix: PREFIX }), {
        code: 'ERR_TRUSTED_IDENTITY_SECRET_SOURCE',
        includes: [`${PREFIX}IOS_SECRET_FILE`, says],
        secrets: [MARKER, file],
      })
    })
  }

  const noFifos = process.platform === 'win32' && 'no FIFOs on Windows'
  it('a FIFO with no writer is refused at once, without blocking the event loop', { skip: noFifos }, () => {
    const fifo = path.join(dir, `fifo-${++fileCount}`)
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo')
    // In a child with a deadline: a blocking open would hang it, not this test runner.
    const code = `return api.TrustedIdentity.fromEnv({ platforms: ['ios'] })`
    const r = childOutcome(code, { MTRIBES_IOS_SECRET_FILE: fifo })
    assert.equal(r.error?.code, 'ERR_TRUSTED_IDENTITY_SECRET_SOURCE', r.stdout)
    assert.match(r.error.message, /not a regular file/)
  })

  const SAVE_AS_UTF8 = 'save the file as UTF-8'
  const text = (string, encoding, bom = '') =>
    Buffer.concat([Buffer.from(bom, 'latin1'), Buffer.from(string, encoding)])
  for (const [label, content, says] of [
    ["UTF-16LE with a BOM (PowerShell's >)", text(`utf16-${MARKER}\r\n`, 'utf16le', '\xff\xfe'), SAVE_AS_UTF8],
    ['UTF-16LE without a BOM', text(`utf16-${MARKER}`, 'utf16le'), 'save the file as UTF-8'],
    ['UTF-16BE with a BOM', Buffer.from([0xfe, 0xff, 0, 0x73, 0, 0x33]), 'save the file as UTF-8'],
    ['a NUL byte', Buffer.from(`nul-${MARKER}\0x`), 'NUL'],
    ['Latin-1 text (not UTF-8)', text(`caf\xe9-${MARKER}`, 'latin1'), 'not UTF-8 text'],
    ['bytes that are not text', Buffer.from([0x01, 0xff, 0x80, 0xc3, 0x28, 0x7f, 0xfe]), 'not UTF-8 text'],
    ['a UTF-8 byte order mark', text(`bom-${MARKER}`, 'utf8', '\xef\xbb\xbf'), 'without BOM'],
    ['empty', Buffer.alloc(0), 'empty'],
    ['just \\n', Buffer.from('\n'), 'empty'],
    ['just \\r\\n', Buffer.from('\r\n'), 'empty'],
    ['two trailing newlines', Buffer.from(`two-${MARKER}\n\n`), 'whitespace'],
  ]) {
    it(`a file of ${label}: refused (${says}), no content or path shown`, () => {
      const file = secretFile(content)
      setEnv({ [`${PREFIX}IOS_SECRET_FILE`]: file })
      expectError(() => TrustedIdentity.fromEnv({ prefix: PREFIX }), {
        code: 'ERR_TRUSTED_IDENTITY_SECRET_SOURCE',
        includes: [`${PREFIX}IOS_SECRET_FILE`, says],
        secrets: [MARKER, file],
      })
    })
  }

  it('a _SECRET that was not UTF-8 (U+FFFD for its bytes) -> ERR_TRUSTED_IDENTITY_SECRET_SOURCE', () => {
    setEnv({ [`${PREFIX}IOS_SECRET`]: `bad-${MARKER}-\uFFFD` })
    expectError(() => TrustedIdentity.fromEnv({ prefix: PREFIX }), {
      code: 'ERR_TRUSTED_IDENTITY_SECRET_SOURCE',
      includes: [`${PREFIX}IOS_SECRET`, 'not valid UTF-8'],
      secrets: [MARKER],
    })
  })

  it('an empty _SECRET variable -> ERR_TRUSTED_IDENTITY_SECRET_SOURCE naming the variable', () => {
    setEnv({ [`${PREFIX}IOS_SECRET`]: '' })
    expectError(() => TrustedIdentity.fromEnv({ prefix: PREFIX }), {
      code: 'ERR_TRUSTED_IDENTITY_SECRET_SOURCE',
      includes: [`${PREFIX}IOS_SECRET`],
      secrets: [MARKER],
    })
  })

  it('one bad platform fails the whole call, and the good platforms’ secrets are not shown', () => {
    const good = `good-${MARKER}-android`
    setEnv({ [`${PREFIX}ANDROID_SECRET`]: good, [`${PREFIX}ROKU_SECRET`]: '' })
    expectError(() => TrustedIdentity.fromEnv({ prefix: PREFIX }), {
      code: 'ERR_TRUSTED_IDENTITY_SECRET_SOURCE',
      includes: [`${PREFIX}ROKU_SECRET`],
      secrets: [MARKER, good],
    })
  })

  it('a bad platform not listed in options.platforms is not read', () => {
    setEnv({ [`${PREFIX}IOS_SECRET`]: 'fine', [`${PREFIX}ROKU_SECRET`]: '' })
    const ti = TrustedIdentity.fromEnv({ prefix: PREFIX, platforms: ['ios'] })
    assert.deepEqual([...ti.platforms], ['ios'])
  })
})

describe('fromEnv sees the environment the app sees, read by own properties only', () => {
  it('a variable set on process.env after the module loaded (as dotenv does) is read', () => {
    setEnv({ [`${PREFIX}IOS_SECRET`]: 'set-late' })
    assert.equal(TrustedIdentity.fromEnv({ prefix: PREFIX }).sign('u', 'ios'), hmac('set-late', 'u'))
  })

  it('a worker reads its own env (new Worker(file, { env })), not the process environment', async () => {
    const { Worker } = require('node:worker_threads')
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads')
      const { TrustedIdentity } = require(${JSON.stringify(INDEX)})
      parentPort.postMessage(TrustedIdentity.fromEnv({ prefix: ${JSON.stringify(PREFIX)} }).sign('u', 'ios'))`,
      { eval: true, env: childEnv({ [`${PREFIX}IOS_SECRET`]: 'worker-only-secret' }) },
    )
    const signed = await new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject))
    assert.equal(signed, hmac('worker-only-secret', 'u'))
    assert.equal(process.env[`${PREFIX}IOS_SECRET`], undefined)
  })

  it('a variable name inherited from a polluted Object.prototype is not a variable', () => {
    Object.prototype[`${PREFIX}ROKU_SECRET`] = 'polluted-secret'
    try {
      setEnv({ [`${PREFIX}IOS_SECRET`]: 'own-secret' })
      expectError(() => TrustedIdentity.fromEnv({ prefix: PREFIX, platforms: ['roku'] }), {
        code: 'ERR_TRUSTED_IDENTITY_NO_SECRETS',
        secrets: [MARKER],
      })
      assert.deepEqual([...TrustedIdentity.fromEnv({ prefix: PREFIX }).platforms], ['ios'])
    } finally {
      delete Object.prototype[`${PREFIX}ROKU_SECRET`]
    }
  })

  it('survives workers calling fromEnv in a loop while the main thread churns hundreds of variables', () => {
    // In a child, so that a crash is a signal there rather than the end of this test run. Half the
    // workers share the real environment (SHARE_ENV), where Node's own lock is what keeps it safe.
    const r = runNode([path.join(__dirname, 'fixtures', 'env-race.js'), '4000'], { timeout: 60_000 })
    assert.equal(r.signal, null, `the process died of ${r.signal}: ${r.stderr}`)
    assert.equal(r.status, 0, r.stderr)
    const result = JSON.parse(r.stdout)
    assert.deepEqual(result.errors, [])
    assert.equal(result.wrong, 0)
    assert.equal(result.workers, 4)
    assert.ok(result.loads > 100, `only ${result.loads} loads in 4 s`)
    assert.ok(result.churned > 10_000, `only ${result.churned} variables set and deleted`)
  })
})

describe('options.unsetEnv: true deletes the variables it read, after a successful load', () => {
  it('the _SECRET and _SECRET_FILE variables read are gone from process.env; the others stay', () => {
    setEnv({
      [`${PREFIX}IOS_SECRET`]: 'unset-ios',
      [`${PREFIX}ANDROID_SECRET_FILE`]: secretFile('unset-android\n'),
      [`${PREFIX}ROKU_SECRET`]: 'not-selected',
      [`${PREFIX}OTHER`]: 'not-ours',
    })
    const ti = TrustedIdentity.fromEnv({ prefix: PREFIX, platforms: ['ios', 'android'], unsetEnv: true })
    assert.equal(ti.sign('u', 'ios'), hmac('unset-ios', 'u'))
    assert.equal(ti.sign('u', 'android'), hmac('unset-android', 'u'))
    assert.equal(Object.hasOwn(process.env, `${PREFIX}IOS_SECRET`), false)
    assert.equal(Object.hasOwn(process.env, `${PREFIX}ANDROID_SECRET_FILE`), false)
    assert.equal(process.env[`${PREFIX}ROKU_SECRET`], 'not-selected')
    assert.equal(process.env[`${PREFIX}OTHER`], 'not-ours')
  })

  it('child processes started afterwards do not see them', () => {
    setEnv({ [`${PREFIX}IOS_SECRET`]: `child-${MARKER}` })
    TrustedIdentity.fromEnv({ prefix: PREFIX, unsetEnv: true })
    // The child inherits the whole process.env (as an app's children do), so it would see a variable left there.
    const r = runNode(['-e', 'process.stdout.write(JSON.stringify(process.env))'], {
      env: { ...process.env },
      secrets: [MARKER],
    })
    assert.equal(r.status, 0, r.stderr)
    assert.ok(!r.stdout.includes(`${PREFIX}IOS_SECRET`), 'the child inherited the variable')
  })

  it('nothing is deleted when the load fails', () => {
    setEnv({ [`${PREFIX}IOS_SECRET`]: 'fine', [`${PREFIX}ROKU_SECRET`]: '' })
    expectError(() => TrustedIdentity.fromEnv({ prefix: PREFIX, unsetEnv: true }), {
      code: 'ERR_TRUSTED_IDENTITY_SECRET_SOURCE',
      secrets: [MARKER],
    })
    assert.equal(process.env[`${PREFIX}IOS_SECRET`], 'fine')
    assert.equal(process.env[`${PREFIX}ROKU_SECRET`], '')
  })

  it('without it (or with false) the variables stay', () => {
    setEnv({ [`${PREFIX}IOS_SECRET`]: 'stays' })
    TrustedIdentity.fromEnv({ prefix: PREFIX })
    TrustedIdentity.fromEnv({ prefix: PREFIX, unsetEnv: false })
    assert.equal(process.env[`${PREFIX}IOS_SECRET`], 'stays')
  })

  it('unsetEnv must be a boolean: ERR_INVALID_ARG_TYPE', () => {
    setEnv({ [`${PREFIX}IOS_SECRET`]: 'stays' })
    for (const value of ['yes', 1, null, {}]) {
      expectError(() => TrustedIdentity.fromEnv({ prefix: PREFIX, unsetEnv: value }), {
        code: 'ERR_INVALID_ARG_TYPE',
        includes: ['options.unsetEnv'],
        secrets: [MARKER],
      })
    }
    assert.equal(process.env[`${PREFIX}IOS_SECRET`], 'stays')
  })
})

describe('module-level sign uses a default TrustedIdentity.fromEnv() created on first use', () => {
  const SECRET = `child-${MARKER}-ios`

  it('its children load the build this process loads (the WASI build under test:wasi)', () => {
    const r = runChild(BUILD_PROBE)
    assert.equal(r.status, 0, r.stderr)
    assertSameBuild(JSON.parse(r.stdout).from, 'runChild()')
  })

  it('signs with MTRIBES_IOS_SECRET', () => {
    const r = childOutcome(`return api.sign('user-1', 'ios')`, { MTRIBES_IOS_SECRET: SECRET })
    assert.equal(r.value, hmac(SECRET, 'user-1'))
  })

  it('signs with MTRIBES_IOS_SECRET_FILE', () => {
    const file = secretFile(`${SECRET}-file\n`)
    const r = childOutcome(`return api.sign('user-1', 'ios')`, { MTRIBES_IOS_SECRET_FILE: file })
    assert.equal(r.value, hmac(`${SECRET}-file`, 'user-1'))
  })

  it('loads every MTRIBES_<PLATFORM>_SECRET variable', () => {
    const r = childOutcome(
      `return [api.sign('u', 'ios'), api.sign('u', 'android'), api.TrustedIdentity.fromEnv().platforms]`,
      { MTRIBES_IOS_SECRET: SECRET, MTRIBES_ANDROID_SECRET: `${SECRET}-android` },
    )
    assert.deepEqual(r.value, [hmac(SECRET, 'u'), hmac(`${SECRET}-android`, 'u'), ['android', 'ios']])
  })

  it('with no MTRIBES_* variable: ERR_TRUSTED_IDENTITY_NO_SECRETS on sign, none on loading the module', () => {
    const r = childOutcome(`return api.sign('user-1', 'ios')`, {})
    assert.equal(r.value, undefined)
    assert.equal(r.error.isError, true)
    assert.equal(r.error.code, 'ERR_TRUSTED_IDENTITY_NO_SECRETS')
  })

  it('is created on first use: a variable set after require() but before the first sign is used', () => {
    const code = `process.env.MTRIBES_IOS_SECRET = ${JSON.stringify(SECRET)}; return api.sign('u', 'ios')`
    const r = childOutcome(code, {})
    assert.equal(r.value, hmac(SECRET, 'u'))
  })

  it('is not cached when creation failed: a later call succeeds once the variable is set', () => {
    const r = childOutcome(
      `let first
      try { api.sign('u', 'ios'); first = 'signed' } catch (e) { first = e.code }
      process.env.MTRIBES_IOS_SECRET = ${JSON.stringify(SECRET)}
      return [first, api.sign('u', 'ios')]`,
      {},
    )
    assert.deepEqual(r.value, ['ERR_TRUSTED_IDENTITY_NO_SECRETS', hmac(SECRET, 'u')])
  })

  it('is kept once created: later changes to the environment do not change it', () => {
    const r = childOutcome(
      `const first = api.sign('u', 'ios')
      process.env.MTRIBES_IOS_SECRET = 'changed-secret'
      process.env.MTRIBES_ROKU_SECRET = 'added-later'
      let roku
      try { roku = api.sign('u', 'roku') } catch (e) { roku = e.code }
      return [first, api.sign('u', 'ios'), roku]`,
      { MTRIBES_IOS_SECRET: SECRET },
    )
    assert.deepEqual(r.value, [hmac(SECRET, 'u'), hmac(SECRET, 'u'), 'ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM'])
  })

  it('checks its arguments like TrustedIdentity#sign', () => {
    const env = { MTRIBES_IOS_SECRET: SECRET }
    const cases = [
      [`api.sign('', 'ios')`, 'ERR_INVALID_ARG_VALUE', true],
      [`api.sign(42, 'ios')`, 'ERR_INVALID_ARG_TYPE', true],
      [`api.sign('u', 42)`, 'ERR_INVALID_ARG_TYPE', true],
      [`api.sign('u', 'web')`, 'ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM', false],
    ]
    for (const [code, expected, isTypeError] of cases) {
      const r = childOutcome(`return ${code}`, env, [MARKER])
      assert.equal(r.error?.code, expected, code)
      assert.equal(r.error.isTypeError, isTypeError, code)
    }
  })

  it('a failed default (both _SECRET and _SECRET_FILE) thrown uncaught shows neither secret on stdout or stderr', () => {
    const fileSecret = `file-${MARKER}-uncaught`
    const env = { MTRIBES_IOS_SECRET: SECRET, MTRIBES_IOS_SECRET_FILE: secretFile(fileSecret) }
    const r = runChild(`api.sign('u', 'ios')`, env, [SECRET, fileSecret, MARKER])
    assert.notEqual(r.status, 0)
    assert.match(r.stderr, /ERR_TRUSTED_IDENTITY_SECRET_SOURCE/)
  })

  it('uncaught errors from a working default (unknown platform, bad id) show no secret', () => {
    for (const [code, expected] of [
      [`api.sign('u', 'web')`, 'ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM'],
      [`api.sign('', 'ios')`, 'ERR_INVALID_ARG_VALUE'],
      [`console.log(api.sign('u', 'ios')); api.sign(1, 'ios')`, 'ERR_INVALID_ARG_TYPE'],
    ]) {
      const r = runChild(code, { MTRIBES_IOS_SECRET: SECRET }, [SECRET, MARKER])
      assert.notEqual(r.status, 0, code)
      assert.match(r.stderr, new RegExp(`code: '${expected}'`), code)
    }
  })

  it('printing the module exports and a default-created instance shows no secret', () => {
    const r = runChild(
      `console.log(api); api.sign('u', 'ios'); console.log(api); console.log(api.TrustedIdentity.fromEnv())
      console.dir(api, { showHidden: true, depth: Infinity })`,
      { MTRIBES_IOS_SECRET: SECRET },
      [SECRET, MARKER],
    )
    assert.equal(r.status, 0, r.stderr)
  })
})
