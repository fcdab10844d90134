// Example: a service that makes its signer at boot under Node's permission model, which refuses
// node:inspector to the process (an in-process inspector session reaches every object, a signer's
// private fields included). Plain JavaScript, not TypeScript like the other examples: what matters
// here is the node command line, and this file runs as it is, with no build step. From the
// repository root (the package folder, which holds this file too):
//   Node 22.13+, 24, 26: node --permission --allow-addons --allow-fs-read="$PWD" examples/permission/app.js [userId]
//   Node 20:             node --experimental-permission --allow-addons --allow-fs-read="$PWD" examples/permission/app.js [userId]
// with MTRIBES_IOS_SECRET_FILE naming a file that holds the ios secret (it need not be listed in
// --allow-fs-read: the package reads it in Rust) and MTRIBES_ANDROID_SECRET holding the android one.
// It signs userId (default user-1) with every method, tries node:inspector, and prints a JSON
// report: the signatures, and what node:inspector and node:fs answered. Flags per Node version, and
// for the WASI build: docs/usage.md, "Running under Node's permission model".
'use strict'

const fs = require('node:fs')
const inspector = require('node:inspector')
const { TrustedIdentity } = require('mtribes-trusted-identity')

/** What `attempt` gave: its value, or the code of the error it threw (the refusal is the point). */
function outcome(attempt) {
  try {
    return attempt()
  } catch (error) {
    return error.code ?? String(error)
  }
}

/** node:inspector's two ways into this process: a session in it, and a debugger port. */
function tryInspector() {
  return {
    sessionConnect: outcome(() => {
      const session = new inspector.Session()
      session.connect()
      session.disconnect()
      return 'connected'
    }),
    open: outcome(() => {
      inspector.open(0, '127.0.0.1')
      inspector.close()
      return 'opened'
    }),
  }
}

async function main() {
  if (!process.permission)
    console.error('warning: not under the permission model: node:inspector can reach this signer')
  const identity = TrustedIdentity.fromEnv({ platforms: ['ios', 'android'] }) // fails at boot if one is missing
  const userId = process.argv[2] ?? 'user-1'
  const ids = [userId, `${userId}-2`]
  const signed = identity.sign(userId, 'ios')
  const secretFile = process.env.MTRIBES_IOS_SECRET_FILE
  const report = {
    permissionModel: Boolean(process.permission),
    sign: { ios: signed, android: identity.sign(userId, 'android') },
    verify: identity.verify(userId, 'ios', signed),
    signMany: identity.signMany(ids, 'ios'),
    signManyAsync: await identity.signManyAsync(ids, 'android'),
    inspector: tryInspector(),
    // fromEnv read this file in Rust; the app's own JavaScript may not even open it.
    secretFileFromNodeFs:
      secretFile === undefined
        ? 'no MTRIBES_IOS_SECRET_FILE'
        : outcome(() => {
            fs.accessSync(secretFile, fs.constants.R_OK)
            return 'readable'
          }),
  }
  identity.dispose()
  console.log(JSON.stringify(report, null, 2))
}

main().catch((error) => {
  console.error(`cannot start: ${error.code ? `${error.code}: ` : ''}${error.message}`)
  process.exitCode = 1
})
