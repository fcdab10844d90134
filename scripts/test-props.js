// `npm run test:props`: the property tests of __test__/properties.test.js at full strength, with a printed
// seed to replay (MTI_PROPS_SEED=<seed> npm run test:props). Details: CONTRIBUTING.md, Scripts.
'use strict'
const path = require('node:path')
const { spawnSync } = require('node:child_process')

const runs = process.env.MTI_PROPS_RUNS ?? '100000'
const seed = process.env.MTI_PROPS_SEED ?? String(Math.floor(Math.random() * 2 ** 31))
console.log(`property tests: seed ${seed}, ${runs} cases per property (replay: MTI_PROPS_SEED=${seed})`)
const started = Date.now()
const result = spawnSync(
  process.execPath,
  ['--test', '--test-timeout=0', path.join(__dirname, '..', '__test__', 'properties.test.js')],
  { stdio: 'inherit', env: { ...process.env, MTI_PROPS_RUNS: runs, MTI_PROPS_SEED: seed } },
)
console.log(`property tests: ${((Date.now() - started) / 1000).toFixed(1)} s, seed ${seed}, exit ${result.status}`)
process.exit(result.status ?? 1)
