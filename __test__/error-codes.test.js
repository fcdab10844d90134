// Error codes stay documented: the ERR_TRUSTED_IDENTITY_* codes found in the source (index.js,
// lib/, src/, the Rust core's codes in src/core/error.rs included) are exactly the members of the
// TrustedIdentityErrorCode type in index.d.ts and exactly the rows of the README's Errors table,
// where each is documented once. A new code cannot ship undocumented or untyped.
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

function codesInSource() {
  const files = ['index.js', 'index.mjs', 'binding.js', ...filesUnder('lib', ['.js', '.mjs']), ...filesUnder('src', ['.rs'])]
  return sorted(files.flatMap((file) => read(file).match(CODE) ?? []))
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
