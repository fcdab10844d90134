#!/usr/bin/env node
// Command line for mtribes-trusted-identity (`bin`: mtribes-trusted-identity): sign or verify user
// ids with the secrets from MTRIBES_<PLATFORM>_SECRET[_FILE] (never from argv), one id or a stream
// of ids on stdin for backfills (an empty line is refused, but for one at the very end); explain a
// signature that does not match; print the fingerprints of the secrets. Ids must
// be UTF-8: an id argument containing U+FFFD is refused on every OS (Node gives argument bytes that
// are not UTF-8 as U+FFFD); --stdin checks each line's bytes. Exit codes: 0 ok, 1 verify or explain
// mismatch, 2 usage or configuration error (a native module that cannot load included: its whole
// message, the candidates tried and the fix, goes to stderr).
'use strict'

const fs = require('node:fs')
const { parseArgs } = require('node:util')
const { codes, outputClosedError, UsageError } = require('./errors.js')
const { isPlatformName, PLATFORM_NAME_RULE } = require('./validation.js')

const NAME = 'mtribes-trusted-identity'
const EXIT_OK = 0
const EXIT_MISMATCH = 1
const EXIT_USAGE = 2
/** The code of the one error lib/loader.js throws when no candidate loads. */
const NATIVE_LOAD = codes.ERR_TRUSTED_IDENTITY_NATIVE_LOAD.code
/** A longer stdin line is refused rather than buffered without end (no user id is this long). */
const MAX_LINE_BYTES = 1024 * 1024
const SIGNATURE = /^[0-9a-fA-F]{64}$/

const USAGE = `Usage:
  ${NAME} sign --platform <name> <userId>       print the signature of one user id
  ${NAME} sign --platform <name> --stdin        read one user id per line, print one signature per line
  ${NAME} verify --platform <name> <userId> <signature>
                                                exit 0 if the signature matches, 1 if not
  ${NAME} explain --platform <name> <userId> <signature>
                                                exit 0 if it matches; if not, exit 1 and say what
                                                it is most likely the signature of
  ${NAME} fingerprint [--platform <name>]       print the fingerprint of each secret (or of one),
                                                to compare what two servers hold
  ${NAME} --help | --version

With --stdin, lines end in LF or CRLF; an empty line stops with exit 2 naming it, except one empty
line at the very end of the input, which is ignored. An id argument containing U+FFFD is refused
(argument bytes that are not UTF-8 reach the CLI as U+FFFD): give such an id through --stdin.

Secrets come only from the environment: MTRIBES_<PLATFORM>_SECRET (the secret) or
MTRIBES_<PLATFORM>_SECRET_FILE (a file holding it), such as MTRIBES_IOS_SECRET for --platform ios.

Without --platform, explain and fingerprint use every platform configured in the environment.
A fingerprint (ti1: and 16 hex digits) is the same for the same secret everywhere and tells
nothing about it; identity.fingerprint(platform) gives the same in the server.

Exit codes: 0 ok, 1 signature does not match (verify, explain), 2 usage or configuration error
(such as a missing secret, or a native module that cannot load: the message says how to fix it).
`

/** Refuses anything that looks like a secret passed as an option, without echoing its value. */
function refuseSecretOptions(args) {
  for (const arg of args) {
    if (arg === '--') return
    if (/^-{1,2}[^=]*(secret|key|password)/i.test(arg)) {
      throw new UsageError(
        'secrets are never taken from the command line (they would show in the process list and shell history); ' +
          'set MTRIBES_<PLATFORM>_SECRET or MTRIBES_<PLATFORM>_SECRET_FILE instead',
      )
    }
  }
}

/**
 * Refuses a user id argument containing U+FFFD, naming its position (never its content): Node
 * decodes argument bytes that are not UTF-8 as U+FFFD, so such an argument may not be the id that
 * was typed, and signing it would sign another id. The same on every OS; `sign --stdin` checks each
 * line's own bytes, so it takes a real U+FFFD.
 */
function checkIdArgument(id, index, command) {
  if (!id.includes('\uFFFD')) return
  const viaStdin =
    command === 'sign' ? 'pass it through sign --stdin' : 'sign it with sign --stdin and compare the signatures'
  throw new UsageError(
    `argument ${index + 1} (the user id) contains U+FFFD, which is also what Node makes of argument bytes ` +
      `that are not UTF-8, so it is refused; ${viaStdin}, which checks each line's bytes`,
  )
}

function parse(args) {
  refuseSecretOptions(args)
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      tokens: true,
      options: {
        platform: { type: 'string', short: 'p' },
        stdin: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    })
  } catch (error) {
    // parseArgs' messages quote the option; print its name only, never a value after '='.
    const option = /'(-{1,2}[A-Za-z0-9][\w-]*)/.exec(String(error.message))?.[1]
    const what =
      error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
        ? `unknown option ${option ?? ''}`
        : error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE'
          ? `option ${option ?? ''} needs a value`
          : 'invalid arguments'
    throw new UsageError(`${what.trim()}; run ${NAME} --help`)
  }
}

/** Throws unless `platform` (the --platform option) is given and a valid platform name. */
function checkPlatformOption(platform) {
  if (platform === undefined || platform === '') {
    throw new UsageError(`--platform is required, such as --platform ios; run ${NAME} --help`)
  }
  if (!isPlatformName(platform)) {
    throw new UsageError(`--platform is not a valid platform name: ${PLATFORM_NAME_RULE}`)
  }
}

function loadIdentity(platform) {
  checkPlatformOption(platform)
  const { TrustedIdentity } = require('../index.js')
  try {
    return TrustedIdentity.fromEnv({ platforms: [platform] })
  } catch (error) {
    throw new UsageError(String(error.message))
  }
}

/** A TrustedIdentity of every platform configured in the environment (explain, fingerprint). */
function loadEveryPlatform() {
  const { TrustedIdentity } = require('../index.js')
  try {
    return TrustedIdentity.fromEnv()
  } catch (error) {
    throw new UsageError(String(error.message))
  }
}

/**
 * The ids a signer may have signed instead of `userId`, each with what to call it: the mistakes
 * users of HMAC identity schemes report most (whitespace from a file or a form, another case, a
 * number spelled another way). Never the id itself in a label: the output names the change only.
 */
function variantsOf(userId) {
  const variants = []
  const add = (id, what) => {
    if (id !== userId && id !== '' && !variants.some((variant) => variant.id === id)) variants.push({ id, what })
  }
  add(userId.trim(), 'the user id without its leading and trailing whitespace')
  add(`${userId}\n`, 'the user id with a line end (\\n) after it, as read from a file or a line of input')
  add(`${userId}\r\n`, 'the user id with a Windows line end (\\r\\n) after it')
  add(`${userId} `, 'the user id with a space after it')
  add(` ${userId}`, 'the user id with a space before it')
  add(userId.toLowerCase(), 'the user id in lowercase')
  add(userId.toUpperCase(), 'the user id in uppercase')
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(userId.trim())) {
    const number = Number(userId)
    if (Number.isFinite(number)) {
      add(
        String(number),
        'the user id as a JavaScript number prints it (String(Number(id)): precision, exponent, zeros)',
      )
    }
    add(userId.replace(/^([+-]?)0+(?=\d)/, '$1'), 'the user id without its leading zeros')
    if (/^[+-]?\d+$/.test(userId)) add(`${userId}.0`, 'the user id with .0 after it (a float)')
    add(userId.replace(/\.0+$/, ''), 'the user id without its trailing .0')
  }
  return variants
}

/**
 * What `signature` most likely is, for `explain`: `{ valid: true }`, or the first of: the
 * signature of `userId` under another configured platform's secret; of one of its variants
 * (variantsOf) under `platform`'s secret, then under another's; or none of these.
 */
function explainSignature(identity, userId, platform, signature) {
  if (identity.verify(userId, platform, signature)) return { valid: true }
  const others = identity.platforms.filter((other) => other !== platform)
  for (const other of others) {
    if (identity.verify(userId, other, signature)) return { valid: false, platform: other, variant: undefined }
  }
  for (const variant of variantsOf(userId)) {
    for (const candidate of [platform, ...others]) {
      if (identity.verify(variant.id, candidate, signature)) return { valid: false, platform: candidate, variant }
    }
  }
  return { valid: false, platform: undefined, variant: undefined }
}

/** The lines `explain` prints for `explained` (explainSignature's answer); never a secret or an id. */
function explanation(identity, platform, explained) {
  const secretOf = (name) => `the ${name} secret (MTRIBES_${name.toUpperCase()}_SECRET, ${identity.fingerprint(name)})`
  if (explained.valid) return `valid: the signature of this user id under ${secretOf(platform)}\n`
  const { platform: signer, variant } = explained
  if (signer === undefined) {
    const checked = identity.platforms.join(', ')
    return (
      `no match: not the signature of this user id, nor of it with whitespace, in another case or as another ` +
      `spelling of a number, under any configured secret (${checked}).\n` +
      `Most likely the server that signed it holds another ${platform} secret: compare its ` +
      `identity.fingerprint('${platform}') with ${identity.fingerprint(platform)} (${NAME} fingerprint here).\n`
    )
  }
  const under = signer === platform ? secretOf(platform) : `${secretOf(signer)}, not the ${platform} one`
  if (variant === undefined) {
    return (
      `wrong platform: the signature of this user id under ${under}.\n` +
      `The server signed with another platform's secret, or the client passed the wrong platform.\n`
    )
  }
  return (
    `wrong id: the signature of ${variant.what}, under ${under}.\n` +
    `Sign the id exactly as the client passes it to session.start.\n`
  )
}

/** Signs with `identity`, turning a refused id (empty, lone surrogate) into a usage error. */
function signOne(identity, userId, platform) {
  try {
    return identity.sign(userId, platform)
  } catch (error) {
    if (error.code === codes.ERR_INVALID_ARG_VALUE.code) throw new UsageError(String(error.message))
    throw error
  }
}

/** Resolves once `stream` may take more; rejects if it fails first (EPIPE and the like). */
function drained(stream) {
  return new Promise((resolve, reject) => {
    const done = (error) => {
      stream.off('drain', done)
      stream.off('error', done)
      stream.off('close', closed)
      if (error) reject(error)
      else resolve()
    }
    const closed = () => done(outputClosedError())
    stream.on('drain', done)
    stream.on('error', done)
    stream.on('close', closed)
  })
}

function tooLong(lineNumber) {
  return new UsageError(`line ${lineNumber} is longer than ${MAX_LINE_BYTES} bytes: put one user id on each line`)
}

function emptyLine(lineNumber) {
  return new UsageError(
    `line ${lineNumber} is empty: put one user id on each line (only one empty line at the very end is ignored)`,
  )
}

/** The error for a stdin that cannot be read: the OS error code only, never a path or a value. */
function unreadableStdin(error) {
  const code = typeof error?.code === 'string' && /^E[A-Z0-9]+$/.test(error.code) ? error.code : 'unknown error'
  return new UsageError(
    `cannot read stdin (${code}): give sign --stdin the user ids from a file or a pipe, one per line`,
  )
}

/**
 * Checks, before reading it, that `stdin` can be read. A stream over a file descriptor
 * (process.stdin has `fd`) is looked at with `fstat`: for one it cannot read as a stream (a
 * directory, as in `< /tmp`) Node gives an empty stream, which would sign nothing and exit 0.
 */
function checkStdin(stdin, fstat) {
  if (typeof stdin?.fd !== 'number') return
  let stats
  try {
    stats = fstat(stdin.fd)
  } catch (error) {
    throw unreadableStdin(error)
  }
  if (stats.isDirectory()) throw unreadableStdin({ code: 'EISDIR' })
}

/** The chunks of `input`; an error reading it becomes the usage error naming stdin and its code. */
async function* chunksOf(input) {
  try {
    for await (const chunk of input) yield chunk
  } catch (error) {
    throw unreadableStdin(error)
  }
}

/** Whether `bytes` starts with the UTF-8 byte order mark (EF BB BF). */
function hasBom(bytes) {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf
}

/**
 * How many bytes of line `lineNumber`'s id an unfinished line already holds: not a last CR (the
 * CRLF may be cut between the two), nor the first line's BOM; so the limit is the id's, wherever
 * the chunks of stdin happen to end.
 */
function idLength(pending, lineNumber) {
  let length = pending.length
  if (length > 0 && pending[length - 1] === 0x0d) length--
  if (lineNumber === 1 && hasBom(pending)) length -= 3
  return length
}

/**
 * Streams stdin to stdout: one user id per line (LF or CRLF; a final line without a newline
 * counts), one signature per line. Each chunk is signed and written before the next is read, so
 * memory stays bounded whatever the input size. An empty, over-long (the id over MAX_LINE_BYTES,
 * its line end and the first line's BOM not counted) or non-UTF-8 line stops with a usage error
 * naming the line number; the lines before it have been written; so does a stdin that cannot be
 * read (naming its error code). The one exception:
 * an empty line at the very end of the input (what editors and `echo >>` leave) is ignored. Only
 * the end of stdin tells it is the last, so an empty line is held (its number only, nothing is
 * buffered) and refused as soon as any byte follows it: "a\n\n" signs a, "a\n\n\n" and
 * "a\n\nb" stop at line 2. Input that is only an empty line signs nothing, as empty input does.
 */
async function signStream(identity, platform, input, output) {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
  let pending = Buffer.alloc(0)
  let lineNumber = 0
  let emptyAt = 0 // the number of an empty line nothing has followed yet, 0 if none

  /** The id on a line, or null for an empty line (held in emptyAt). */
  const toId = (bytes) => {
    if (emptyAt !== 0) throw emptyLine(emptyAt) // a line follows the empty one: it was not the last
    lineNumber++
    let end = bytes.length
    if (end > 0 && bytes[end - 1] === 0x0d) end--
    let start = 0
    if (lineNumber === 1 && hasBom(bytes)) start = 3
    if (end <= start) {
      emptyAt = lineNumber
      return null
    }
    if (end - start > MAX_LINE_BYTES) throw tooLong(lineNumber)
    try {
      return decoder.decode(bytes.subarray(start, end))
    } catch {
      throw new UsageError(`line ${lineNumber} is not valid UTF-8: user ids must be UTF-8 text`)
    }
  }

  const write = async (ids) => {
    if (ids.length === 0) return
    if (!output.write(`${identity.signMany(ids, platform).join('\n')}\n`)) await drained(output)
  }

  for await (const chunk of chunksOf(input)) {
    const data = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
    const ids = []
    let start = 0
    let newline
    try {
      while ((newline = data.indexOf(0x0a, start)) !== -1) {
        const id = toId(data.subarray(start, newline))
        if (id !== null) ids.push(id)
        start = newline + 1
      }
      pending = data.subarray(start)
      if (pending.length > 0 && emptyAt !== 0) throw emptyLine(emptyAt) // more input follows it
      if (idLength(pending, lineNumber + 1) > MAX_LINE_BYTES) throw tooLong(lineNumber + 1)
    } catch (error) {
      await write(ids)
      throw error
    }
    await write(ids)
  }
  if (pending.length > 0) {
    const id = toId(pending)
    if (id !== null) await write([id])
  }
}

/**
 * Runs the command in `args` (process.argv.slice(2)) and resolves to its exit code, or rejects
 * (see exitCodeOf). `fstat` looks at stdin's descriptor (see checkStdin); tests pass a stand-in.
 */
async function main(args, { stdin, stdout, stderr, fstat = fs.fstatSync }) {
  const { values, tokens } = parse(args)
  // Each positional with its index in args, so a refused id is named by its position.
  const positionals = tokens.filter((token) => token.kind === 'positional')
  const idArgument = (position) => {
    const { value, index } = positionals[position]
    checkIdArgument(value, index, positionals[0].value)
    return value
  }
  if (values.help) {
    stdout.write(USAGE)
    return EXIT_OK
  }
  if (values.version) {
    stdout.write(`${require('../package.json').version}\n`)
    return EXIT_OK
  }
  const [command, ...rest] = positionals.map((token) => token.value)
  if (command === 'sign') {
    if (values.stdin) {
      if (rest.length > 0) throw new UsageError('sign --stdin reads the user ids from stdin; give none as arguments')
      const identity = loadIdentity(values.platform)
      checkStdin(stdin, fstat)
      await signStream(identity, values.platform, stdin, stdout)
      return EXIT_OK
    }
    if (rest.length !== 1) throw new UsageError(`sign takes one user id (or --stdin for many); run ${NAME} --help`)
    const userId = idArgument(1)
    const identity = loadIdentity(values.platform)
    stdout.write(`${signOne(identity, userId, values.platform)}\n`)
    return EXIT_OK
  }
  if (command === 'verify') {
    if (values.stdin) throw new UsageError('--stdin works with sign only')
    if (rest.length !== 2) throw new UsageError(`verify takes a user id and a signature; run ${NAME} --help`)
    const userId = idArgument(1)
    const signature = rest[1]
    if (!SIGNATURE.test(signature)) throw new UsageError('the signature must be 64 hex characters, as sign prints')
    const identity = loadIdentity(values.platform)
    signOne(identity, userId, values.platform) // the same checks of the id as sign
    if (identity.verify(userId, values.platform, signature)) {
      stdout.write('valid\n')
      return EXIT_OK
    }
    stderr.write(`${NAME}: the signature does not match this user id and platform\n`)
    return EXIT_MISMATCH
  }
  if (command === 'explain') {
    if (values.stdin) throw new UsageError('--stdin works with sign only')
    if (rest.length !== 2) throw new UsageError(`explain takes a user id and a signature; run ${NAME} --help`)
    const userId = idArgument(1)
    const signature = rest[1]
    if (!SIGNATURE.test(signature)) throw new UsageError('the signature must be 64 hex characters, as sign prints')
    checkPlatformOption(values.platform)
    const identity = loadEveryPlatform()
    if (!identity.platforms.includes(values.platform)) loadIdentity(values.platform) // its own error
    signOne(identity, userId, values.platform) // the same checks of the id as sign
    const explained = explainSignature(identity, userId, values.platform, signature)
    stdout.write(explanation(identity, values.platform, explained))
    return explained.valid ? EXIT_OK : EXIT_MISMATCH
  }
  if (command === 'fingerprint') {
    if (values.stdin) throw new UsageError('--stdin works with sign only')
    if (rest.length !== 0) throw new UsageError(`fingerprint takes no arguments but --platform; run ${NAME} --help`)
    if (values.platform !== undefined) {
      const identity = loadIdentity(values.platform)
      stdout.write(`${identity.fingerprint(values.platform)}\n`)
      return EXIT_OK
    }
    const identity = loadEveryPlatform()
    for (const platform of identity.platforms) stdout.write(`${platform} ${identity.fingerprint(platform)}\n`)
    return EXIT_OK
  }
  throw new UsageError(
    command === undefined
      ? `a command is needed; run ${NAME} --help`
      : `unknown command; the commands are sign, verify, explain and fingerprint; run ${NAME} --help`,
  )
}

/**
 * What a rejection of main becomes: the message on `stderr` (one line, never a value; for a native
 * module that cannot load, the loader's whole message) and the exit code returned. EPIPE (the
 * reader of stdout went away) is a quiet 0.
 */
function exitCodeOf(error, stderr) {
  if (error?.code === 'EPIPE') return EXIT_OK
  if (error instanceof UsageError) {
    stderr.write(`${NAME}: ${error.message.replace(/\s*\n\s*/g, ' ')}\n`)
    return EXIT_USAGE
  }
  if (error?.code === NATIVE_LOAD) {
    // A configuration error of the install: the loader's whole message (the candidates tried,
    // each with its cause, and the fix) is what the user needs; it holds no secret and no id.
    const message = String(error.message).trimEnd()
    stderr.write(`${NAME}: the native module could not be loaded (${NATIVE_LOAD}):\n${message}\n`)
    return EXIT_USAGE
  }
  // Unexpected: still one line, and only the code and message of our own errors (never a value).
  const code = error?.code ? ` ${error.code}` : ''
  stderr.write(`${NAME}: unexpected error${code}: ${String(error?.message ?? error).split('\n')[0]}\n`)
  return EXIT_USAGE
}

function run() {
  const { stdin, stdout, stderr } = process
  // The reader of our output went away (`| head`): stop quietly, as other command line tools do.
  stdout.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(EXIT_OK)
    stderr.write(`${NAME}: cannot write output (${error.code ?? 'error'})\n`)
    process.exit(EXIT_USAGE)
  })
  main(process.argv.slice(2), { stdin, stdout, stderr }).then(
    (code) => {
      process.exitCode = code
    },
    (error) => {
      if (error?.code === 'EPIPE') process.exit(EXIT_OK)
      process.exitCode = exitCodeOf(error, stderr)
    },
  )
}

if (require.main === module) run()

module.exports = Object.freeze({ main, exitCodeOf, signStream, UsageError: Object.freeze(UsageError) })
