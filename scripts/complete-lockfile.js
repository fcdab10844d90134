// Adds package-lock.json entries for optional platform packages the registry mirror does not serve, so that
// npm ci accepts the lockfile: `node scripts/complete-lockfile.js` after `npm install` changes it.
// Details: CONTRIBUTING.md, Scripts.
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
