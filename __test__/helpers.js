// Shared by every test file: the reference signature (the vendor's node:crypto snippet), the one
// leak check, the one error check, child processes that run on the build under test, temp dirs.
'use strict'

const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawnSync } = require('node:child_process')
const { childEnv, runnerEnv, RUNNER_VARIABLE, BUILD_PROBE, assertSameBuild } = require('./fixtures/child-env.js')

/** The signature the vendor's snippet gives: `createHmac('sha256', secret).update(userId).digest('hex')`. */
function hmac(secret, userId) {
  return crypto.createHmac('sha256', secret).update(userId).digest('hex')
}

/**
 * The forms in which a leaked secret would show in text: itself, its UTF-8 hex and base64 (a
 * base64 prefix, which does not depend on what follows it).
 * @param {string | Uint8Array} secret
 */
function leakForms(secret) {
  const bytes = Buffer.from(secret)
  const forms = [
    bytes.toString(),
    bytes.toString('hex'),
    bytes.toString('base64').slice(0, Math.floor(bytes.length / 3) * 4),
  ]
  return forms.filter((form) => form.length >= 4)
}

/**
 * Asserts that `text` (a message, a stack, a child's output, a response body) holds none of `secrets`
 * in any of their leak forms.
 * @param {unknown} text
 * @param {Iterable<string | Uint8Array>} secrets
 * @param {string} [where] what `text` is, for the failure message
 */
function assertNoLeak(text, secrets, where = 'the text') {
  const haystack = String(text)
  for (const secret of secrets) {
    for (const form of leakForms(secret)) {
      assert.ok(!haystack.includes(form), `a secret leaked into ${where}`)
    }
  }
}

/**
 * Checks an error against what the docs promise: its class (`name` or a constructor as `type`;
 * `notType`, a class it must not be),
 * `code`, the substrings its message must (`includes`) and must not (`excludes`) hold, and that no
 * secret of `secrets` shows in its message or stack. Returns the error.
 * @param {unknown} error
 * @param {{ type?: Function, notType?: Function, name?: string, code?: string, includes?: string[], excludes?: string[],
 *   message?: RegExp, secrets?: Iterable<string | Uint8Array> }} expected
 */
function checkError(error, expected) {
  // Own properties only: a test under a polluted Object.prototype must not check what it holds.
  const option = (key, otherwise) =>
    Object.hasOwn(expected, key) && expected[key] !== undefined ? expected[key] : otherwise
  const [type, notType, name, code, message] = ['type', 'notType', 'name', 'code', 'message'].map((key) => option(key))
  const [includes, excludes, secrets] = ['includes', 'excludes', 'secrets'].map((key) => option(key, []))
  assert.ok(error instanceof Error, `expected an Error, got ${typeof error}`)
  assert.equal(typeof error.message, 'string')
  if (type !== undefined)
    assert.ok(error instanceof type, `expected a ${type.name}, got a ${error.name}: ${error.message}`)
  if (notType !== undefined) assert.ok(!(error instanceof notType), `expected no ${notType.name}: ${error.message}`)
  if (name !== undefined) assert.equal(error.name, name, error.message)
  if (code !== undefined) assert.equal(error.code, code, `wrong code; message: ${error.message}`)
  if (message !== undefined) assert.match(error.message, message)
  for (const part of includes)
    assert.ok(error.message.includes(part), `message lacks ${JSON.stringify(part)}: ${error.message}`)
  for (const part of excludes)
    assert.ok(!error.message.includes(part), `message holds ${JSON.stringify(part)}: ${error.message}`)
  assertNoLeak(error.message, secrets, 'the message')
  assertNoLeak(error.stack, secrets, 'the stack')
  return error
}

/** Calls `fn`, asserts that it throws, and checks the error (see checkError). Returns the error. */
function expectError(fn, expected) {
  let result
  try {
    result = fn()
  } catch (error) {
    return checkError(error, expected)
  }
  assert.fail(`expected a throw${expected.code ? ` with code ${expected.code}` : ''}, got ${typeof result}`)
}

/** Awaits `promise` (or calls `fn` and awaits it), asserts that it rejects, checks the error. */
async function expectRejection(promiseOrFn, expected) {
  let result
  try {
    result = await (typeof promiseOrFn === 'function' ? promiseOrFn() : promiseOrFn)
  } catch (error) {
    return checkError(error, expected)
  }
  assert.fail(`expected a rejection${expected.code ? ` with code ${expected.code}` : ''}, got ${typeof result}`)
}

/**
 * Runs `node ...args` as a child on the build this process tests (childEnv: the runners' variables
 * such as NAPI_RS_FORCE_WASI, PATH, and `env`), waits for it, and returns spawnSync's result with
 * stdout and stderr as text. A child that could not start, or timed out, fails the test.
 * @param {string[]} args node's arguments, such as ['-e', code] or [file, '--flag']
 * @param {{ env?: Record<string, string | undefined>, input?: string | Buffer, cwd?: string,
 *   timeout?: number, maxBuffer?: number, execPath?: string, secrets?: Iterable<string | Uint8Array> }} [options]
 *   `secrets`: none of them may show in stdout or stderr
 */
function runNode(args, options = {}) {
  const { env, input, cwd, timeout = 60_000, maxBuffer, execPath = process.execPath, secrets = [] } = options
  const result = spawnSync(execPath, args, { env: childEnv(env), input, cwd, timeout, maxBuffer, encoding: 'utf8' })
  assert.equal(result.error, undefined, `the child did not run: ${result.error}`)
  assertNoLeak(result.stdout, secrets, 'the child stdout')
  assertNoLeak(result.stderr, secrets, 'the child stderr')
  return result
}

/**
 * Runs `node -e code` (see runNode), asserts that it exited 0, and returns its stdout parsed as
 * JSON (the child writes its result as one JSON document).
 */
function childJson(code, options) {
  const result = runNode(['-e', code], options)
  assert.equal(result.status, 0, result.stderr)
  return JSON.parse(result.stdout)
}

/**
 * A new empty directory, removed when test context `t` (or the process, given none) ends. Removal
 * is best effort: Windows cannot delete a native module the process still has loaded (EPERM).
 */
let symlinkProbe
/**
 * Why this system cannot do what Kubernetes does to a Secret volume (a symlink to a folder, renamed
 * over another one) or what `npm link` does (a junction), or false if it can. Wine cannot: its
 * symlink calls fail (ENOTSUP) or leave nothing to rename (ENOENT). For `{ skip }`.
 */
function symlinksUnsupported() {
  if (symlinkProbe !== undefined) return symlinkProbe
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mti-symlink-probe-'))
  try {
    fs.mkdirSync(path.join(dir, 'a'))
    fs.symlinkSync('a', path.join(dir, 'link'), 'junction')
    fs.symlinkSync('a', path.join(dir, 'next'), 'dir')
    fs.renameSync(path.join(dir, 'next'), path.join(dir, 'link'))
    symlinkProbe = false
  } catch (error) {
    symlinkProbe = `this system cannot make a symlink to a folder and rename it over another (${error.code}), as Wine cannot`
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
  return symlinkProbe
}

function tempDir(t, prefix = 'mti-test-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  const remove = () => {
    try {
      fs.rmSync(dir, { recursive: true, force: true })
    } catch {
      // Left for the OS's temp cleanup.
    }
  }
  if (t?.after) t.after(remove)
  else process.once('exit', remove)
  return dir
}

module.exports = {
  hmac,
  symlinksUnsupported,
  leakForms,
  assertNoLeak,
  checkError,
  expectError,
  expectRejection,
  runNode,
  childJson,
  tempDir,
  childEnv,
  runnerEnv,
  RUNNER_VARIABLE,
  BUILD_PROBE,
  assertSameBuild,
}
