// Adds package-lock.json entries for optional platform packages (e.g. @napi-rs/lzma-darwin-arm64)
// that the registry mirror this project builds against does not serve. Without them npm 11's
// `npm ci` refuses the lockfile ("Missing: ... from lock file"); with them it skips those optional
// packages as it would on any other platform. Run after `npm install` changes the lockfile:
//   node scripts/complete-lockfile.js
'use strict'
const fs = require('node:fs')
const path = require('node:path')

const file = path.join(__dirname, '..', 'package-lock.json')
const lock = JSON.parse(fs.readFileSync(file, 'utf8'))
let added = 0
for (const [location, entry] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const nested = `${location}/node_modules/${name}`
    const hoisted = `node_modules/${name}`
    if (lock.packages[nested] || lock.packages[hoisted]) continue
    lock.packages[hoisted] = { version, ...(entry.dev ? { dev: true } : {}), optional: true }
    added++
  }
}
fs.writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`)
console.log(`package-lock.json: added ${added} optional platform entr${added === 1 ? 'y' : 'ies'}`)
