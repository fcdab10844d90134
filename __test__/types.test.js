// Type check: a strict `tsc` run over consumer files (CJS and ESM) that use the public types;
// valid uses must compile and every `@ts-expect-error` misuse must be an error. With the project's
// `typescript` and with the oldest the README supports (5.0, the `typescript-5.0` devDependency);
// and every entry under moduleResolution node10, node16 (CommonJS and ES module) and bundler; and
// every entry under TypeScript 7 (`typescript-7`, the newest, a native compiler run by its CLI).
'use strict'
const { describe, it, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { symlinksUnsupported } = require('./helpers.js')

const ROOT = path.join(__dirname, '..')
const DIR = path.join(__dirname, 'types')
const { name } = require('../package.json')
const TS_LATEST = require('typescript')
const TS_OLDEST = require('typescript-5.0')

// The consumer files TypeScript 5.0 checks: every entry, through require and import. Left out, as
// consumer files 5.0 cannot parse: consumer.mts and endpoint.cts, which put the CommonJS and the ES
// module types side by side with `with { 'resolution-mode' }` (TypeScript 5.3), a test device and
// not what a consumer writes; the project's TypeScript checks them.
const OLDEST_FILES = [
  'consumer.cts',
  'error-codes.cts',
  'error-codes.mts',
  'integrations.cts',
  'integrations.mts',
  'web.cts',
  'web.mts',
  'fastify.cts',
  'fastify.mts',
  'entries.ts',
]
const OLDEST_LEFT_OUT = ['consumer.mts', 'endpoint.cts']
// Fastify 5's types need TypeScript 5.4 (NoInfer): under 5.0 'fastify' is Fastify 4's, the one a
// TypeScript 5.0 project has. With it one misuse in fastify.mts compiles: Fastify 4's `register`
// takes a plugin without options.
const FASTIFY4 = path.join(path.dirname(require.resolve('fastify4/package.json')), 'fastify.d.ts')
const FASTIFY4_ONLY_MISUSE = 'await app.register(trustedIdentity)'

function tsconfigOptions(ts) {
  const { config } = ts.readConfigFile(path.join(DIR, 'tsconfig.json'), ts.sys.readFile)
  return ts.parseJsonConfigFileContent(config, ts.sys, DIR).options
}

/**
 * The diagnostics of a program over `files` (absolute) as text, paths relative to `cwd`. With
 * `thirdPartyParsedOnly`, the declaration files of other packages (under node_modules) are only
 * parsed, as skipLibCheck would; this package's own declaration files and the consumer files are
 * checked in full. Recent hono types (Uint8Array<ArrayBuffer>) need TypeScript 5.7 to check.
 */
function diagnostics(ts, files, options, cwd, { thirdPartyParsedOnly = false } = {}) {
  const program = ts.createProgram(files, options)
  const thirdParty = (file) => file.isDeclarationFile && /[\\/]node_modules[\\/]/.test(file.fileName)
  const list = thirdPartyParsedOnly
    ? [
        ...program.getOptionsDiagnostics(),
        ...program.getGlobalDiagnostics(),
        ...program.getSyntacticDiagnostics(),
        ...program.getSourceFiles().flatMap((file) => (thirdParty(file) ? [] : program.getSemanticDiagnostics(file))),
      ]
    : ts.getPreEmitDiagnostics(program)
  const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => cwd, getNewLine: () => '\n' }
  return { program, text: ts.formatDiagnostics(list, host) }
}

describe('TypeScript types', () => {
  it('compile for valid uses and reject every marked misuse under strict tsc', () => {
    const tsc = require.resolve('typescript/bin/tsc')
    const project = path.join(DIR, 'tsconfig.json')
    const result = spawnSync(process.execPath, [tsc, '-p', project], { encoding: 'utf8' })
    assert.equal(result.status, 0, `tsc failed:\n${result.stdout}${result.stderr}`)
  })

  it('check every consumer file in __test__/types (none left out of tsconfig.json)', () => {
    const { files } = JSON.parse(fs.readFileSync(path.join(DIR, 'tsconfig.json'), 'utf8'))
    const consumers = fs.readdirSync(DIR).filter((file) => /\.[cm]?ts$/.test(file))
    assert.deepEqual([...files].sort(), consumers.sort())
    assert.deepEqual(
      [...OLDEST_FILES, ...OLDEST_LEFT_OUT].sort(),
      consumers.sort(),
      'each is checked by 5.0 or left out',
    )
  })
})

describe(`TypeScript ${TS_OLDEST.version}, the oldest supported`, () => {
  it('is 5.0, the README says so', () => {
    assert.match(TS_OLDEST.version, /^5\.0\.\d+$/)
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')
    assert.match(readme, /TypeScript 5\.0 or later/)
  })

  it('compiles the consumer files of every entry, CommonJS and ES module, as the project TypeScript does', () => {
    const options = { ...tsconfigOptions(TS_OLDEST), paths: { fastify: [FASTIFY4] } }
    const files = OLDEST_FILES.map((file) => path.join(DIR, file))
    const { program, text } = diagnostics(TS_OLDEST, files, options, DIR, { thirdPartyParsedOnly: true })
    const mts = fs.readFileSync(path.join(DIR, 'fastify.mts'), 'utf8').split('\n')
    const line = mts.indexOf(FASTIFY4_ONLY_MISUSE)
    assert.ok(line > 0 && /@ts-expect-error/.test(mts[line - 1]), 'fastify.mts has the Fastify 5 misuse')
    assert.equal(text, `fastify.mts(${line},1): error TS2578: Unused '@ts-expect-error' directive.\n`)
    const used = program.getSourceFiles().filter((f) => /[\\/]fastify4?[\\/]fastify\.d\.ts$/.test(f.fileName))
    assert.deepEqual(
      used.map((f) => path.basename(path.dirname(f.fileName))),
      ['fastify4'],
      "Fastify 4's types were the ones used",
    )
  })
})

/** A strict consumer project's compiler options (as tsconfig.json spells them) with `compilerOptions`' module settings. */
function consumerOptions(compilerOptions) {
  return {
    ...compilerOptions,
    strict: true,
    noEmit: true,
    target: 'es2022',
    lib: ['es2022'],
    types: ['node'],
    typeRoots: [path.join(ROOT, 'node_modules', '@types')],
    noUnusedLocals: true,
    exactOptionalPropertyTypes: true,
    skipLibCheck: false,
  }
}

// entries.ts as a consumer project of its own: the package under node_modules (a link to this
// checkout, as `npm link` makes), so that node10 finds it too (node10 has no self-reference).
describe(
  'every entry under each moduleResolution, with TypeScript 5.0 and the project TypeScript',
  { skip: symlinksUnsupported() },
  () => {
    let tmp
    before(() => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mti-types-'))
      for (const [folder, type] of [
        ['cjs', 'commonjs'],
        ['esm', 'module'],
      ]) {
        const dir = path.join(tmp, folder)
        fs.mkdirSync(path.join(dir, 'node_modules'), { recursive: true })
        fs.symlinkSync(ROOT, path.join(dir, 'node_modules', name), 'junction')
        fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ private: true, type }))
        fs.copyFileSync(path.join(DIR, 'entries.ts'), path.join(dir, 'entries.ts'))
      }
    })
    after(() => fs.rmSync(tmp, { recursive: true, force: true }))

    const SETTINGS = [
      // esModuleInterop as `tsc --init` sets it: Fastify 5's types (pino's) need it under node10.
      ['node10, module commonjs', 'cjs', { module: 'commonjs', moduleResolution: 'node10', esModuleInterop: true }],
      ['node16, a CommonJS consumer', 'cjs', { module: 'node16', moduleResolution: 'node16' }],
      ['node16, an ES module consumer', 'esm', { module: 'node16', moduleResolution: 'node16' }],
      ['bundler, module esnext', 'esm', { module: 'esnext', moduleResolution: 'bundler' }],
    ]
    for (const [label, ts] of [
      [TS_OLDEST.version, TS_OLDEST],
      [TS_LATEST.version, TS_LATEST],
    ]) {
      for (const [setting, folder, compilerOptions] of SETTINGS) {
        it(`TypeScript ${label}, ${setting}: valid uses compile, every marked misuse is an error`, () => {
          const dir = path.join(tmp, folder)
          const { options, errors } = ts.convertCompilerOptionsFromJson(
            { ...consumerOptions(compilerOptions), ...(ts === TS_OLDEST ? { paths: { fastify: [FASTIFY4] } } : {}) },
            dir,
          )
          assert.deepEqual(errors, [])
          const { program, text } = diagnostics(ts, [path.join(dir, 'entries.ts')], options, dir, {
            thirdPartyParsedOnly: ts === TS_OLDEST,
          })
          assert.equal(text, '')
          // The package's declaration files, through its name: the ES module ones (index.d.mts) for import.
          const own = program
            .getSourceFiles()
            .map((f) => path.relative(fs.realpathSync(ROOT), f.fileName))
            .filter((f) => !f.startsWith('..') && !f.startsWith('node_modules'))
          assert.ok(own.includes(path.join('lib', 'nest.d.ts')), own.join())
          assert.equal(own.includes('index.d.mts'), folder === 'esm', own.join())
        })
      }
    }
  },
)

// TypeScript 7 is a native compiler with no JavaScript API: its `tsc` runs on a tsconfig per setting.
// It needs its platform package (@typescript/typescript-<platform>-<arch>), which npm installs for the
// host only, so it is skipped where that is missing (node.exe under Wine) and under Bun and Deno
// (its bin is a Node script).
describe('every entry with TypeScript 7, the newest', () => {
  const TS7 = path.dirname(require.resolve('typescript-7/package.json'))
  const version = JSON.parse(fs.readFileSync(path.join(TS7, 'package.json'), 'utf8')).version
  const native = `@typescript/typescript-${process.platform}-${process.arch}`
  const hasNative = (() => {
    try {
      require.resolve(`${native}/package.json`, { paths: [TS7] })
      return true
    } catch {
      return false
    }
  })()
  const skip =
    process.versions.bun || process.versions.deno
      ? 'its bin is a Node script'
      : (!hasNative && `${native} is not installed`) || symlinksUnsupported()
  let tmp
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mti-types7-'))
  })
  after(() => tmp && fs.rmSync(tmp, { recursive: true, force: true }))

  it('is 7.x', () => assert.match(version, /^7\./))
  const SETTINGS = [
    ['node16, a CommonJS consumer', 'commonjs', { module: 'node16', moduleResolution: 'node16' }],
    ['node16, an ES module consumer', 'module', { module: 'node16', moduleResolution: 'node16' }],
    ['nodenext, an ES module consumer', 'module', { module: 'nodenext', moduleResolution: 'nodenext' }],
    ['bundler, module esnext', 'module', { module: 'esnext', moduleResolution: 'bundler' }],
  ]
  for (const [setting, type, compilerOptions] of SETTINGS) {
    it(`TypeScript ${version}, ${setting}: valid uses compile, every marked misuse is an error`, { skip }, () => {
      const dir = fs.mkdtempSync(path.join(tmp, 'consumer-'))
      fs.mkdirSync(path.join(dir, 'node_modules'))
      fs.symlinkSync(ROOT, path.join(dir, 'node_modules', name), 'junction')
      fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ private: true, type }))
      fs.copyFileSync(path.join(DIR, 'entries.ts'), path.join(dir, 'entries.ts'))
      const options = consumerOptions(compilerOptions)
      fs.writeFileSync(
        path.join(dir, 'tsconfig.json'),
        JSON.stringify({ compilerOptions: options, files: ['entries.ts'] }),
      )
      const r = spawnSync(process.execPath, [path.join(TS7, 'bin', 'tsc'), '-p', 'tsconfig.json', '--listFiles'], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 120_000,
      })
      const errors = r.stdout.split('\n').filter((line) => /error TS\d+/.test(line))
      assert.deepEqual(errors, [], r.stderr)
      assert.equal(r.status, 0, r.stdout + r.stderr)
      // The package's own declaration files were read (listed by their real path, in this checkout).
      const own = r.stdout
        .split('\n')
        .map((line) => path.relative(fs.realpathSync(ROOT), line.trim()))
        .filter((file) => file !== '' && !file.startsWith('..') && !file.startsWith('node_modules'))
      assert.ok(own.includes(path.join('lib', 'nest.d.ts')), own.join('\n'))
      assert.equal(own.includes('index.d.mts'), type === 'module', own.join('\n'))
    })
  }
})
