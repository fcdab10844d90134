// Demo: signs a user id with mtribes-trusted-identity and shows it equals the mtribes docs' node:crypto snippet.
'use strict'
const crypto = require('node:crypto')
const { TrustedIdentity } = require('..')

// A made-up secret for the demo; real ones come from the mtribes Space settings, through the
// environment (TrustedIdentity.fromEnv()) rather than source code.
const demoSecret = 'demo-ios-secret-not-for-production'
const userId = process.argv[2] ?? '6f1c2b0e-3c1d-4a53-9d0e-2f1b7a1c9e42'

const identity = new TrustedIdentity({ ios: demoSecret })
const signed = identity.sign(userId, 'ios')
const snippet = crypto.createHmac('sha256', demoSecret).update(userId).digest('hex')

console.log(`user id:                    ${userId}`)
console.log(`TrustedIdentity.sign:       ${signed}`)
console.log(`node:crypto (docs snippet): ${snippet}`)
console.log(`identical:                  ${signed === snippet}`)
console.log(`verify:                     ${identity.verify(userId, 'ios', signed)}`)
console.log(`inspect:                    ${require('node:util').inspect(identity)}`)
identity.dispose()
process.exitCode = signed === snippet ? 0 : 1
