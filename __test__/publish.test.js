// The published package as a user's tools see it: `npm pack`'s tarball, linted by publint (strict)
// and by arethetypeswrong (@arethetypeswrong/cli, every entry point under node10, node16 from CJS
// and from ESM, and bundler resolution). Both must report nothing.
'use strict'

const { describe, it, after } = require('./known-differences.js').nodeTest(__filename)
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawnSync } = require('node:child_process')

const ROOT = path.join(__dirname, '..')
const pkg = require('../package.json')

describe('the packed tarball: publint and arethetypeswrong report nothing', () => {
  let dir
  let tarball

  /** npm pack's tarball, made on first use (so a runtime that skips both tests needs no npm). */
  function packed() {
    if (tarball) return tarball
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-publish-'))
    const r = spawnSync('npm', ['pack', '--json', '--pack-destination', dir], {
      cwd: ROOT,
      encoding: 'utf8',
      shell: process.platform === 'win32',
      timeout: 120_000,
    })
    assert.equal(r.status, 0, `${r.error ?? ''}${r.stderr}`)
    tarball = path.join(dir, JSON.parse(r.stdout)[0].filename)
    return tarball
  }
  after(() => dir && fs.rmSync(dir, { recursive: true, force: true }))

  it('publint --strict: no error, warning or suggestion', async () => {
    const { publint } = await import('publint')
    const { formatMessage } = await import('publint/utils')
    const bytes = fs.readFileSync(packed())
    const { messages } = await publint({
      pkgDir: 'package', // the folder npm pack puts every file in
      strict: true,
      pack: { tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) },
    })
    assert.deepEqual(
      messages.map((m) => `${m.type}: ${formatMessage(m, pkg, { color: false })}`),
      [],
    )
  })

  it('arethetypeswrong: every entry point resolves to its types, in every module resolution', () => {
    const attw = path.join(path.dirname(require.resolve('@arethetypeswrong/cli/package.json')), 'dist', 'index.js')
    const r = spawnSync(process.execPath, [attw, packed(), '--format', 'json'], { encoding: 'utf8', timeout: 120_000 })
    const report = JSON.parse(r.stdout)
    const entries = Object.keys(report.analysis.entrypoints).sort()
    assert.deepEqual(entries, Object.keys(pkg.exports).sort(), 'attw checked every subpath of exports')
    // problems: { [kind]: [{ entrypoint, kind, resolutionKind }] }, empty when there are none.
    assert.deepEqual(Object.values(report.problems ?? {}).flat(), [])
    assert.equal(r.status, 0, r.stderr)
  })
})
