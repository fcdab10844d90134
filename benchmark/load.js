// `npm run load` (not in CI): autocannon on 127.0.0.1 against identity endpoints signed with TrustedIdentity
// and with the docs' snippet, each server in a child process made by SERVERS below (add variants there).
// Details: CONTRIBUTING.md, Scripts.
'use strict'

const crypto = require('node:crypto')
const http = require('node:http')
const os = require('node:os')
const { fork } = require('node:child_process')

/** Answers `GET /mtribes/identity?platform=ios&id=<user id>` with `sign(id, platform)` as JSON. */
function identityHandler(sign) {
  return (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1')
    const userId = url.searchParams.get('id')
    const platform = url.searchParams.get('platform')
    if (url.pathname !== '/mtribes/identity' || !userId || platform !== 'ios') {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"bad request"}')
      return
    }
    const body = JSON.stringify({ userId, platform, signed: sign(userId, platform) })
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(body)
  }
}

/** The servers under test: name -> factory returning an http.Server (not yet listening). */
const SERVERS = {
  'TrustedIdentity#sign': () => {
    const { TrustedIdentity } = require('..')
    const identity = TrustedIdentity.fromEnv({ platforms: ['ios'] })
    return http.createServer(identityHandler((userId, platform) => identity.sign(userId, platform)))
  },
  'docs snippet (createHmac)': () => {
    const MTRIBES_IOS_SECRET = process.env.MTRIBES_IOS_SECRET
    return http.createServer(
      identityHandler((userId) => crypto.createHmac('sha256', MTRIBES_IOS_SECRET).update(userId).digest('hex')),
    )
  },
  // The shipped Express handler (the user id comes from ?id= here, in place of a login).
  'Express + trustedIdentityHandler': () => {
    const express = require('express')
    const { trustedIdentityHandler } = require('../lib/express.js')
    const app = express()
    app.get('/mtribes/identity', trustedIdentityHandler({ userId: (req) => req.query.id }))
    return http.createServer(app)
  },
  // The same endpoint written by hand in Express around the docs snippet.
  'Express + docs snippet': () => {
    const express = require('express')
    const MTRIBES_IOS_SECRET = process.env.MTRIBES_IOS_SECRET
    const app = express()
    app.get('/mtribes/identity', (req, res) => {
      const userId = req.query.id
      const platform = req.query.platform
      if (typeof userId !== 'string' || platform !== 'ios') return res.status(400).json({ error: 'bad request' })
      res.set('Cache-Control', 'no-store')
      res.json({
        userId,
        platform,
        signed: crypto.createHmac('sha256', MTRIBES_IOS_SECRET).update(userId).digest('hex'),
      })
    })
    return http.createServer(app)
  },
}

// ---------------------------------------------------------------------------------------------
// Child: make the server and report its port.
if (process.argv[2] === '--serve') {
  const server = SERVERS[process.argv[3]]()
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }))
  process.on('disconnect', () => process.exit(0))
  return
}

// ---------------------------------------------------------------------------------------------
// Parent: for each server, start it, check one answer against node:crypto, then load it.
const autocannon = require('autocannon')

const SECONDS = Number(process.env.LOAD_SECONDS ?? 20)
const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 10)
const SECRET = crypto.randomBytes(24).toString('base64url')

function start(name) {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['--serve', name], { env: { ...process.env, MTRIBES_IOS_SECRET: SECRET } })
    child.once('message', ({ port }) => resolve({ child, port }))
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`server ${name} exited with ${code}`)))
  })
}

async function checkAnswer(port) {
  const userId = 'check-user-é😀'
  const response = await fetch(
    `http://127.0.0.1:${port}/mtribes/identity?platform=ios&id=${encodeURIComponent(userId)}`,
  )
  const { signed } = await response.json()
  const expected = crypto.createHmac('sha256', SECRET).update(userId).digest('hex')
  if (signed !== expected) throw new Error(`wrong signature from the server: ${signed}`)
}

async function load(name) {
  const { child, port } = await start(name)
  try {
    await checkAnswer(port)
    const options = {
      url: `http://127.0.0.1:${port}/mtribes/identity?platform=ios&id=user-[<id>]`,
      idReplacement: true,
      connections: CONNECTIONS,
    }
    await autocannon({ ...options, duration: 2 }) // warm-up, not counted
    const result = await autocannon({ ...options, duration: SECONDS })
    return {
      name,
      requestsPerSecond: result.requests.average,
      p99: result.latency.p99,
      errors: result.errors + result.timeouts + result.non2xx,
      total: result.requests.total,
    }
  } finally {
    child.removeAllListeners('exit')
    child.disconnect()
  }
}

async function main() {
  console.log(`machine: ${os.cpus()[0]?.model} x${os.cpus().length}, Node ${process.version}`)
  console.log(`autocannon: ${CONNECTIONS} connections, ${SECONDS} s per server, 127.0.0.1\n`)
  const rows = []
  for (const name of Object.keys(SERVERS)) {
    console.log(`loading ${name} ...`)
    rows.push(await load(name))
  }
  // autocannon records latency in whole milliseconds: a p99 of 0 means under 1 ms (and its mean
  // latency is too coarse to print).
  console.log('\n| server | requests/s (mean) | p99 latency | errors (incl. timeouts, non-2xx) | requests |')
  console.log('| --- | --- | --- | --- | --- |')
  for (const row of rows) {
    const p99 = row.p99 === 0 ? '< 1 ms' : `${row.p99} ms`
    const rps = Math.round(row.requestsPerSecond).toLocaleString('en')
    console.log(`| ${row.name} | ${rps} | ${p99} | ${row.errors} | ${row.total.toLocaleString('en')} |`)
  }
  if (rows.some((row) => row.errors > 0)) process.exitCode = 1
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
