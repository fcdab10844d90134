// node --test reporter of `npm test` (scripts/run-node-tests.js): one dot per 50 passing tests,
// each failure in full (its test path, file and error) as it happens, then node's own summary
// (tests, pass, fail, skipped, duration). `npm test -- --verbose` (and CI) use node's TAP
// reporter instead, which lists every test.
import { inspect } from 'node:util'

const DOTS_PER = 50

/** A stack frame of node's own test runner or of a promise: the same in every failure, so not shown. */
const RUNNER_FRAME =
  /^\s+at (.*\(node:(internal|async_hooks)[^)]*\)|node:internal\S*|new Promise \(<anonymous>\)|Array\.map \(<anonymous>\))$/

/** `text` without the runner's stack frames. */
function withoutRunnerFrames(text) {
  return text
    .split('\n')
    .filter((line) => !RUNNER_FRAME.test(line))
    .join('\n')
}

/** The error a failure shows: the assertion itself, not the runner's wrapper of it. */
function shownError(error) {
  return error?.code === 'ERR_TEST_FAILURE' && error.cause !== undefined ? error.cause : error
}

export default async function* summaryReporter(source) {
  let passed = 0
  let failures = 0
  // The names of the suites being run, per file, so a failure shows its whole path.
  const open = new Map()
  for await (const event of source) {
    const { type, data } = event
    if (type === 'test:start') {
      const path = open.get(data.file) ?? []
      path[data.nesting] = data.name
      path.length = data.nesting + 1
      open.set(data.file, path)
    } else if (type === 'test:pass') {
      if (data.details?.type === 'suite' || data.skip || data.todo) continue
      passed++
      if (passed % DOTS_PER === 0) yield '.'
    } else if (type === 'test:fail') {
      const error = data.details?.error
      // A suite fails because a test in it did: that test is shown already.
      if (error?.failureType === 'subtestsFailed') continue
      failures++
      const path = (open.get(data.file) ?? []).slice(0, data.nesting).concat(data.name)
      const where = data.file ? ` (${data.file}${data.line ? `:${data.line}` : ''})` : ''
      yield `\n\nnot ok ${failures}: ${path.join(' > ')}${where}\n${withoutRunnerFrames(inspect(shownError(error), { depth: 4 }))}\n`
    } else if (type === 'test:diagnostic' && data.nesting === 0) {
      // node's summary at the end (tests, suites, pass, fail, ...), and a file's top-level notes.
      yield `\n${data.message}`
    } else if (type === 'test:stderr' || type === 'test:stdout') {
      // What a test file printed outside a test: shown only if something failed in it.
      if (failures > 0 && data.message) yield data.message
    }
  }
  yield `\n${failures === 0 ? 'all passed' : `${failures} failed`} (${passed} tests passed; the full list: npm test -- --verbose)\n`
}
