// Error codes are written once and documented: lib/errors.js is the one JS file that spells them
// (a constructor each, and the codes the Rust layer gives), the Rust layer gives only those, and the
// ERR_TRUSTED_IDENTITY_* codes are exactly the members of TrustedIdentityErrorCode in index.d.ts and
// the rows of the README's Errors table. A new code cannot ship undocumented or untyped.
'use strict'
const { describe, it } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const root = path.join(__dirname, '..')
const CODE = /ERR_TRUSTED_IDENTITY_[A-Z0-9_]*[A-Z0-9]/g

function read(file) {
  return fs.readFileSync(path.join(root, file), 'utf8')
}

/** Every file under `dir` (relative to the root) whose name ends with one of `extensions`. */
function filesUnder(dir, extensions) {
  return fs
    .readdirSync(path.join(root, dir), { recursive: true })
    .map((name) => path.join(dir, String(name)))
    .filter((file) => extensions.some((extension) => file.endsWith(extension)))
}

function sorted(codes) {
  return [...new Set(codes)].sort()
}

const UNSUPPORTED = path.join('lib', 'unsupported-runtime.js')
const JS_FILES = ['index.js', 'index.mjs', 'binding.js', ...filesUnder('lib', ['.js', '.mjs'])]
const RUST_FILES = filesUnder('src', ['.rs'])
const { codes, NATIVE_CODES } = require('../lib/errors.js')

function codesInSource() {
  const files = ['lib/errors.js', ...RUST_FILES]
  return sorted(files.flatMap((file) => read(file).match(CODE) ?? []))
}

/** The codes of the Rust layer's error kinds (`Kind => "ERR_..."` in src/core/error.rs). */
function codesInRust() {
  return sorted([...read('src/core/error.rs').matchAll(/=> "(ERR_[A-Z0-9_]+)"/g)].map((match) => match[1]))
}

function codesInType() {
  const match = /export type TrustedIdentityErrorCode =([^;]*?)\n\n/.exec(read('index.d.ts') + '\n\n')
  assert.ok(match, 'index.d.ts declares no TrustedIdentityErrorCode')
  return [...match[1].matchAll(/'([^']*)'/g)].map((member) => member[1])
}

/** The first-column codes of the table under README's "## Errors". */
function codesInReadmeTable() {
  const readme = read('README.md')
  const start = readme.indexOf('\n## Errors\n')
  assert.ok(start !== -1, 'README.md has no "## Errors" section')
  const end = readme.indexOf('\n## ', start + 1)
  const section = readme.slice(start, end === -1 ? undefined : end)
  return section
    .split('\n')
    .map((line) => /^\| `(ERR_TRUSTED_IDENTITY_[A-Z0-9_]+)`/.exec(line)?.[1])
    .filter(Boolean)
}

describe('lib/errors.js', () => {
  it('is the one JS file that spells a code as a string (the others refer to its constructors)', () => {
    const literal = /['"`](ERR_TRUSTED_IDENTITY_[A-Z0-9_]+|ERR_INVALID_ARG_[A-Z]+|ERR_INVALID_THIS|ABORT_ERR)['"`]/
    // lib/unsupported-runtime.js too: it runs where lib/errors.js cannot load (the next test).
    const own = [path.join('lib', 'errors.js'), UNSUPPORTED]
    const spelled = JS_FILES.filter((file) => !own.includes(file) && literal.test(read(file)))
    assert.deepEqual(spelled, [])
  })

  it("lib/unsupported-runtime.js, which requires nothing, throws at load exactly errors.js's ERR_TRUSTED_IDENTITY_UNSUPPORTED_RUNTIME", () => {
    const expected = new codes.ERR_TRUSTED_IDENTITY_UNSUPPORTED_RUNTIME()
    assert.throws(
      () => require(path.join(root, UNSUPPORTED)),
      (error) => {
        assert.ok(error instanceof Error)
        assert.equal(error.code, expected.code)
        assert.equal(error.message, expected.message)
        return true
      },
    )
    assert.doesNotMatch(read(UNSUPPORTED).replace(/\/\/.*$/gm, ''), /\brequire\(|^\s*import\b|\bimport\(/m)
    assert.match(expected.message, /runtime = 'nodejs'/)
    assert.match(expected.message, /createHmac\('sha256', secret\)/)
  })

  it('has a constructor for every ERR_TRUSTED_IDENTITY_* code the JS layer throws', () => {
    const made = Object.keys(codes).filter((code) => code.startsWith('ERR_TRUSTED_IDENTITY_'))
    // Each constructor's arguments, where a reason alone is not what it takes.
    const args = {
      ERR_TRUSTED_IDENTITY_NATIVE_LOAD: [['line'], 'target', [], []],
      ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM: [['ios']],
    }
    for (const code of made) {
      const error = new codes[code](...(args[code] ?? ['reason']))
      assert.equal(error.code, code)
      assert.ok(error instanceof Error, code)
    }
    assert.ok(made.includes('ERR_TRUSTED_IDENTITY_MISSING_PEER'), made.join(', '))
  })

  it('lists exactly the codes the Rust layer gives its errors', () => {
    assert.deepEqual(sorted(Object.keys(NATIVE_CODES)), codesInRust())
  })
})

describe('ERR_TRUSTED_IDENTITY_* codes', () => {
  const source = codesInSource()

  it('are found in the source', () => {
    assert.ok(source.includes('ERR_TRUSTED_IDENTITY_DISPOSED'), `found: ${source.join(', ')}`)
  })

  it('are exactly the members of TrustedIdentityErrorCode (index.d.ts), each once', () => {
    const members = codesInType()
    assert.equal(new Set(members).size, members.length, `a member is listed twice: ${members.join(', ')}`)
    assert.deepEqual(sorted(members), source)
  })

  it('are exactly the rows of the README Errors table, each documented in one row', () => {
    const rows = codesInReadmeTable()
    assert.equal(new Set(rows).size, rows.length, `a code has two rows: ${rows.join(', ')}`)
    assert.deepEqual(sorted(rows), source)
  })

  it('are re-exported as a type from the ES module entry', () => {
    assert.match(read('index.d.mts'), /\bTrustedIdentityErrorCode\b/)
  })
})
