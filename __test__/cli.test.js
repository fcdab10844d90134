// The mtribes-trusted-identity command line (lib/cli.js). Nearly everything runs in this process:
// main() with fake stdin, stdout and stderr, the secret set in process.env for the call (fromEnv
// reads only process.env), a rejection turned into the message and the exit code by exitCodeOf, as
// the bin does. Covered: sign, verify, --stdin streaming (many lines, CRLF, empty lines, the 1 MiB
// limit however stdin is chunked, a stdin that cannot be read), usage and configuration errors, an
// id argument with U+FFFD (refused everywhere), secrets only from the environment, and no secret on
// any output. A few cases run `node lib/cli.js` as a child: exit codes through a real process, raw
// argument bytes, streaming on a real pipe, EPIPE, stdin a directory, a native module that cannot load.
'use strict'

const { describe, it } = require('./known-differences.js').nodeTest(__filename)
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { PassThrough, Readable } = require('node:stream')
const { spawn, spawnSync } = require('node:child_process')
const { hmac, assertNoLeak, checkError, runNode, tempDir } = require('./helpers.js')
const { childEnv, BUILD_PROBE, assertSameBuild } = require('./helpers.js')

const { main, exitCodeOf, UsageError } = require('../lib/cli.js')
const { loadNativeBinding } = require('../lib/loader.js')

const ROOT = path.join(__dirname, '..')
const CLI = path.join(ROOT, 'lib', 'cli.js')
const NAME = 'mtribes-trusted-identity'
const SECRET = 'cli-Secret-5e1d0b7a'
const ENV = { MTRIBES_IOS_SECRET: SECRET }
const MiB = 1024 * 1024
const ONE_A_LINE = 'put one user id on each line'

/** The signature of `userId` under SECRET, as node:crypto makes it. */
const sig = (userId) => hmac(SECRET, userId)
/** What sign prints for `ids`: one signature a line. */
const signatures = (ids) => ids.map((id) => `${sig(id)}\n`).join('')

/** A stand-in for stdout or stderr: what is written, and a promise of the next write. */
function sink() {
  const waiting = []
  return {
    text: '',
    write(chunk) {
      this.text += chunk
      for (const resolve of waiting.splice(0)) resolve()
      return true
    },
    nextWrite: () => new Promise((resolve) => waiting.push(resolve)),
  }
}

/** `bytes` as a stdin of chunks of `size` bytes. */
function stdinOf(bytes, size = 64 * 1024) {
  const buffer = Buffer.from(bytes)
  const chunks = []
  for (let at = 0; at < buffer.length; at += size) chunks.push(buffer.subarray(at, at + size))
  return Readable.from(chunks)
}

// The MTRIBES_ variables of the secrets, not the runners' own (MTRIBES_TI_*).
const SECRET_VARIABLE = /^MTRIBES_(?!TI_)/

/** Runs `fn` with process.env's secret variables exactly `env`, then puts back the ones before. */
async function withEnv(env, fn) {
  const saved = Object.entries(process.env).filter(([name]) => SECRET_VARIABLE.test(name))
  for (const [name] of saved) delete process.env[name]
  Object.assign(process.env, env)
  try {
    return await fn()
  } finally {
    for (const name of Object.keys(process.env)) if (SECRET_VARIABLE.test(name)) delete process.env[name]
    Object.assign(process.env, Object.fromEntries(saved))
  }
}

/**
 * The CLI run in this process as the bin runs it: main(args) with `env` as its secret variables,
 * `input` (or a `stdin` stream) on stdin, and a rejection written and turned into the exit code
 * by exitCodeOf. Resolves to { status, stdout, stderr, error }; no secret may show in any of them.
 */
async function cli(args, { env = ENV, input, stdin, stdout = sink(), fstat } = {}) {
  const stderr = sink()
  if (stdin === undefined && input !== undefined) stdin = stdinOf(input)
  let status
  let error
  await withEnv(env, async () => {
    try {
      status = await main(args, { stdin: stdin ?? null, stdout, stderr, ...(fstat && { fstat }) })
    } catch (caught) {
      error = caught
      status = exitCodeOf(caught, stderr)
    }
  })
  assertNoLeak(stdout.text, [SECRET], 'stdout')
  assertNoLeak(stderr.text, [SECRET], 'stderr')
  if (error instanceof Error) checkError(error, { secrets: [SECRET] })
  return { status, stdout: stdout.text, stderr: stderr.text, error }
}

// On the WASI build (test:wasi), Node itself warns once on a child's stderr, as the module loads,
// that WASI is experimental: that warning is Node's, not the CLI's.
const WASI_WARNING = new RegExp(
  String.raw`^\(node:\d+\) ExperimentalWarning: WASI is an experimental feature[^\n]*\n` +
    String.raw`(\(Use ${'`'}node --trace-warnings \.\.\.${'`'} to show where the warning was created\)\n)?`,
  'm',
)

/** A child's output without Node's WASI warning, after checking that no secret shows in it. */
function childOutput({ status, stdout, stderr }) {
  assertNoLeak(stdout, [SECRET], 'the child stdout')
  assertNoLeak(stderr, [SECRET], 'the child stderr')
  return { status, stdout, stderr: stderr.replace(WASI_WARNING, '') }
}

/** `node lib/cli.js ...args` (or another copy of cli.js as `script`) as a child, waited for. */
function cliChild(args, { env = ENV, input, script = CLI } = {}) {
  return childOutput(runNode([script, ...args], { env, input, secrets: [SECRET] }))
}

/** `node lib/cli.js ...args` as a child whose stdin, stdout and stderr are pipes this test holds. */
function startChild(args, options = {}) {
  const child = spawn(process.execPath, [CLI, ...args], { env: childEnv(ENV), ...options })
  child.output = { stdout: '', stderr: '' }
  child.stdout?.setEncoding('utf8').on('data', (d) => (child.output.stdout += d))
  child.stderr?.setEncoding('utf8').on('data', (d) => (child.output.stderr += d))
  child.stdin?.on('error', () => {}) // the child may exit before it reads everything
  child.exited = new Promise((resolve) => child.on('close', (status, signal) => resolve({ status, signal })))
  return child
}

/** `promise`, or a failure naming `what` if it has not settled within 10 s (the timer keeps the test alive). */
async function within(promise, what) {
  let timer
  const late = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within 10 s: stdin was buffered?`)), 10_000)
  })
  try {
    return await Promise.race([promise, late])
  } finally {
    clearTimeout(timer)
  }
}

/** Resolves once `text()` holds a newline. */
async function untilLine(text, nextWrite) {
  while (!text().includes('\n')) await nextWrite()
}

/** Exit 0, the signatures of `ids` on stdout (or `stdout`), nothing on stderr. */
function assertSigned(r, ids, stdout = signatures(ids)) {
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout, stdout)
  assert.equal(r.stderr, '')
}

/** A usage or configuration error: exit 2, one line on stderr matching `pattern`, `stdout` written before. */
function assertUsageError(r, pattern, stdout = '') {
  assert.equal(r.status, 2, `exit ${r.status}, stderr: ${r.stderr}`)
  assert.equal(r.stdout, stdout)
  assert.match(r.stderr, /^mtribes-trusted-identity: [^\n]+\n$/)
  assert.match(r.stderr, pattern)
  if (r.error !== undefined) assert.ok(r.error instanceof UsageError, String(r.error))
}

/** verify of a signature that matches: exit 0, "valid" on stdout, nothing on stderr. */
const assertValid = (r) => assertSigned(r, [], 'valid\n')

/** verify of a signature that does not match: exit 1, nothing on stdout, one line on stderr. */
function assertMismatch(r) {
  assert.equal(r.status, 1, r.stderr)
  assert.equal(r.stdout, '')
  assert.equal(r.stderr, `${NAME}: the signature does not match this user id and platform\n`)
}

describe('exit codes through a real process (node lib/cli.js)', () => {
  it('its children load the build this process loads (the WASI build under test:wasi)', () => {
    const r = runNode(['-e', BUILD_PROBE])
    assert.equal(r.status, 0, r.stderr)
    assertSameBuild(JSON.parse(r.stdout).from, 'runNode()')
  })

  const cases = [
    ['sign: the signature, exit 0', ['sign', '--platform', 'ios', 'user-1'], (r) => assertSigned(r, ['user-1'])],
    ['verify, a match: valid, exit 0', ['verify', '-p', 'ios', 'user-1', sig('user-1')], assertValid],
    ['verify, a mismatch: exit 1', ['verify', '-p', 'ios', 'user-2', sig('user-1')], assertMismatch],
    ['a usage error: exit 2, one line', ['sign', '-p', 'ios'], (r) => assertUsageError(r, /sign takes one user id/)],
  ]
  for (const [name, args, check] of cases) {
    it(name, () => check(cliChild(args)))
  }

  // child_process takes strings only: a POSIX shell's printf makes the argument from octal escapes.
  it(
    'verify, an id argument of bytes that are not UTF-8 (0xff): exit 2, never "valid"',
    {
      skip: (process.platform === 'win32' || !fs.existsSync('/bin/sh')) && 'needs /bin/sh',
    },
    () => {
      const script = `exec "$0" "$1" verify -p ios "$(printf '\\377')" ${sig('\uFFFD')}`
      const r = childOutput(
        spawnSync('/bin/sh', ['-c', script, process.execPath, CLI], {
          env: childEnv(ENV),
          encoding: 'utf8',
          timeout: 60_000,
        }),
      )
      assertUsageError(r, /^mtribes-trusted-identity: argument 4 \(the user id\) contains U\+FFFD, .*sign --stdin/)
    },
  )
})

describe('sign --platform <name> <userId> prints the signature', () => {
  const cases = [
    ['an ascii id', ['user-1']],
    ['a unicode id', ['üser-ñ-日本-😀']],
    ['an id with spaces', ['a b  c']],
    ['an id starting with "-", after --', ['--', '-weird-id'], '-weird-id'],
  ]
  for (const [name, args, id = args[0]] of cases) {
    it(`${name}: node:crypto's HMAC, one line, exit 0`, async () => {
      assertSigned(await cli(['sign', '--platform', 'ios', ...args]), [id])
    })
  }

  it('reads the secret from MTRIBES_<PLATFORM>_SECRET_FILE too', async (t) => {
    const file = path.join(tempDir(t), 'android')
    fs.writeFileSync(file, `${SECRET}\n`)
    const env = { MTRIBES_ANDROID_SECRET_FILE: file }
    assertSigned(await cli(['sign', '-p', 'android', 'user-1'], { env }), ['user-1'])
  })
})

describe('verify --platform <name> <userId> <signature>: exit 0 on a match, 1 on a mismatch', () => {
  const cases = [
    ['the signature of that id', 'user-1', sig('user-1'), 0],
    ['the signature in uppercase hex', 'user-1', sig('user-1').toUpperCase(), 0],
    ["another id's signature", 'user-2', sig('user-1'), 1],
    ['a signature made with another secret', 'user-1', hmac('other', 'user-1'), 1],
  ]
  for (const [name, userId, signature, status] of cases) {
    it(`${name}: exit ${status}`, async () => {
      const r = await cli(['verify', '--platform', 'ios', userId, signature])
      if (status === 0) assertValid(r)
      else assertMismatch(r)
    })
  }
})

describe('explain --platform <name> <userId> <signature>: what a wrong signature most likely is', () => {
  const ANDROID = 'cli-Android-9c2e'
  const env = { MTRIBES_IOS_SECRET: SECRET, MTRIBES_ANDROID_SECRET: ANDROID }
  const explain = (userId, signature, options = {}) =>
    cli(['explain', '--platform', options.platform ?? 'ios', userId, signature], { env: options.env ?? env })

  /** exit 1, one explanation on stdout starting with `kind` and matching `pattern`, never the id. */
  function assertExplained(r, kind, pattern, id = 'user-1') {
    assert.equal(r.status, 1, r.stderr)
    assert.equal(r.stderr, '')
    assert.ok(r.stdout.startsWith(`${kind}: `), r.stdout)
    assert.match(r.stdout, pattern)
    assertNoLeak(r.stdout, [ANDROID, id], 'the explanation')
  }

  it('the right signature: exit 0, "valid", the secret named by variable and fingerprint', async () => {
    const r = await explain('user-1', sig('user-1'))
    assert.equal(r.status, 0, r.stderr)
    assert.match(
      r.stdout,
      /^valid: the signature of this user id under the ios secret \(MTRIBES_IOS_SECRET, ti1:[0-9a-f]{16}\)\n$/,
    )
  })

  it("another configured platform's secret: names that platform", async () => {
    assertExplained(
      await explain('user-1', hmac(ANDROID, 'user-1')),
      'wrong platform',
      /under the android secret \(MTRIBES_ANDROID_SECRET, ti1:[0-9a-f]{16}\), not the ios one/,
    )
  })

  const mistakes = [
    ['a line end after the id', 'user-1\n', /with a line end \(\\n\) after it/],
    ['a Windows line end after the id', 'user-1\r\n', /with a Windows line end/],
    ['a space after the id', 'user-1 ', /with a space after it/],
    ['a space before the id', ' user-1', /with a space before it/],
    ['the id in uppercase', 'USER-1', /in uppercase/],
  ]
  for (const [name, signed, pattern] of mistakes) {
    it(`the signature of ${name}: says so`, async () => {
      assertExplained(await explain('user-1', sig(signed)), 'wrong id', pattern)
    })
  }

  it('an id with whitespace that the signer trimmed, and one another case of which was signed', async () => {
    assertExplained(
      await explain(' user-1\t', sig('user-1')),
      'wrong id',
      /without its leading and trailing whitespace/,
      ' user-1\t',
    )
    assertExplained(
      await explain('User@Example.com', sig('user@example.com')),
      'wrong id',
      /in lowercase/,
      'User@Example.com',
    )
  })

  const numbers = [
    [
      'a number past 2^53, which Number rounds',
      '12345678901234567890',
      '12345678901234567000',
      /as a JavaScript number prints it/,
    ],
    ['leading zeros', '00042', '42', /as a JavaScript number prints it|without its leading zeros/],
    ['a float spelling', '42', '42.0', /with \.0 after it/],
    ['an exponent', '1e3', '1000', /as a JavaScript number prints it/],
  ]
  for (const [name, id, signed, pattern] of numbers) {
    it(`a number's other spelling (${name}): says so`, async () => {
      assertExplained(await explain(id, sig(signed)), 'wrong id', pattern, id)
    })
  }

  it("a mistake under another platform's secret: both named", async () => {
    assertExplained(
      await explain('user-1', hmac(ANDROID, 'user-1\n')),
      'wrong id',
      /line end .* under the android secret .*not the ios one/,
    )
  })

  it('none of these: "no match", the platforms checked, and how to compare fingerprints', async () => {
    const r = await explain('user-1', hmac('a-third-secret', 'user-1'))
    assertExplained(r, 'no match', /under any configured secret \(android, ios\)/)
    assert.match(r.stdout, /fingerprint\('ios'\) with ti1:[0-9a-f]{16}/)
  })

  it('a platform with no secret, a malformed signature or no --platform: exit 2', async () => {
    assertUsageError(await explain('user-1', sig('user-1'), { platform: 'roku' }), /MTRIBES_ROKU_SECRET/)
    assertUsageError(await explain('user-1', 'abc'), /64 hex characters/)
    assertUsageError(await cli(['explain', 'user-1', sig('user-1')], { env }), /--platform is required/)
    assertUsageError(await cli(['explain', '-p', 'ios', 'user-1'], { env }), /explain takes a user id and a signature/)
  })
})

describe('fingerprint [--platform <name>]: the same for the same secret in every process, never a signature', () => {
  /** The fingerprint of `secret` as SECURITY.md defines it ("Fingerprints"), on node:crypto. */
  const fingerprintOf = (secret) =>
    `ti1:${crypto.createHmac('sha256', secret).update(Buffer.from('\xffmtribes-trusted-identity key fingerprint v1', 'latin1')).digest('hex').slice(0, 16)}`

  it('--platform ios: its fingerprint, which equals identity.fingerprint in another process', async () => {
    const r = await cli(['fingerprint', '--platform', 'ios'])
    assertSigned(r, [], `${fingerprintOf(SECRET)}\n`)
    const child = runNode(
      [
        '-e',
        `process.stdout.write(new (require(${JSON.stringify(ROOT)}).TrustedIdentity)({ ios: process.env.S }).fingerprint('ios'))`,
      ],
      { env: childEnv({ S: SECRET }) },
    )
    assert.equal(child.status, 0, child.stderr)
    assert.equal(child.stdout, fingerprintOf(SECRET))
    // A real process of the CLI prints the same.
    assert.equal(childOutput(cliChild(['fingerprint', '-p', 'ios'])).stdout, `${fingerprintOf(SECRET)}\n`)
  })

  it('without --platform: one line per configured platform; one secret on two platforms shows as one fingerprint', async () => {
    const env = { MTRIBES_IOS_SECRET: SECRET, MTRIBES_ROKU_SECRET: SECRET, MTRIBES_ANDROID_SECRET: 'cli-other-7' }
    const r = await cli(['fingerprint'], { env })
    const lines = r.stdout.trimEnd().split('\n').sort()
    assert.deepEqual(lines, [
      `android ${fingerprintOf('cli-other-7')}`,
      `ios ${fingerprintOf(SECRET)}`,
      `roku ${fingerprintOf(SECRET)}`,
    ])
  })

  it('is never a signature nor the start of one: not hex, and not what sign prints for any id tried', async () => {
    const fingerprint = (await cli(['fingerprint', '-p', 'ios'])).stdout.trimEnd()
    assert.match(fingerprint, /^ti1:[0-9a-f]{16}$/)
    assert.doesNotMatch(fingerprint, /^[0-9a-f]+$/)
    for (const id of [
      'ti1:',
      fingerprint,
      'mtribes-trusted-identity key fingerprint v1',
      '\uFFFDmtribes-trusted-identity key fingerprint v1',
    ])
      assert.ok(!sig(id).includes(fingerprint.slice(4)), id)
  })

  it('no secret configured, or arguments: exit 2', async () => {
    assertUsageError(await cli(['fingerprint'], { env: {} }), /no secrets found: set MTRIBES_<PLATFORM>_SECRET/)
    assertUsageError(await cli(['fingerprint', 'ios']), /fingerprint takes no arguments/)
  })
})

describe('an id argument containing U+FFFD is refused on every OS; through --stdin it is signed', () => {
  // Node gives argument bytes that are not UTF-8 as U+FFFD: such an argument may not be the id typed.
  const ids = [
    ['at the start', '\uFFFDQx9Kw4'],
    ['in the middle', 'Qx9\uFFFDKw4'],
    ['at the end', 'Qx9Kw4\uFFFD'],
  ]
  const commands = [
    ['sign', (id) => ['sign', '-p', 'ios', id], 4, 'pass it through sign --stdin'],
    ['sign, after -- (counted)', (id) => ['sign', '-p', 'ios', '--', id], 5, 'pass it through sign --stdin'],
    ['verify, its signature', (id) => ['verify', '-p', 'ios', id, sig(id)], 4, 'sign it with sign --stdin and compare'],
  ]
  for (const [where, id] of ids) {
    for (const [command, args, position, hint] of commands) {
      it(`${command}, U+FFFD ${where}: exit 2 naming argument ${position}, the id not echoed`, async () => {
        const r = await cli(args(id))
        assertUsageError(r, new RegExp(`^${NAME}: argument ${position} \\(the user id\\) contains U\\+FFFD, .*${hint}`))
        for (const part of ['\uFFFD', 'Qx9', 'Kw4']) assert.ok(!r.stderr.includes(part), r.stderr)
      })
    }

    it(`the same id through sign --stdin (U+FFFD ${where}): node:crypto's HMAC of it`, async () => {
      const r = await cli(['sign', '-p', 'ios', '--stdin'], { input: `${id}\n` })
      assertSigned(r, [id], `${crypto.createHmac('sha256', SECRET).update(id).digest('hex')}\n`)
    })
  }
})

describe('sign --stdin: one id per line in, one signature per line out', () => {
  it('signs 100,000 lines, each equal to node:crypto', async () => {
    const id = (i) => (i % 7 === 0 ? `ü-${i}-${'x'.repeat(i % 50)}` : crypto.randomUUID())
    const ids = Array.from({ length: 100_000 }, (_, i) => id(i))
    const r = await cli(['sign', '--platform', 'ios', '--stdin'], { input: `${ids.join('\n')}\n` })
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stderr, '')
    const lines = r.stdout.split('\n')
    assert.equal(lines.pop(), '', 'output ends with a newline')
    assert.equal(lines.length, ids.length)
    ids.forEach((id, i) => {
      if (lines[i] !== sig(id)) assert.fail(`line ${i + 1}: ${lines[i]} is not the HMAC of its id`)
    })
  })

  const inputs = [
    ['LF line ends', 'a\nb\nc\n', ['a', 'b', 'c']],
    ['CRLF line ends', 'a\r\nb\r\nc\r\n', ['a', 'b', 'c']],
    ['a last line without a newline', 'a\nb', ['a', 'b']],
    ['a UTF-8 byte order mark before the first line', '\uFEFFa\nb\n', ['a', 'b']],
    ['a carriage return inside an id (kept)', 'a\rb\n', ['a\rb']],
    ['no input at all', '', []],
    ['one empty line at the very end (LF), as editors and echo >> leave: ignored', 'a\n\n', ['a']],
    ['one empty line at the very end (CRLF): ignored', 'a\r\n\r\n', ['a']],
    ['only an empty line: nothing signed, exit 0, as with no input at all', '\n', []],
    ['only an empty CRLF line: nothing signed, exit 0, as with no input at all', '\r\n', []],
    ['a final newline and nothing after it (no empty line)', 'a\n', ['a']],
  ]
  for (const [name, input, ids] of inputs) {
    it(name, async () => {
      assertSigned(await cli(['sign', '-p', 'ios', '--stdin'], { input }), ids)
    })
  }

  const notUtf8 = Buffer.concat([Buffer.from('a\n'), Buffer.from([0xc3, 0x28]), Buffer.from('\n')])
  const refused = [
    ['an empty line', 'a\nb\n\nc\n', 3, 'is empty', ['a', 'b']],
    ['an empty CRLF line', 'a\r\n\r\nc\r\n', 2, 'is empty', ['a']],
    ['an empty first line', '\na\n', 1, 'is empty', []],
    ['two empty lines at the end (the first is not last)', 'a\n\n\n', 2, 'is empty', ['a']],
    ['an empty line, then a last line without a newline', 'a\n\nb', 2, 'is empty', ['a']],
    ['an empty line, then an id', 'a\n\nb\n', 2, 'is empty', ['a']],
    ['only two empty lines', '\n\n', 1, 'is empty', []],
    ['a line that is not UTF-8', notUtf8, 2, 'is not valid UTF-8', ['a']],
    ['a line over 1 MiB', `a\n${'x'.repeat(MiB + 10)}\n`, 2, 'is longer than', ['a']],
  ]
  for (const [name, input, line, what, before] of refused) {
    it(`${name}: exit 2 naming line ${line}, the lines before it signed`, async () => {
      const r = await cli(['sign', '-p', 'ios', '--stdin'], { input })
      assertUsageError(r, new RegExp(`^${NAME}: line ${line} ${what}`), signatures(before))
    })
  }

  // stdin left open: a CLI that waited for its end (buffering) would never answer, and time out.
  const open = [
    ['an empty line is held; a byte after it is refused', 'first\n\n', 'second', /line 2 is empty: put one user id/],
    ['an over-long line is refused before its end', 'first\n', 'x'.repeat(2 * MiB), /line 2 is longer than 1048576 /],
  ]
  for (const [name, input, more, message] of open) {
    it(`${name}, stdin still open (the first line streamed out)`, async (t) => {
      const stdin = new PassThrough()
      t.after(() => stdin.destroy()) // ends a run that still waits for more
      const stdout = sink()
      const run = cli(['sign', '-p', 'ios', '--stdin'], { stdin, stdout })
      stdin.write(input)
      await within(
        untilLine(() => stdout.text, stdout.nextWrite),
        'the first signature',
      )
      assert.equal(stdout.text, signatures(['first']))
      stdin.write(more) // no newline, and stdin is not ended
      assertUsageError(await within(run, 'the refusal'), message, signatures(['first']))
    })
  }

  it('end to end: a signature comes out while a real stdin pipe is still open', async () => {
    const child = startChild(['sign', '-p', 'ios', '--stdin'])
    child.stdin.write('first\n')
    await untilLine(
      () => child.output.stdout,
      () => new Promise((resolve) => child.stdout.once('data', resolve)),
    )
    assert.equal(child.output.stdout, signatures(['first']))
    child.stdin.end('second\n')
    assert.deepEqual(await child.exited, { status: 0, signal: null })
    assertSigned(childOutput({ status: 0, ...child.output }), ['first', 'second'])
  })

  it('end to end: stops quietly with exit 0 when the reader closes stdout early (EPIPE, as | head)', async () => {
    const child = startChild(['sign', '-p', 'ios', '--stdin'])
    child.stdout.once('data', () => child.stdout.destroy())
    const line = `${'y'.repeat(100)}\n`
    for (let i = 0; i < 20_000 && !child.stdin.destroyed; i++) {
      if (child.stdin.write(line.repeat(10))) continue
      await new Promise((resolve) => child.stdin.once('drain', resolve).once('close', resolve))
    }
    child.stdin.end()
    assert.deepEqual(await child.exited, { status: 0, signal: null })
    assert.equal(childOutput({ status: 0, ...child.output }).stderr, '')
  })
})

describe('sign --stdin: the 1 MiB limit counts the id (not its line end or BOM), however stdin is chunked', () => {
  const LIMIT = 'x'.repeat(MiB) // an id of exactly the limit
  const BOM = '\uFEFF'

  // [name, what comes before the long line's id, that id, what follows it, the ids signed, the line refused (0: none)]
  const cases = [
    ['an id of exactly 1 MiB, then CRLF', '', LIMIT, '\r\nb\n', [LIMIT, 'b'], 0],
    ['an id of exactly 1 MiB after a BOM, then CRLF', BOM, LIMIT, '\r\nb\n', [LIMIT, 'b'], 0],
    ['an id of exactly 1 MiB after a BOM, then LF', BOM, LIMIT, '\nb\n', [LIMIT, 'b'], 0],
    ['an id of exactly 1 MiB on line 2, then CRLF', 'a\r\n', LIMIT, '\r\nb\r\n', ['a', LIMIT, 'b'], 0],
    ['an id of exactly 1 MiB as the last line, a CR and no LF', 'a\n', LIMIT, '\r', ['a', LIMIT], 0],
    ['an id of 1 MiB and 1 byte, then CRLF', '', `${LIMIT}y`, '\r\nb\n', [], 1],
    ['an id of 1 MiB and 1 byte after a BOM', BOM, `${LIMIT}y`, '\nb\n', [], 1],
    ['an id of 1 MiB, a CR and a byte (a CR inside an id counts)', 'a\n', `${LIMIT}\ry`, '\n', ['a'], 2],
    [
      'a BOM on line 2 and 1 MiB less 2 bytes (only line 1 skips a BOM)',
      'a\n',
      `${BOM}${LIMIT.slice(2)}`,
      '\n',
      ['a'],
      2,
    ],
  ]
  for (const [name, before, id, after, signed, refused] of cases) {
    const input = Buffer.from(`${before}${id}${after}`)
    const end = Buffer.byteLength(`${before}${id}`) // where the long id ends
    // Two chunks, split at every byte from 4 before the end of the id to 3 after it (through the
    // CR and the LF: the CR and the LF apart too), and at every byte of a first-line BOM; and the
    // input as one chunk.
    const splits = [0]
    for (let at = end - 4; at <= Math.min(end + 3, input.length - 1); at++) splits.push(at)
    if (before === BOM) splits.push(1, 2, 3)
    it(`${name}: ${refused ? `line ${refused} refused` : 'signed'}, however split`, async () => {
      for (const at of splits) {
        const stdin = Readable.from(at === 0 ? [input] : [input.subarray(0, at), input.subarray(at)])
        const r = await cli(['sign', '-p', 'ios', '--stdin'], { stdin })
        const where = `split at byte ${at} of ${input.length}`
        const expected = signatures(signed)
        if (refused) {
          assert.equal(r.stderr, `${NAME}: line ${refused} is longer than ${MiB} bytes: ${ONE_A_LINE}\n`, where)
          assert.equal(r.status, 2, where)
        } else {
          assert.equal(r.stderr, '', where)
          assert.equal(r.status, 0, where)
        }
        assert.ok(r.stdout === expected, `${where}: the signatures written`)
      }
    })
  }
})

describe('sign --stdin from a stdin that cannot be read: exit 2, one line naming stdin and the OS error code', () => {
  const failing = (code, after = []) => {
    const chunks = [...after]
    return new Readable({
      read() {
        if (chunks.length > 0) this.push(Buffer.from(chunks.shift()))
        else this.destroy(Object.assign(new Error(`${code}: failed, read '/secret/place'`), { code }))
      },
    })
  }
  const onFd = (fd) => Object.assign(Readable.from([Buffer.from('a\n')]), { fd })
  const directory = () => ({ isDirectory: () => true })
  const file = () => ({ isDirectory: () => false })
  const badFd = () => {
    throw Object.assign(new Error("EBADF: bad file descriptor, fstat '/secret/place'"), { code: 'EBADF' })
  }
  // [name, stdin, fstat, the code named, the ids signed before]
  const cases = [
    ['a read that fails (EIO)', () => failing('EIO'), file, 'EIO', []],
    ['a read that fails after a line (EIO)', () => failing('EIO', ['a\n']), file, 'EIO', ['a']],
    ['an error without a code', () => failing(undefined), file, 'unknown error', []],
    ['a directory descriptor (Node gives it as an empty stream)', () => onFd(0), directory, 'EISDIR', []],
    ['a descriptor fstat refuses (EBADF)', () => onFd(9), badFd, 'EBADF', []],
  ]
  for (const [name, stdin, fstat, code, before] of cases) {
    it(`${name}: exit 2 naming stdin and ${code}, no path`, async () => {
      const r = await cli(['sign', '-p', 'ios', '--stdin'], { stdin: stdin(), fstat })
      assertUsageError(r, /cannot read stdin/, signatures(before))
      const fix = 'give sign --stdin the user ids from a file or a pipe, one per line'
      assert.equal(r.stderr, `${NAME}: cannot read stdin (${code}): ${fix}\n`)
    })
  }

  it('a stream over a descriptor that is a regular file is read as before', async () => {
    assertSigned(await cli(['sign', '-p', 'ios', '--stdin'], { stdin: onFd(0), fstat: file }), ['a'])
  })

  it(
    'end to end: < a directory (stdin a directory descriptor): exit 2, EISDIR, no path',
    {
      skip: process.platform === 'win32' && 'a directory cannot be opened as a file on Windows',
    },
    async (t) => {
      const dir = tempDir(t, 'ti-cli-stdin-')
      const fd = fs.openSync(dir, 'r')
      t.after(() => fs.closeSync(fd))
      // spawn, not spawnSync: Deno's spawnSync ignores a descriptor given as the child's stdin.
      const child = startChild(['sign', '--platform', 'ios', '--stdin'], { stdio: [fd, 'pipe', 'pipe'] })
      const { status } = await child.exited
      const r = childOutput({ ...child.output, status })
      assertUsageError(r, /^mtribes-trusted-identity: cannot read stdin \(EISDIR\): /)
      assert.ok(!r.stderr.includes(dir) && !r.stderr.includes(os.tmpdir()), r.stderr)
    },
  )
})

describe('usage errors: exit 2 with a one-line message on stderr', () => {
  const cases = [
    ['no arguments', [], /a command is needed/],
    ['an unknown command', ['encrypt', '-p', 'ios', 'u'], /unknown command/],
    ['an unknown option', ['sign', '--colour', '-p', 'ios', 'u'], /unknown option --colour/],
    ['--platform without a value', ['sign', 'u', '--platform'], /needs a value/],
    ['no --platform', ['sign', 'u'], /--platform is required/],
    [
      'an invalid platform name',
      ['sign', '-p', 'IOS', 'u'],
      /--platform is not a valid platform name: platform names are lowercase/,
    ],
    ['sign without a user id', ['sign', '-p', 'ios'], /sign takes one user id/],
    ['sign with two user ids', ['sign', '-p', 'ios', 'a', 'b'], /sign takes one user id/],
    ['sign --stdin with a user id too', ['sign', '-p', 'ios', '--stdin', 'a'], /give none as arguments/],
    ['an empty user id', ['sign', '-p', 'ios', ''], /userId is empty/],
    ['verify without a signature', ['verify', '-p', 'ios', 'u'], /verify takes a user id and a signature/],
    ['verify with a malformed signature', ['verify', '-p', 'ios', 'u', 'abc'], /64 hex characters/],
    ['verify --stdin', ['verify', '-p', 'ios', '--stdin'], /--stdin works with sign only/],
  ]
  for (const [name, args, message] of cases) {
    it(name, async () => assertUsageError(await cli(args), message))
  }
})

describe('secrets are never taken from argv', () => {
  const cases = [
    ['--secret <value>', ['--secret', SECRET]],
    ['--secret=<value>', [`--secret=${SECRET}`]],
    ['--ios-secret=<value>', [`--ios-secret=${SECRET}`]],
    ['--SECRET <value> after the other arguments', ['sign', '-p', 'ios', 'u', '--SECRET', SECRET]],
    ['--key=<value>', [`--key=${SECRET}`]],
  ]
  for (const [name, args] of cases) {
    it(`${name}: exit 2, pointing to the environment, value not echoed`, async () => {
      // cli() itself fails the test if the value shows on stdout or stderr.
      const r = await cli(['sign', '-p', 'ios', 'u', ...args], { env: {} })
      assertUsageError(r, /MTRIBES_<PLATFORM>_SECRET/)
      assert.match(r.stderr, /never taken from the command line/)
    })
  }

  it('a user id that merely contains the word "secret" is signed (after --)', async () => {
    assertSigned(await cli(['sign', '-p', 'ios', '--', '--secret-santa']), ['--secret-santa'])
  })
})

describe('configuration errors: exit 2 naming the variables, never showing a secret', () => {
  const dir = tempDir()
  const file = path.join(dir, 'ios')
  fs.writeFileSync(file, SECRET)
  const cases = [
    ['no secret for the platform', {}, /MTRIBES_IOS_SECRET/],
    ['a secret for another platform only', { MTRIBES_ANDROID_SECRET: SECRET }, /MTRIBES_IOS_SECRET/],
    ['both _SECRET and _SECRET_FILE set', { ...ENV, MTRIBES_IOS_SECRET_FILE: file }, /MTRIBES_IOS_SECRET/],
    [
      'a _SECRET_FILE that does not exist',
      { MTRIBES_IOS_SECRET_FILE: path.join(dir, 'missing') },
      /MTRIBES_IOS_SECRET_FILE/,
    ],
    ['a secret with a trailing space', { MTRIBES_IOS_SECRET: `${SECRET} ` }, /MTRIBES_IOS_SECRET/],
  ]
  const commands = [
    ['sign', ['sign', '-p', 'ios', 'u']],
    ['sign --stdin', ['sign', '-p', 'ios', '--stdin']],
    ['verify', ['verify', '-p', 'ios', 'u', sig('u')]],
  ]
  for (const [name, env, message] of cases) {
    for (const [command, args] of commands) {
      it(`${name} (${command})`, async () => {
        assertUsageError(await cli(args, { env, input: 'u\n' }), message)
      })
    }
  }
})

describe('what a failure of main becomes on stderr (exitCodeOf): one line, exit 2; EPIPE a quiet 0', () => {
  const LOAD = 'ERR_TRUSTED_IDENTITY_NATIVE_LOAD'
  const loadError = Object.assign(new Error('Cannot load it\nTried, in order:\n  - here\n'), { code: LOAD })
  const cases = [
    ['a usage error: its message on one line', new UsageError('two\n  lines'), 2, `${NAME}: two lines\n`],
    [
      'an unexpected error: its code and first line only',
      Object.assign(new Error('boom\nat x'), { code: 'E_X' }),
      2,
      `${NAME}: unexpected error E_X: boom\n`,
    ],
    ['a thrown non-Error', 'a string', 2, `${NAME}: unexpected error: a string\n`],
    [
      'a native module that cannot load: the whole message',
      loadError,
      2,
      `${NAME}: the native module could not be loaded (${LOAD}):\nCannot load it\nTried, in order:\n  - here\n`,
    ],
    ['EPIPE: nothing written, exit 0', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }), 0, ''],
  ]
  for (const [name, error, status, stderr] of cases) {
    it(name, () => {
      const out = sink()
      assert.equal(exitCodeOf(error, out), status)
      assert.equal(out.text, stderr)
    })
  }
})

describe("a native module that cannot load: exit 2, the loader's whole message under one label on stderr", () => {
  const LABEL = 'mtribes-trusted-identity: the native module could not be loaded (ERR_TRUSTED_IDENTITY_NATIVE_LOAD):'
  const VERSION = require('../package.json').version

  /** The message lib/loader.js throws for the package in `dir` with `env`, computed in this process. */
  function loaderMessage(dir, env) {
    let message
    assert.throws(
      () => loadNativeBinding({ dir, env }),
      (error) => {
        assert.equal(error.code, 'ERR_TRUSTED_IDENTITY_NATIVE_LOAD')
        message = error.message
        return true
      },
    )
    return message
  }

  /** Exit 2, nothing on stdout, and on stderr the label then `message`, every line of it. */
  function assertLoadFailure(r, message) {
    assert.equal(r.status, 2, `exit ${r.status}, stderr: ${r.stderr}`)
    assert.equal(r.stdout, '')
    assert.equal(r.stderr, `${LABEL}\n${message}\n`)
    assert.ok(!r.stderr.includes('unexpected error'), r.stderr)
  }

  const commands = [
    ['sign', ['sign', '-p', 'ios', 'u']],
    ['sign --stdin', ['sign', '-p', 'ios', '--stdin']],
    ['verify', ['verify', '-p', 'ios', 'u', sig('u')]],
  ]
  for (const [command, args] of commands) {
    it(`an install without any binary (${command}): every candidate with its cause, and the fix`, (t) => {
      // The JavaScript the package ships, as an install without its optional dependencies has it.
      const dir = tempDir(t, 'ti-cli-load-')
      fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'))
      const shipped = require('../package.json').files.filter((file) => file.endsWith('.js') || file.endsWith('/'))
      for (const file of shipped) fs.cpSync(path.join(ROOT, file), path.join(dir, file), { recursive: true })
      const r = cliChild(args, { script: path.join(dir, 'lib', 'cli.js'), input: 'u\n' })
      const message = loaderMessage(dir, childEnv(ENV)) // the child's environment: test:wasi's NAPI_RS_FORCE_WASI too
      assertLoadFailure(r, message)
      // What that message is made of, line by line: the fix (four lines), then the candidates in
      // order (the WASI ones first under NAPI_RS_FORCE_WASI).
      const lines = r.stderr.split('\n')
      const version = VERSION.replace(/\./g, '\\.')
      assert.match(lines[1], new RegExp(`^Cannot load the native module of ${NAME} ${version} for `))
      assert.match(lines[2], /^Fix: .*--omit=optional/)
      assert.equal(lines[6], 'Tried, in order (each error is in error.causes):')
      const native = [
        /^ {2}- \.\/mtribes-trusted-identity\.[\w-]+\.node \(local build\): not found$/,
        /^ {2}- mtribes-trusted-identity-[\w-]+ \(platform package\): not installed$/,
      ]
      const wasi = [
        `  - ./${NAME}.wasi.cjs (local WASI build): not found`,
        `  - ${NAME}-wasm32-wasi (WASI package): not installed`,
      ]
      const wasiFirst = Boolean(process.env.NAPI_RS_FORCE_WASI) && process.env.NAPI_RS_FORCE_WASI !== '0'
      const tried = wasiFirst ? [...wasi, ...native] : [...native, ...wasi]
      tried.forEach((expected, i) => {
        if (typeof expected === 'string') assert.equal(lines[7 + i], expected)
        else assert.match(lines[7 + i], expected)
      })
      assert.ok(
        lines.some((line) => line.includes(`npm install ${NAME}-`) && line.includes(`@${VERSION}`)),
        r.stderr,
      )
      assert.ok(
        lines.some((line) => line.includes('set NAPI_RS_NATIVE_LIBRARY_PATH')),
        r.stderr,
      )
    })
  }

  it('NAPI_RS_NATIVE_LIBRARY_PATH naming a file that is not a library: that file, its error, the fix', (t) => {
    const file = path.join(tempDir(t, 'ti-cli-load-'), 'not-a-library.node')
    fs.writeFileSync(file, 'this is not a shared library\n')
    const env = { NAPI_RS_NATIVE_LIBRARY_PATH: file }
    const r = cliChild(['sign', '-p', 'ios', 'u'], { env: { ...ENV, ...env } })
    assertLoadFailure(r, loaderMessage(ROOT, env))
    const lines = r.stderr.split('\n')
    const fix =
      /^Fix: NAPI_RS_NATIVE_LIBRARY_PATH is set, so nothing else was tried: point it at a readable .* or unset it\.$/
    assert.match(lines[2], fix)
    assert.equal(lines[3], 'Tried, in order (each error is in error.causes):')
    assert.ok(lines[4].startsWith(`  - ${file} (NAPI_RS_NATIVE_LIBRARY_PATH): `), r.stderr)
  })
})

describe('--help and --version', () => {
  it('--help prints the usage on stdout and exits 0', async () => {
    const r = await cli(['--help'])
    assert.equal(r.status, 0)
    assert.match(r.stdout, /^Usage:/)
    assert.match(r.stdout, /MTRIBES_<PLATFORM>_SECRET_FILE/)
    assert.equal(r.stderr, '')
  })

  it('--version prints the package version', async () => {
    assertSigned(await cli(['--version']), [], `${require('../package.json').version}\n`)
  })
})
