// `npm run test:nest-majors`: mtribes-trusted-identity/nest under each Nest major of the peer range, each
// installed with the packed package in a fresh project (`node scripts/test-nest-majors.js [--keep] 11 12`:
// some). Details: CONTRIBUTING.md, Scripts.
'use strict'

const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { execFileSync } = require('node:child_process')
const { targetName, detectMusl } = require('../lib/loader.js')
const { npm, cleanEnv, run, assertNoNodeModulesAbove, binaryName, packMainAndPlatform } = require('./local-packages.js')

const ROOT = path.join(__dirname, '..')
const main = require('../package.json')
const TARGET = targetName(process.platform, process.arch, detectMusl)
const BINARY = binaryName(TARGET)

const args = process.argv.slice(2)
const KEEP = args.includes('--keep')
const MAJORS = args.filter((arg) => arg !== '--keep')
const majors = MAJORS.length > 0 ? MAJORS : ['10', '11', '12']
for (const major of majors) {
  if (!/^\d+$/.test(major)) {
    console.error(
      `usage: node scripts/test-nest-majors.js [--keep] [major ...] (such as 10 11 12); got an argument that is not a major`,
    )
    process.exit(2)
  }
}

// nest.test.js's copy in the project, and the files standing for the repository's entries there. A
// relative require the copy misses fails the run loudly.
const SUITE_FILES = [
  'nest.test.js',
  'helpers.js',
  'fixtures/child-env.js',
  'fixtures/http-request.js',
  'fixtures/pollution.js',
]
const SHIMS = {
  'index.js': `module.exports = require('${main.name}')\n`,
  'lib/nest.js': `module.exports = require('${main.name}/nest')\n`,
  'lib/nest.mjs': `export * from '${main.name}/nest'\n`,
}
// The names the tests require that must resolve into the project.
const PROJECT_NAMES = [
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/platform-express',
  '@nestjs/platform-fastify',
  'rxjs',
  main.name,
  `${main.name}/nest`,
]
const VERSIONS = [
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/platform-express',
  '@nestjs/platform-fastify',
  'express',
  'fastify',
  'rxjs',
  'reflect-metadata',
]

/** Installs major `major` of Nest with the tarballs into a new project; resolves the project's folder. */
async function install(tmp, major, tarballs) {
  const project = path.join(tmp, `nest-${major}`)
  fs.mkdirSync(project)
  fs.writeFileSync(
    path.join(project, 'package.json'),
    JSON.stringify({ name: `nest-${major}-check`, version: '1.0.0', private: true }),
  )
  const packages = ['common', 'core', 'platform-express', 'platform-fastify'].map((name) => `@nestjs/${name}@${major}`)
  const r = await run(
    npm,
    ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs, ...packages, 'reflect-metadata', 'rxjs'],
    project,
  )
  return { project, ...r }
}

/** Copies nest.test.js (and what it requires) and writes the entry shims into `<project>/suite`. */
function writeSuite(project) {
  const suite = path.join(project, 'suite')
  for (const file of SUITE_FILES) {
    const to = path.join(suite, '__test__', file)
    fs.mkdirSync(path.dirname(to), { recursive: true })
    fs.copyFileSync(path.join(ROOT, '__test__', file), to)
  }
  for (const [file, text] of Object.entries(SHIMS)) {
    fs.mkdirSync(path.dirname(path.join(suite, file)), { recursive: true })
    fs.writeFileSync(path.join(suite, file), text)
  }
  return suite
}

/**
 * Where the tests' requires lead, asked as they ask: from the suite's copy of nest.test.js, and
 * through the Nest adapter fixtures' require with MTI_NEST_PROJECT set. Throws unless every name
 * resolves into the project, Nest is `major` and the native module is the platform package's;
 * returns the versions at the top of the project's node_modules.
 */
function checkResolution(project, suite, major) {
  const code = `
    const path = require('node:path')
    const { createRequire } = require('node:module')
    const fromSuite = createRequire(${JSON.stringify(path.join(suite, '__test__', 'nest.test.js'))})
    const fromFixture = require('./__test__/fixtures/adapters/nest-express.js').nestRequire()
    const resolved = ${JSON.stringify(PROJECT_NAMES)}.flatMap((name) => [fromSuite.resolve(name), fromFixture.resolve(name)])
    const loader = path.join(path.dirname(fromSuite.resolve('${main.name}')), 'lib', 'loader.js')
    console.log(JSON.stringify({ resolved, from: require(loader).loadNativeBinding().from }))`
  const env = { ...cleanEnv, MTI_NEST_PROJECT: project }
  const out = JSON.parse(execFileSync(process.execPath, ['-e', code], { cwd: ROOT, env, encoding: 'utf8' }))
  const outside = out.resolved.filter((file) => !file.startsWith(path.join(project, 'node_modules') + path.sep))
  if (outside.length > 0) throw new Error(`resolved outside the project: ${outside.join(', ')}`)
  const versions = {}
  for (const name of VERSIONS) {
    const file = path.join(project, 'node_modules', name, 'package.json')
    versions[name] = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')).version : null
  }
  for (const name of ['@nestjs/common', '@nestjs/core', '@nestjs/platform-express', '@nestjs/platform-fastify']) {
    if (versions[name]?.split('.')[0] !== major)
      throw new Error(`${name} ${versions[name]} installed, not major ${major}`)
  }
  if (out.from !== `${main.name}-${TARGET}`)
    throw new Error(`the native module loaded from ${out.from}, not the platform package`)
  return versions
}

/** The count of `# <name> N` in a TAP summary. */
function tapCount(tap, name) {
  const match = new RegExp(`^# ${name} (\\d+)$`, 'm').exec(tap)
  return match ? Number(match[1]) : 0
}

/** The failing tests of a TAP log with their diagnostics (the YAML block after each `not ok`). */
function failures(tap) {
  const lines = tap.split('\n')
  const out = []
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*not ok /.test(lines[i])) continue
    out.push(lines[i])
    for (let j = i + 1; j < lines.length && !/^\s*\.\.\.$/.test(lines[j]) && j < i + 30; j++) out.push(lines[j])
  }
  return out.join('\n')
}

async function testMajor(project, major) {
  const result = { major, versions: null, pass: 0, fail: 0, seconds: 0, problems: [] }
  const started = process.hrtime.bigint()
  try {
    const suite = writeSuite(project)
    result.versions = checkResolution(project, suite, major)
    const runs = [
      { name: 'nest.test.js', cwd: suite, args: ['__test__/nest.test.js'], env: cleanEnv },
      {
        name: "adapters.test.js's NestJS suites",
        cwd: ROOT,
        args: ['--test-name-pattern=^NestJS ', '__test__/adapters.test.js'],
        env: { ...cleanEnv, MTI_NEST_PROJECT: project },
      },
    ]
    for (const { name, cwd, args: testArgs, env } of runs) {
      const r = await run(process.execPath, ['--test', '--test-reporter=tap', ...testArgs], cwd, { env })
      const pass = tapCount(r.stdout, 'pass')
      const fail = tapCount(r.stdout, 'fail') + tapCount(r.stdout, 'cancelled')
      result.pass += pass
      result.fail += fail
      if (r.code !== 0 || fail > 0 || pass === 0) {
        result.problems.push(
          `${name} (exit ${r.code}, ${pass} passed, ${fail} failed):\n${failures(r.stdout) || r.stdout.slice(-4000)}\n${r.stderr.slice(-2000)}`,
        )
      }
    }
  } catch (error) {
    result.problems.push(error.stack)
  }
  result.seconds = Number(process.hrtime.bigint() - started) / 1e9
  return result
}

async function mainRun() {
  if (!fs.existsSync(path.join(ROOT, BINARY))) {
    console.error(`${BINARY} not found: run \`npm run build\` first`)
    return 1
  }
  const started = process.hrtime.bigint()
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mti-nest-majors-'))
  try {
    // Nothing above the projects may hold a node_modules folder that Node would search.
    assertNoNodeModulesAbove(tmp)
    const { main: mainTarball, platform } = packMainAndPlatform(tmp, TARGET)
    const tarballs = [mainTarball, platform]
    console.log(
      `packed ${tarballs.map((t) => path.basename(t)).join(' and ')}; installing Nest ${majors.join(', ')} side by side`,
    )
    const installs = await Promise.all(majors.map((major) => install(tmp, major, tarballs)))

    const results = []
    for (const [index, major] of majors.entries()) {
      const installed = installs[index]
      let result
      if (installed.code !== 0) {
        result = {
          major,
          versions: null,
          pass: 0,
          fail: 0,
          seconds: 0,
          problems: [`npm install failed (exit ${installed.code}):\n${installed.stderr.slice(-4000)}`],
        }
      } else {
        result = await testMajor(installed.project, major)
      }
      result.install = installed.seconds
      results.push(result)
      const ok = result.problems.length === 0
      const v = result.versions ?? {}
      console.log(
        `Nest ${major}: ${ok ? 'ok' : 'FAILED'}, ${result.pass} passed, ${result.fail} failed; install ${installed.seconds.toFixed(1)} s, tests ${result.seconds.toFixed(1)} s`,
      )
      if (result.versions) {
        console.log(`  ${VERSIONS.map((name) => `${name} ${v[name] ?? '-'}`).join(', ')}`)
      }
      for (const problem of result.problems) console.log(problem.replace(/^/gm, '  | '))
    }

    console.log(
      '\n| Nest | @nestjs/core | platform-express (express) | platform-fastify (fastify) | result | passed | failed | install s | tests s |',
    )
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |')
    for (const r of results) {
      const v = r.versions ?? {}
      console.log(
        `| ${r.major} | ${v['@nestjs/core'] ?? '-'} | ${v['@nestjs/platform-express'] ?? '-'} (${v.express ?? '-'}) | ${v['@nestjs/platform-fastify'] ?? '-'} (${v.fastify ?? '-'}) | ${r.problems.length === 0 ? 'ok' : 'FAILED'} | ${r.pass} | ${r.fail} | ${r.install.toFixed(1)} | ${r.seconds.toFixed(1)} |`,
      )
    }
    console.log(`total ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s${KEEP ? `; kept ${tmp}` : ''}`)
    return results.every((r) => r.problems.length === 0) ? 0 : 1
  } finally {
    if (!KEEP) fs.rmSync(tmp, { recursive: true, force: true })
  }
}

mainRun().then(
  (code) => {
    process.exitCode = code
  },
  (error) => {
    console.error(error.stack)
    process.exitCode = 1
  },
)
