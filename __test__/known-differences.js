// The one list of tests that a runtime other than Node on Linux is known not to pass (Bun, Deno,
// Node for Windows under Wine), each with the reason: known-differences.json, read here. A test
// listed there is reported as skipped on that runtime, with its reason, never silently left out;
// everywhere else it runs.
//
// How: a test file with a listed test takes describe/it from `nodeTest(__filename)` instead of
// `require('node:test')`:
//
//   const { describe, it } = require('./known-differences.js').nodeTest(__filename)
//
// They are node:test's own, except that a listed test (or describe) gets `skip: '<runtime>: reason'`
// on the runtime it is listed for. `test` is the full name: the names of its describes and its own,
// joined by ' > ' (as Bun prints them). When MTRIBES_TI_KNOWN_DIFFERENCES_LOG names a file, each
// skip is also appended to it as a line of JSON, so scripts/test-runtimes.js can report an entry
// that matched no test (renamed, moved or gone) as a failure instead of trusting it.
'use strict'
const fs = require('node:fs')
const path = require('node:path')

// The table itself: known-differences.json, { runtime, file, test, reason } per test, where
// reason is the reason itself or the name of one in its `reasons` (shared by several tests).
const table = require('./known-differences.json')
const differences = table.differences.map((entry) => ({
  ...entry,
  reason: table.reasons[entry.reason] ?? entry.reason,
}))

function currentRuntime() {
  if (process.versions.bun) return 'bun'
  if (process.versions.deno) return 'deno'
  if (process.env.MTRIBES_TI_WINE === '1') return 'wine'
  return 'node'
}

/** The reason `fullName` in `file` (a path, file URL or file name) is skipped on this runtime, or undefined. */
function knownDifference(file, fullName) {
  const runtime = currentRuntime()
  const base = path.basename(file)
  const entry = differences.find((d) => d.runtime === runtime && d.file === base && d.test === fullName)
  if (!entry) return undefined
  if (process.env.MTRIBES_TI_KNOWN_DIFFERENCES_LOG) {
    fs.appendFileSync(process.env.MTRIBES_TI_KNOWN_DIFFERENCES_LOG, `${JSON.stringify(entry)}\n`)
  }
  return `${runtime}: ${entry.reason}`
}

/**
 * node:test's exports for the test file `file`, with describe/it/test that skip the tests listed
 * for this runtime. The full name of a test is known from the describes it is declared in: each
 * describe's callback runs with its own name as the prefix, whenever the runtime calls it (Deno
 * runs nested ones later, as steps), so `it` must be called synchronously inside it, as usual.
 */
function nodeTest(file) {
  const nodeTestModule = require('node:test')
  let prefix = []

  const wrap = (original, isSuite) => {
    const wrapped = (name, options, fn) => {
      if (typeof name !== 'string') return original(name, options, fn)
      if (typeof options === 'function') [options, fn] = [undefined, options]
      const fullName = [...prefix, name]
      const reason = knownDifference(file, fullName.join(' > '))
      const opts = reason ? { ...options, skip: reason } : options
      let body = fn
      if (isSuite && typeof fn === 'function') {
        body = function (...args) {
          const outer = prefix
          prefix = fullName
          try {
            return fn.apply(this, args)
          } finally {
            prefix = outer
          }
        }
      }
      return opts === undefined ? original(name, body) : original(name, opts, body)
    }
    for (const key of ['skip', 'todo', 'only']) if (original[key]) wrapped[key] = original[key]
    return wrapped
  }

  return {
    ...nodeTestModule,
    describe: wrap(nodeTestModule.describe, true),
    suite: nodeTestModule.suite && wrap(nodeTestModule.suite, true),
    it: wrap(nodeTestModule.it, false),
    test: wrap(nodeTestModule.test, false),
  }
}

module.exports = { differences, currentRuntime, knownDifference, nodeTest }
