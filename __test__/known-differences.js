// The one list of tests that a runtime other than Node on Linux is known not to pass (Bun, Deno,
// Node for Windows under Wine), each with the reason. A test listed here is reported as skipped on
// that runtime, with its reason, never silently left out; everywhere else it runs.
'use strict'

// { runtime: 'bun' | 'deno' | 'wine', file: '<name>.test.js', test: '<full test name>', reason: '...' }
const differences = [
  {
    runtime: 'wine',
    file: 'examples.test.js',
    test: 'npm run demo (examples/express/demo.js) > starts the Express example, signs through it like node:crypto, and prints curl lines',
    reason:
      'examples/express/demo.js requests with fetch, and fetch (undici) cannot connect to 127.0.0.1 under Wine 8 ' +
      '(connect UNKNOWN); node:http can, so the other HTTP tests run there through __test__/fixtures/http-request.js',
  },
]

function currentRuntime() {
  if (process.versions.bun) return 'bun'
  if (process.versions.deno) return 'deno'
  if (process.env.MTRIBES_TI_WINE === '1') return 'wine'
  return 'node'
}

module.exports = { differences, currentRuntime }
