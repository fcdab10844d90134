// Quick benchmark: TrustedIdentity#sign against the mtribes docs' node:crypto snippet on UUID ids,
// medians of 15 rounds of 200,000 calls each, measured in the same run. (A fuller tinybench suite
// is planned; this keeps the README's figures reproducible until then.)
'use strict'
const crypto = require('node:crypto')
const os = require('node:os')
const { TrustedIdentity } = require('..')

const secret = 'benchmark-secret-0123456789abcdef'
const identity = new TrustedIdentity({ ios: secret })
const ids = Array.from({ length: 1000 }, () => crypto.randomUUID())

function medianNsPerCall(fn) {
  const rounds = []
  for (let round = 0; round < 15; round++) {
    const start = process.hrtime.bigint()
    for (let repeat = 0; repeat < 200; repeat++) for (const id of ids) fn(id)
    rounds.push(Number(process.hrtime.bigint() - start) / (200 * ids.length))
  }
  return rounds.sort((a, b) => a - b)[7]
}

const snippet = medianNsPerCall((id) => crypto.createHmac('sha256', secret).update(id).digest('hex'))
const sign = medianNsPerCall((id) => identity.sign(id, 'ios'))
console.log(`machine: ${os.cpus()[0]?.model} x${os.cpus().length}, Node ${process.version}`)
console.log(`docs snippet (createHmac, string key): ${snippet.toFixed(0)} ns/call`)
console.log(`TrustedIdentity#sign:                  ${sign.toFixed(0)} ns/call`)
console.log(`ratio: ${(snippet / sign).toFixed(2)}x`)
