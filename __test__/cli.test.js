// The mtribes-trusted-identity command line (cli.js), run as a child process: sign, verify, --stdin
// streaming (many lines, CRLF, empty lines, EPIPE), usage and configuration errors with exit codes,
// id arguments that are not UTF-8 (raw bytes through a shell; an injected /proc/self/cmdline reader),
// secrets only from the environment, a native module that cannot load (the loader's whole message),
// and no secret on any output.
'use strict'

const { describe, it, before, after } = require('./known-differences.js').nodeTest(__filename)
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawn, spawnSync } = require('node:child_process')
const { childEnv, BUILD_PROBE, assertSameBuild } = require('./fixtures/child-env.js')

const { main, rawArguments, UsageError } = require('../lib/cli.js')
const { loadNativeBinding } = require('../lib/loader.js')

const ROOT = path.join(__dirname, '..')
const CLI = path.join(ROOT, 'lib', 'cli.js')
const SECRET = 'cli-Secret-5e1d0b7a'
const SECRETS = [SECRET, 'Secret-5e1d0b7a', Buffer.from(SECRET).toString('hex'), Buffer.from(SECRET).toString('base64').slice(0, 12)]
const ENV = { MTRIBES_IOS_SECRET: SECRET }

function hmac(userId, secret = SECRET) {
  return crypto.createHmac('sha256', secret).update(userId).digest('hex')
}

/** Runs the CLI (`script`: lib/cli.js here, or in a copy of the package) as a child process. */
function cli(args, { env = ENV, input, inputMayBeCut = false, script = CLI } = {}) {
  const r = spawnSync(process.execPath, [script, ...args], {
    env: childEnv(env),
    input,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 60_000,
  })
  // EPIPE: the child stopped reading stdin before the end, which a refused input may do.
  if (!(inputMayBeCut && r.error?.code === 'EPIPE')) assert.equal(r.error, undefined, `spawn failed: ${r.error}`)
  return withoutSecrets(r)
}

/**
 * `r` with its stderr as the CLI wrote it (see cliStderr), after checking that neither it nor
 * stdout shows a secret.
 */
function withoutSecrets(r) {
  for (const s of SECRETS) {
    assert.ok(!r.stdout.includes(s), `stdout reveals the secret: ${r.stdout.slice(0, 300)}`)
    assert.ok(!r.stderr.includes(s), `stderr reveals the secret: ${r.stderr}`)
  }
  return { ...r, stderr: cliStderr(r.stderr) }
}

// On the WASI build (test:wasi), Node itself warns once on stderr, as the module loads, that WASI
// is experimental: that warning is Node's, not the CLI's.
const WASI_WARNING = /^\(node:\d+\) ExperimentalWarning: WASI is an experimental feature[^\n]*\n(\(Use `node --trace-warnings \.\.\.` to show where the warning was created\)\n)?/m

/** A child's stderr without Node's WASI warning. */
function cliStderr(text) {
  return text.replace(WASI_WARNING, '')
}

/**
 * Runs the CLI with arguments given as raw bytes (Buffers; strings are UTF-8): child_process takes
 * strings only, so a POSIX shell's printf makes each argument from octal escapes.
 */
function cliBytes(args, { env = ENV } = {}) {
  const octal = (bytes) => [...bytes].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('')
  const made = args.map((arg) => {
    const bytes = Buffer.from(arg)
    assert.ok(!bytes.includes(0x0a) && !bytes.includes(0), 'a shell cannot pass NUL, and $(...) drops final newlines')
    return `"$(printf '${octal(bytes)}')"`
  })
  const r = spawnSync('/bin/sh', ['-c', `exec "$0" "$1" ${made.join(' ')}`, process.execPath, CLI], {
    env: childEnv(env),
    encoding: 'utf8',
    timeout: 60_000,
  })
  assert.equal(r.error, undefined, `spawn failed: ${r.error}`)
  return withoutSecrets(r)
}

/** A usage or configuration error: exit 2, nothing on stdout, one line on stderr. */
function assertUsageError(r, pattern) {
  assert.equal(r.status, 2, `exit ${r.status}, stderr: ${r.stderr}`)
  assert.equal(r.stdout, '')
  assert.match(r.stderr, /^mtribes-trusted-identity: [^\n]+\n$/)
  if (pattern) assert.match(r.stderr, pattern)
}

describe('the CLI tests\' children', () => {
  it('its children load the build this process loads (the WASI build under test:wasi)', () => {
    const r = cli([BUILD_PROBE], { script: '-e' })
    assert.equal(r.status, 0, r.stderr)
    assertSameBuild(JSON.parse(r.stdout).from, 'cli()')
  })
})

describe('sign --platform <name> <userId> prints the signature', () => {
  const cases = [
    ['an ascii id', ['user-1']],
    ['a unicode id', ['üser-ñ-日本-😀']],
    ['an id with spaces', ['a b  c']],
    ['an id starting with "-", after --', ['--', '-weird-id'], '-weird-id'],
  ]
  for (const [name, args, id = args[0]] of cases) {
    it(`${name}: node:crypto's HMAC, one line, exit 0`, () => {
      const r = cli(['sign', '--platform', 'ios', ...args])
      assert.equal(r.status, 0, r.stderr)
      assert.equal(r.stdout, `${hmac(id)}\n`)
      assert.equal(r.stderr, '')
    })
  }

  it('reads the secret from MTRIBES_<PLATFORM>_SECRET_FILE too', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-cli-'))
    const file = path.join(dir, 'android')
    fs.writeFileSync(file, `${SECRET}\n`)
    const r = cli(['sign', '-p', 'android', 'user-1'], { env: { MTRIBES_ANDROID_SECRET_FILE: file } })
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stdout, `${hmac('user-1')}\n`)
  })
})

describe('verify --platform <name> <userId> <signature>: exit 0 on a match, 1 on a mismatch', () => {
  const cases = [
    ['the signature of that id', 'user-1', hmac('user-1'), 0],
    ['the signature in uppercase hex', 'user-1', hmac('user-1').toUpperCase(), 0],
    ["another id's signature", 'user-2', hmac('user-1'), 1],
    ['a signature made with another secret', 'user-1', hmac('user-1', 'other'), 1],
  ]
  for (const [name, userId, signature, status] of cases) {
    it(`${name}: exit ${status}`, () => {
      const r = cli(['verify', '--platform', 'ios', userId, signature])
      assert.equal(r.status, status, r.stderr)
      if (status === 0) {
        assert.equal(r.stdout, 'valid\n')
        assert.equal(r.stderr, '')
      } else {
        assert.equal(r.stdout, '')
        assert.match(r.stderr, /^mtribes-trusted-identity: the signature does not match[^\n]*\n$/)
      }
    })
  }
})

describe('sign --stdin: one id per line in, one signature per line out', () => {
  it('signs 100,000 lines, each equal to node:crypto', () => {
    const ids = Array.from({ length: 100_000 }, (_, i) => (i % 7 === 0 ? `ü-${i}-${'x'.repeat(i % 50)}` : crypto.randomUUID()))
    const r = cli(['sign', '--platform', 'ios', '--stdin'], { input: `${ids.join('\n')}\n` })
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stderr, '')
    const lines = r.stdout.split('\n')
    assert.equal(lines.pop(), '', 'output ends with a newline')
    assert.equal(lines.length, ids.length)
    ids.forEach((id, i) => {
      if (lines[i] !== hmac(id)) assert.fail(`line ${i + 1}: ${lines[i]} is not the HMAC of its id`)
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
    it(`${name}`, () => {
      const r = cli(['sign', '-p', 'ios', '--stdin'], { input })
      assert.equal(r.status, 0, r.stderr)
      assert.equal(r.stdout, ids.map((id) => `${hmac(id)}\n`).join(''))
      assert.equal(r.stderr, '')
    })
  }

  const refused = [
    ['an empty line', 'a\nb\n\nc\n', /line 3 is empty/, ['a', 'b']],
    ['an empty CRLF line', 'a\r\n\r\nc\r\n', /line 2 is empty/, ['a']],
    ['an empty first line', '\na\n', /line 1 is empty/, []],
    ['two empty lines at the end (the first is not the last line)', 'a\n\n\n', /line 2 is empty/, ['a']],
    ['an empty line, then a last line without a newline', 'a\n\nb', /line 2 is empty/, ['a']],
    ['an empty line, then an id', 'a\n\nb\n', /line 2 is empty/, ['a']],
    ['only two empty lines', '\n\n', /line 1 is empty/, []],
    ['a line that is not UTF-8', Buffer.concat([Buffer.from('a\n'), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]), /line 2 is not valid UTF-8/, ['a']],
    ['a line over 1 MiB', `a\n${'x'.repeat(1024 * 1024 + 10)}\n`, /line 2 is longer than/, ['a']],
  ]
  for (const [name, input, message, before] of refused) {
    it(`${name}: exit 2 naming the line; the lines before it were signed`, () => {
      const r = cli(['sign', '-p', 'ios', '--stdin'], { input, inputMayBeCut: true })
      assert.equal(r.status, 2, r.stderr)
      assert.match(r.stderr, /^mtribes-trusted-identity: [^\n]+\n$/)
      assert.match(r.stderr, message)
      assert.equal(r.stdout, before.map((id) => `${hmac(id)}\n`).join(''))
    })
  }

  it('streams: a signature comes out while stdin is still open', async () => {
    const child = spawn(process.execPath, [CLI, 'sign', '-p', 'ios', '--stdin'], { env: childEnv(ENV) })
    child.stdin.write('first\n')
    let out = ''
    for await (const chunk of child.stdout) {
      out += chunk
      if (out.includes('\n')) break
    }
    assert.equal(out, `${hmac('first')}\n`)
    const exit = new Promise((resolve) => child.on('close', resolve))
    child.stdin.end('second\n')
    assert.equal(await exit, 0)
  })

  it('an empty line is held, not buffered: what comes before it streams out, and a byte after it stops the run while stdin is still open', async () => {
    const child = spawn(process.execPath, [CLI, 'sign', '-p', 'ios', '--stdin'], { env: childEnv(ENV) })
    child.stdin.on('error', () => {}) // the child exits without reading everything
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d))
    // 'exit' and the end of stderr rather than 'close', which Deno holds back while stdin is open.
    const exit = new Promise((resolve) => child.on('exit', resolve))
    const stderrEnd = new Promise((resolve) => child.stderr.on('end', resolve))
    child.stdin.write('first\n\n')
    let out = ''
    for await (const chunk of child.stdout) {
      out += chunk
      if (out.includes('\n')) break
    }
    assert.equal(out, `${hmac('first')}\n`)
    child.stdin.write('second') // no newline, and stdin is not ended
    assert.equal(await exit, 2)
    await stderrEnd
    assert.match(cliStderr(stderr), /^mtribes-trusted-identity: line 2 is empty: put one user id on each line[^\n]*\n$/)
  })

  it('refuses an over-long line while stdin is still open (it is not buffered until the end)', async () => {
    const child = spawn(process.execPath, [CLI, 'sign', '-p', 'ios', '--stdin'], { env: childEnv(ENV) })
    child.stdin.on('error', () => {}) // the child exits without reading everything
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d))
    const exit = new Promise((resolve) => child.on('close', resolve))
    child.stdin.write(`a\n${'x'.repeat(2 * 1024 * 1024)}`) // no newline, and stdin is not ended
    assert.equal(await exit, 2)
    assert.equal(stdout, `${hmac('a')}\n`)
    assert.match(cliStderr(stderr), /^mtribes-trusted-identity: line 2 is longer than 1048576 bytes[^\n]*\n$/)
  })

  it('stops quietly with exit 0 when the reader closes stdout early (EPIPE, as with | head)', async () => {
    const child = spawn(process.execPath, [CLI, 'sign', '-p', 'ios', '--stdin'], {
      env: childEnv(ENV),
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d))
    child.stdin.on('error', () => {}) // the child may exit before it reads everything
    const exit = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })))
    child.stdout.once('data', () => child.stdout.destroy())
    const line = `${'y'.repeat(100)}\n`
    for (let i = 0; i < 20_000 && !child.stdin.destroyed; i++) {
      if (!child.stdin.write(line.repeat(10))) await new Promise((resolve) => child.stdin.once('drain', resolve).once('close', resolve))
    }
    child.stdin.end()
    assert.deepEqual(await exit, { code: 0, signal: null })
    assert.equal(cliStderr(stderr), '')
  })
})

describe('sign --stdin: the 1 MiB limit counts the id, not its line end or BOM, wherever the chunks of stdin end', () => {
  const { Readable } = require('node:stream')
  const MAX = 1024 * 1024
  const LIMIT = 'x'.repeat(MAX) // an id of exactly the limit
  const BOM = '\uFEFF'
  before(() => {
    process.env.MTRIBES_IOS_SECRET = SECRET // main() signs in this process
  })
  after(() => {
    delete process.env.MTRIBES_IOS_SECRET
  })

  /** Runs main(sign --stdin) on `chunks` (Buffers); resolves to { code, stdout, error }. */
  async function signChunks(chunks) {
    const stdout = sink()
    const stderr = sink()
    try {
      const code = await main(['sign', '-p', 'ios', '--stdin'], { stdin: Readable.from(chunks), stdout, stderr })
      return { code, stdout: stdout.text, error: undefined }
    } catch (error) {
      return { code: undefined, stdout: stdout.text, error }
    }
  }

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
    ['a BOM on line 2 and 1 MiB less 2 bytes (only the first line has a BOM to skip)', 'a\n', `${BOM}${LIMIT.slice(2)}`, '\n', ['a'], 2],
  ]
  for (const [name, before, id, after, signed, refused] of cases) {
    const input = Buffer.from(`${before}${id}${after}`)
    const end = Buffer.byteLength(`${before}${id}`) // where the long id ends
    // Two chunks, split at every byte from 4 before the end of the id to 3 after it (through the
    // CR and the LF), and at every byte of a first-line BOM; and the input as one chunk.
    const splits = [0]
    for (let at = end - 4; at <= Math.min(end + 3, input.length - 1); at++) splits.push(at)
    if (before === BOM) splits.push(1, 2, 3)
    it(`${name}: ${refused ? `line ${refused} refused` : 'signed'}, however the input is split around the limit and the line end`, async () => {
      const expected = signed.map((line) => `${hmac(line)}\n`).join('')
      for (const at of splits) {
        const got = await signChunks(at === 0 ? [input] : [input.subarray(0, at), input.subarray(at)])
        const where = `split at byte ${at} of ${input.length}`
        if (refused) {
          assert.ok(got.error instanceof UsageError, `${where}: ${got.error ?? `exit ${got.code}`}`)
          assert.equal(got.error.message, `line ${refused} is longer than ${MAX} bytes: put one user id on each line`, where)
        } else {
          assert.equal(got.error, undefined, `${where}: ${got.error?.message}`)
          assert.equal(got.code, 0, where)
        }
        assert.ok(got.stdout === expected, `${where}: the signatures written`)
      }
    })
  }

  it('end to end: an id of exactly 1 MiB whose CR and LF reach the CLI apart is signed', async () => {
    const child = spawn(process.execPath, [CLI, 'sign', '-p', 'ios', '--stdin'], { env: childEnv(ENV) })
    child.stdin.on('error', () => {}) // a CLI that refuses the line exits before the rest is written
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d))
    const exit = new Promise((resolve) => child.on('close', resolve))
    child.stdin.write(`${LIMIT}\r`)
    // The LF comes later, once the CLI has read up to the CR (or refused it and exited).
    await Promise.race([exit, new Promise((resolve) => setTimeout(resolve, 1000))])
    child.stdin.end('\nb\n')
    assert.equal(await exit, 0, stderr)
    withoutSecrets({ stdout, stderr })
    assert.equal(stdout, `${hmac(LIMIT)}\n${hmac('b')}\n`)
  })
})

describe('sign --stdin from a stdin that cannot be read: exit 2, one line naming stdin and the OS error code', () => {
  const { Readable } = require('node:stream')
  before(() => {
    process.env.MTRIBES_IOS_SECRET = SECRET // main() signs in this process
  })
  after(() => {
    delete process.env.MTRIBES_IOS_SECRET
  })
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
  // [name, stdin, fstat, the code named, the ids signed before]
  const cases = [
    ['a read that fails (EIO)', failing('EIO'), file, 'EIO', []],
    ['a read that fails after a line (EIO)', failing('EIO', ['a\n']), file, 'EIO', ['a']],
    ['an error without a code', failing(undefined), file, 'unknown error', []],
    ['a descriptor that is a directory (Node gives it as an empty stream)', onFd(0), directory, 'EISDIR', []],
    ['a descriptor fstat refuses (EBADF)', onFd(9), () => { throw Object.assign(new Error("EBADF: bad file descriptor, fstat '/secret/place'"), { code: 'EBADF' }) }, 'EBADF', []],
  ]
  for (const [name, stdin, fstat, code, before] of cases) {
    it(`${name}: a usage error naming stdin and ${code}`, async () => {
      const stdout = sink()
      await assert.rejects(main(['sign', '-p', 'ios', '--stdin'], { stdin, stdout, stderr: sink(), fstat }), (error) => {
        assert.ok(error instanceof UsageError, String(error))
        assert.equal(error.message, `cannot read stdin (${code}): give sign --stdin the user ids from a file or a pipe, one per line`)
        return true
      })
      assert.equal(stdout.text, before.map((id) => `${hmac(id)}\n`).join(''))
    })
  }

  it('a stream over a descriptor that is a regular file is read as before', async () => {
    const stdout = sink()
    assert.equal(await main(['sign', '-p', 'ios', '--stdin'], { stdin: onFd(0), stdout, stderr: sink(), fstat: file }), 0)
    assert.equal(stdout.text, `${hmac('a')}\n`)
  })

  it('end to end: < a directory (stdin a directory descriptor): exit 2, EISDIR, no path', { skip: process.platform === 'win32' && 'a directory cannot be opened as a file on Windows' }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-cli-stdin-'))
    const fd = fs.openSync(dir, 'r')
    try {
      // spawn, not spawnSync: Deno's spawnSync ignores a descriptor given as the child's stdin.
      const child = spawn(process.execPath, [CLI, 'sign', '--platform', 'ios', '--stdin'], { env: childEnv(ENV), stdio: [fd, 'pipe', 'pipe'] })
      const r = { stdout: '', stderr: '' }
      child.stdout.setEncoding('utf8').on('data', (d) => (r.stdout += d))
      child.stderr.setEncoding('utf8').on('data', (d) => (r.stderr += d))
      r.status = await new Promise((resolve) => child.on('close', resolve))
      assertUsageError(withoutSecrets(r), /^mtribes-trusted-identity: cannot read stdin \(EISDIR\): /)
      assert.ok(!r.stderr.includes(dir) && !r.stderr.includes(os.tmpdir()), r.stderr)
    } finally {
      fs.closeSync(fd)
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('usage errors: exit 2 with a one-line message on stderr', () => {
  const cases = [
    ['no arguments', [], /a command is needed/],
    ['an unknown command', ['encrypt', '-p', 'ios', 'u'], /unknown command/],
    ['an unknown option', ['sign', '--colour', '-p', 'ios', 'u'], /unknown option --colour/],
    ['--platform without a value', ['sign', 'u', '--platform'], /needs a value/],
    ['no --platform', ['sign', 'u'], /--platform is required/],
    ['an invalid platform name', ['sign', '-p', 'IOS', 'u'], /--platform is not a valid platform name: platform names are lowercase/],
    ['sign without a user id', ['sign', '-p', 'ios'], /sign takes one user id/],
    ['sign with two user ids', ['sign', '-p', 'ios', 'a', 'b'], /sign takes one user id/],
    ['sign --stdin with a user id too', ['sign', '-p', 'ios', '--stdin', 'a'], /give none as arguments/],
    ['an empty user id', ['sign', '-p', 'ios', ''], /userId is empty/],
    ['verify without a signature', ['verify', '-p', 'ios', 'u'], /verify takes a user id and a signature/],
    ['verify with a malformed signature', ['verify', '-p', 'ios', 'u', 'abc'], /64 hex characters/],
    ['verify --stdin', ['verify', '-p', 'ios', '--stdin'], /--stdin works with sign only/],
  ]
  for (const [name, args, message] of cases) {
    it(name, () => assertUsageError(cli(args), message))
  }
})

// Node decodes argument bytes that are not UTF-8 as U+FFFD, which would sign the id "\uFFFD" instead.
const PROC_CMDLINE = fs.existsSync('/proc/self/cmdline')
const SHELL = process.platform !== 'win32' && fs.existsSync('/bin/sh')
const FF = Buffer.from([0xff])
const NOT_UTF8_IDS = [
  ['a 0xff byte', FF],
  ['a truncated sequence inside an id (a C3 ( b)', Buffer.from([0x61, 0xc3, 0x28, 0x62])],
  ['an encoded surrogate (ED A0 80)', Buffer.from([0xed, 0xa0, 0x80])],
  ['an overlong encoding (C0 AF)', Buffer.from([0xc0, 0xaf])],
]

describe('an id argument that is not UTF-8: exit 2 naming its position, nothing on stdout (Linux, bytes from /proc/self/cmdline)', {
  skip: !(PROC_CMDLINE && SHELL) && 'needs /proc/self/cmdline and /bin/sh',
}, () => {
  for (const [name, id] of NOT_UTF8_IDS) {
    it(`sign, ${name}`, () => {
      const r = cliBytes(['sign', '--platform', 'ios', id])
      assertUsageError(r, /^mtribes-trusted-identity: argument 4 \(the user id\) is not valid UTF-8: user ids must be UTF-8 text; .*sign --stdin/)
      assert.ok(!r.stderr.includes('\uFFFD'), r.stderr)
    })
  }

  it('sign, after --: the position counts the --', () => {
    assertUsageError(cliBytes(['sign', '-p', 'ios', '--', FF]), /argument 5 \(the user id\) is not valid UTF-8/)
  })

  it('verify, with the signature of "\\uFFFD" (what the bytes used to be taken as): exit 2, never "valid"', () => {
    const r = cliBytes(['verify', '-p', 'ios', FF, hmac('\uFFFD')])
    assertUsageError(r, /^mtribes-trusted-identity: argument 4 \(the user id\) is not valid UTF-8: .*sign --stdin/)
  })

  it('a real U+FFFD (the UTF-8 bytes EF BF BD) is signed like node:crypto', () => {
    const r = cliBytes(['sign', '-p', 'ios', Buffer.from('a\uFFFDb')])
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stdout, `${hmac('a\uFFFDb')}\n`)
    assert.equal(r.stderr, '')
  })

  it('verify of a real U+FFFD with its signature: valid', () => {
    const r = cliBytes(['verify', '-p', 'ios', Buffer.from('\uFFFD'), hmac('\uFFFD')])
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stdout, 'valid\n')
  })
})

describe('an id argument that is not UTF-8, where /proc/self/cmdline does not exist (macOS): refused as U+FFFD', {
  skip: (PROC_CMDLINE || !SHELL) && 'for POSIX systems without /proc/self/cmdline',
}, () => {
  it('sign, a 0xff byte: exit 2, saying to use sign --stdin', () => {
    assertUsageError(cliBytes(['sign', '-p', 'ios', FF]), /argument 4 \(the user id\) contains U\+FFFD, .*sign --stdin/)
  })
})

/** A stand-in for fs.readFileSync where /proc/self/cmdline does not exist. */
function noProc() {
  throw Object.assign(new Error("ENOENT: no such file or directory, open '/proc/self/cmdline'"), { code: 'ENOENT' })
}

/** A stand-in for fs.readFileSync returning a /proc/self/cmdline of `node cli.js ...args`. */
function procWith(args) {
  return () => Buffer.concat(['node', CLI, ...args].map((arg) => Buffer.concat([Buffer.from(arg), Buffer.from([0])])))
}

/** Collects what is written, as stdout and stderr. */
function sink() {
  return { text: '', write(chunk) { this.text += chunk; return true } }
}

describe('without the raw bytes of the arguments (an injected reader), an id containing U+FFFD is refused', () => {
  const unavailable = [
    ['/proc/self/cmdline cannot be read', noProc],
    ['its entries do not decode to the arguments (never trusted)', procWith(['sign', '-p', 'ios', 'other'])],
    ['it has fewer entries than there are arguments', () => Buffer.from('node\0')],
  ]
  const ids = [
    ['sign, U+FFFD alone', ['sign', '--platform', 'ios', '\uFFFD'], 4],
    ['sign, U+FFFD inside an id', ['sign', '-p', 'ios', 'a\uFFFDb'], 4],
    ['sign, after --', ['sign', '-p', 'ios', '--', '\uFFFD'], 5],
    ['verify', ['verify', '-p', 'ios', '\uFFFD', hmac('\uFFFD')], 4],
  ]
  for (const [why, readFile] of unavailable) {
    for (const [name, args, position] of ids) {
      it(`${why}: ${name} -> a usage error naming argument ${position}, nothing written`, async () => {
        const stdout = sink()
        const stderr = sink()
        await assert.rejects(main(args, { stdin: null, stdout, stderr, readFile }), (error) => {
          assert.ok(error instanceof UsageError)
          assert.match(error.message, new RegExp(`^argument ${position} \\(the user id\\) contains U\\+FFFD, which on this system cannot be told apart from bytes that are not UTF-8; .*sign --stdin`))
          return true
        })
        assert.equal(stdout.text, '')
        assert.equal(stderr.text, '')
      })
    }
  }

  /** Runs main in a child process (its secret from the environment) with an injected reader. */
  function mainInChild(args, cmdline) {
    const ascii = (text) => text.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    const code = `const { main } = require(${JSON.stringify(CLI)})
      const cmdline = ${cmdline ? `Buffer.from('${cmdline().toString('hex')}', 'hex')` : 'null'}
      const readFile = () => { if (cmdline) return cmdline; throw Object.assign(new Error('no /proc'), { code: 'ENOENT' }) }
      main(${ascii(JSON.stringify(args))}, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, readFile })
        .then((code) => { process.exitCode = code })`
    const r = spawnSync(process.execPath, ['-e', code], { env: childEnv(ENV), encoding: 'utf8', timeout: 60_000 })
    assert.equal(r.error, undefined, `spawn failed: ${r.error}`)
    return withoutSecrets(r)
  }

  it('an id without U+FFFD is signed when /proc/self/cmdline cannot be read', () => {
    const r = mainInChild(['sign', '-p', 'ios', 'üser-1'], null)
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stdout, `${hmac('üser-1')}\n`)
  })

  it('a U+FFFD whose bytes the reader gives as EF BF BD is signed', () => {
    const args = ['sign', '-p', 'ios', '\uFFFD']
    const r = mainInChild(args, procWith(args))
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stdout, `${hmac('\uFFFD')}\n`)
  })
})

describe('rawArguments(args, readFile): the bytes of the arguments, or null when unknown', () => {
  const cases = [
    ['the last args.length entries of /proc/self/cmdline', ['a', 'ü'], procWith(['a', 'ü']), [Buffer.from('a'), Buffer.from('ü')]],
    ['bytes that are not UTF-8, when they decode to the argument', ['\uFFFD'], () => Buffer.from([0x6e, 0, 0xff, 0]), [FF]],
    ['an empty argument', ['', 'x'], procWith(['', 'x']), [Buffer.alloc(0), Buffer.from('x')]],
    ['no arguments', [], procWith([]), []],
    ['the file cannot be read', ['a'], noProc, null],
    ['an entry that does not decode to its argument', ['a', 'b'], procWith(['a', 'c']), null],
    ['fewer entries than arguments', ['a', 'b', 'c'], () => Buffer.from('b\0c\0'), null],
    ['a last entry without its NUL (not counted)', ['a', 'b'], () => Buffer.from('node\0a\0b'), null],
  ]
  for (const [name, args, readFile, expected] of cases) {
    it(name, () => {
      const raw = rawArguments(args, readFile)
      assert.deepEqual(raw && raw.map((bytes) => Buffer.from(bytes)), expected)
    })
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
    it(`${name}: exit 2, telling to use the environment variable, without echoing the value`, () => {
      // cli() itself fails the test if the value shows on stdout or stderr.
      const r = cli(['sign', '-p', 'ios', 'u', ...args], { env: {} })
      assertUsageError(r, /MTRIBES_<PLATFORM>_SECRET/)
      assert.match(r.stderr, /never taken from the command line/)
    })
  }

  it('a user id that merely contains the word "secret" is signed (after --)', () => {
    const r = cli(['sign', '-p', 'ios', '--', '--secret-santa'])
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stdout, `${hmac('--secret-santa')}\n`)
  })
})

describe('configuration errors: exit 2 naming the variables, never showing a secret', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-cli-'))
  const file = path.join(dir, 'ios')
  fs.writeFileSync(file, SECRET)
  const cases = [
    ['no secret for the platform', {}, /MTRIBES_IOS_SECRET/],
    ['a secret for another platform only', { MTRIBES_ANDROID_SECRET: SECRET }, /MTRIBES_IOS_SECRET/],
    ['both _SECRET and _SECRET_FILE set', { MTRIBES_IOS_SECRET: SECRET, MTRIBES_IOS_SECRET_FILE: file }, /MTRIBES_IOS_SECRET/],
    ['a _SECRET_FILE that does not exist', { MTRIBES_IOS_SECRET_FILE: path.join(dir, 'missing') }, /MTRIBES_IOS_SECRET_FILE/],
    ['a secret with a trailing space', { MTRIBES_IOS_SECRET: `${SECRET} ` }, /MTRIBES_IOS_SECRET/],
  ]
  for (const [name, env, message] of cases) {
    for (const args of [
      ['sign', '-p', 'ios', 'u'],
      ['sign', '-p', 'ios', '--stdin'],
      ['verify', '-p', 'ios', 'u', hmac('u')],
    ]) {
      it(`${name} (${args[0]}${args.includes('--stdin') ? ' --stdin' : ''})`, () => {
        assertUsageError(cli(args, { env, input: 'u\n' }), message)
      })
    }
  }
})

describe('a native module that cannot load: exit 2, the loader\'s whole message under one label on stderr', () => {
  const LABEL = 'mtribes-trusted-identity: the native module could not be loaded (ERR_TRUSTED_IDENTITY_NATIVE_LOAD):'
  const NAME = 'mtribes-trusted-identity'
  const VERSION = require('../package.json').version
  let tmp
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-cli-load-'))
  })
  after(() => {
    fs.rmSync(tmp, { recursive: true, force: true })
  })

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

  for (const args of [
    ['sign', '-p', 'ios', 'u'],
    ['sign', '-p', 'ios', '--stdin'],
    ['verify', '-p', 'ios', 'u', hmac('u')],
  ]) {
    it(`an install without any binary (${args[0]}${args.includes('--stdin') ? ' --stdin' : ''}): every candidate with its cause, and the fix`, () => {
      // The JavaScript the package ships, as an install without its optional dependencies has it.
      const dir = fs.mkdtempSync(path.join(tmp, 'pkg-'))
      fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'))
      const shipped = require('../package.json').files.filter((file) => file.endsWith('.js') || file.endsWith('/'))
      for (const file of shipped) fs.cpSync(path.join(ROOT, file), path.join(dir, file), { recursive: true })
      const r = cli(args, { script: path.join(dir, 'lib', 'cli.js'), input: 'u\n' })
      const message = loaderMessage(dir, childEnv(ENV)) // the child's environment: test:wasi's NAPI_RS_FORCE_WASI too
      assertLoadFailure(r, message)
      // What that message is made of, line by line: the candidates in order (the WASI ones first
      // under NAPI_RS_FORCE_WASI), then the fix.
      const lines = r.stderr.split('\n')
      assert.match(lines[1], new RegExp(`^Cannot load the native module of ${NAME} ${VERSION.replace(/\./g, '\\.')} for `))
      assert.equal(lines[2], 'Tried, in order:')
      const native = [/^ {2}- \.\/mtribes-trusted-identity\.[\w-]+\.node \(local build\): not found$/, /^ {2}- mtribes-trusted-identity-[\w-]+ \(platform package\): not installed$/]
      const wasi = [`  - ./${NAME}.wasi.cjs (local WASI build): not found`, `  - ${NAME}-wasm32-wasi (WASI package): not installed`]
      const wasiFirst = Boolean(process.env.NAPI_RS_FORCE_WASI) && process.env.NAPI_RS_FORCE_WASI !== '0'
      const tried = wasiFirst ? [...wasi, ...native] : [...native, ...wasi]
      tried.forEach((expected, i) => (typeof expected === 'string' ? assert.equal : assert.match)(lines[3 + i], expected))
      assert.match(lines[7], /^Fix: .*--omit=optional/)
      assert.ok(lines.some((line) => line.includes(`npm install ${NAME}-`) && line.includes(`@${VERSION}`)), r.stderr)
      assert.ok(lines.some((line) => line.includes('set NAPI_RS_NATIVE_LIBRARY_PATH')), r.stderr)
    })
  }

  it('NAPI_RS_NATIVE_LIBRARY_PATH naming a file that is not a library: that file, its load error, and the fix about the variable', () => {
    const file = path.join(tmp, 'not-a-library.node')
    fs.writeFileSync(file, 'this is not a shared library\n')
    const env = { NAPI_RS_NATIVE_LIBRARY_PATH: file }
    const r = cli(['sign', '-p', 'ios', 'u'], { env: { ...ENV, ...env } })
    assertLoadFailure(r, loaderMessage(ROOT, env))
    const lines = r.stderr.split('\n')
    assert.equal(lines[2], 'Tried, in order:')
    assert.ok(lines[3].startsWith(`  - ${file} (NAPI_RS_NATIVE_LIBRARY_PATH): `), r.stderr)
    assert.match(lines[4], /^Fix: NAPI_RS_NATIVE_LIBRARY_PATH is set, so nothing else was tried: point it at a readable .* or unset it\.$/)
  })
})

describe('--help and --version', () => {
  it('--help prints the usage on stdout and exits 0', () => {
    const r = cli(['--help'])
    assert.equal(r.status, 0)
    assert.match(r.stdout, /^Usage:/)
    assert.match(r.stdout, /MTRIBES_<PLATFORM>_SECRET_FILE/)
    assert.equal(r.stderr, '')
  })

  it('--version prints the package version', () => {
    const r = cli(['--version'])
    assert.equal(r.status, 0)
    assert.equal(r.stdout, `${require('../package.json').version}\n`)
  })
})
