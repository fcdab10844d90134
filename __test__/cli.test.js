// The mtribes-trusted-identity command line (cli.js), run as a child process: sign, verify, --stdin
// streaming (many lines, CRLF, empty lines, EPIPE), usage and configuration errors with exit codes,
// secrets only from the environment, and no secret on any output.
'use strict'

const { describe, it } = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawn, spawnSync } = require('node:child_process')

const CLI = path.join(__dirname, '..', 'cli.js')
const SECRET = 'cli-Secret-5e1d0b7a'
const SECRETS = [SECRET, 'Secret-5e1d0b7a', Buffer.from(SECRET).toString('hex'), Buffer.from(SECRET).toString('base64').slice(0, 12)]
const ENV = { MTRIBES_IOS_SECRET: SECRET }

function hmac(userId, secret = SECRET) {
  return crypto.createHmac('sha256', secret).update(userId).digest('hex')
}

function cli(args, { env = ENV, input, inputMayBeCut = false } = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH, ...env },
    input,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 60_000,
  })
  // EPIPE: the child stopped reading stdin before the end, which a refused input may do.
  if (!(inputMayBeCut && r.error?.code === 'EPIPE')) assert.equal(r.error, undefined, `spawn failed: ${r.error}`)
  for (const s of SECRETS) {
    assert.ok(!r.stdout.includes(s), `stdout reveals the secret: ${r.stdout.slice(0, 300)}`)
    assert.ok(!r.stderr.includes(s), `stderr reveals the secret: ${r.stderr}`)
  }
  return r
}

/** A usage or configuration error: exit 2, nothing on stdout, one line on stderr. */
function assertUsageError(r, pattern) {
  assert.equal(r.status, 2, `exit ${r.status}, stderr: ${r.stderr}`)
  assert.equal(r.stdout, '')
  assert.match(r.stderr, /^mtribes-trusted-identity: [^\n]+\n$/)
  if (pattern) assert.match(r.stderr, pattern)
}

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
  ]
  for (const [name, input, ids] of inputs) {
    it(`${name}`, () => {
      const r = cli(['sign', '-p', 'ios', '--stdin'], { input })
      assert.equal(r.status, 0, r.stderr)
      assert.equal(r.stdout, ids.map((id) => `${hmac(id)}\n`).join(''))
    })
  }

  const refused = [
    ['an empty line', 'a\nb\n\nc\n', /line 3 is empty/, ['a', 'b']],
    ['an empty CRLF line', 'a\r\n\r\nc\r\n', /line 2 is empty/, ['a']],
    ['an empty first line', '\na\n', /line 1 is empty/, []],
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
    const child = spawn(process.execPath, [CLI, 'sign', '-p', 'ios', '--stdin'], { env: { PATH: process.env.PATH, ...ENV } })
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

  it('refuses an over-long line while stdin is still open (it is not buffered until the end)', async () => {
    const child = spawn(process.execPath, [CLI, 'sign', '-p', 'ios', '--stdin'], { env: { PATH: process.env.PATH, ...ENV } })
    child.stdin.on('error', () => {}) // the child exits without reading everything
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d))
    const exit = new Promise((resolve) => child.on('close', resolve))
    child.stdin.write(`a\n${'x'.repeat(2 * 1024 * 1024)}`) // no newline, and stdin is not ended
    assert.equal(await exit, 2)
    assert.equal(stdout, `${hmac('a')}\n`)
    assert.match(stderr, /^mtribes-trusted-identity: line 2 is longer than 1048576 bytes[^\n]*\n$/)
  })

  it('stops quietly with exit 0 when the reader closes stdout early (EPIPE, as with | head)', async () => {
    const child = spawn(process.execPath, [CLI, 'sign', '-p', 'ios', '--stdin'], {
      env: { PATH: process.env.PATH, ...ENV },
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
    assert.equal(stderr, '')
  })
})

describe('usage errors: exit 2 with a one-line message on stderr', () => {
  const cases = [
    ['no arguments', [], /a command is needed/],
    ['an unknown command', ['encrypt', '-p', 'ios', 'u'], /unknown command/],
    ['an unknown option', ['sign', '--colour', '-p', 'ios', 'u'], /unknown option --colour/],
    ['--platform without a value', ['sign', 'u', '--platform'], /needs a value/],
    ['no --platform', ['sign', 'u'], /--platform is required/],
    ['an invalid platform name', ['sign', '-p', 'IOS', 'u'], /--platform must be lowercase/],
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
