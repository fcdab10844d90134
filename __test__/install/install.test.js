// Install test (`npm run test:install`, needs `npm run build` first): packs the main package and the
// linux-x64-gnu platform package, installs both with express from the registry into a fresh project
// outside this repo, then requires and imports the package there and checks a signature against
// node:crypto. Also installs with --omit=optional to check the loader's error. Linux x64 glibc only.
'use strict'

const { describe, it, before, after } = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawnSync } = require('node:child_process')

const ROOT = path.join(__dirname, '..', '..')
const main = require('../../package.json')
const TARGET = 'linux-x64-gnu'
const PLATFORM_PACKAGE = `${main.name}-${TARGET}`
const { cleanEnv, runNpm, binaryName, packMainAndPlatform } = require('../../scripts/local-packages.js')

const BINARY = binaryName(TARGET)
const SKIP =
  (process.platform !== 'linux' || process.arch !== 'x64' || require('../../lib/loader.js').detectMusl()) &&
  'the install test packs the linux-x64-gnu binary: Linux x64 glibc only'

function node(cwd, args, env = cleanEnv) {
  return spawnSync(process.execPath, args, { cwd, env, encoding: 'utf8', timeout: 60_000 })
}

function makeProject(dir, name) {
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }))
  return dir
}

let tmp, tarballs, project, mainFiles
before(() => {
  if (SKIP) return
  assert.ok(fs.existsSync(path.join(ROOT, BINARY)), `${BINARY} not found: run \`npm run build\` first`)
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mti-install-'))
  // Nothing above the project may hold a node_modules folder that Node would search.
  for (let d = tmp; d !== path.dirname(d); d = path.dirname(d)) {
    assert.ok(!fs.existsSync(path.join(path.dirname(d), 'node_modules')), `${path.dirname(d)}/node_modules exists`)
  }
  mainFiles = JSON.parse(runNpm(['pack', '--dry-run', '--json'], ROOT))[0]
    .files.map((f) => f.path)
    .sort()
  // The platform package as CI publishes it: npm/<target> plus the binary (here, from `npm run build`).
  tarballs = packMainAndPlatform(tmp, TARGET)

  project = makeProject(path.join(tmp, 'app'), 'install-test-app')
  runNpm(['install', '--no-audit', '--no-fund', tarballs.main, tarballs.platform, 'express'], project)
})
after(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
})

const SECRET = 'install-test-secret'
const expected = (id) => crypto.createHmac('sha256', SECRET).update(id).digest('hex')

describe('the packed main package', { skip: SKIP }, () => {
  it('ships exactly the files package.json lists, with README and package.json (which npm adds)', () => {
    // A folder in files (lib/) ships every file in it.
    const listed = main.files.flatMap((file) =>
      file.endsWith('/') ? fs.readdirSync(path.join(ROOT, file)).map((name) => `${file}${name}`) : [file],
    )
    assert.deepEqual(mainFiles, [...listed, 'README.md', 'package.json'].sort())
    assert.ok(
      mainFiles.includes('lib/loader.js') && mainFiles.includes('lib/express.js') && mainFiles.includes('lib/cli.js'),
    )
  })

  it('lists every platform package as an optional dependency pinned to its own version', () => {
    const installed = require(path.join(project, 'node_modules', main.name, 'package.json'))
    for (const dep of Object.keys(installed.optionalDependencies))
      assert.equal(installed.optionalDependencies[dep], main.version, dep)
    assert.ok(PLATFORM_PACKAGE in installed.optionalDependencies)
  })
})

describe('installed with express into a fresh project', { skip: SKIP }, () => {
  it('require() works and signs like node:crypto, with the binary from the platform package', () => {
    const r = node(project, [
      '-e',
      `const { TrustedIdentity } = require('${main.name}')
      const loaded = require('${main.name}/package.json') && require.resolve('${main.name}')
      const ti = new TrustedIdentity({ ios: ${JSON.stringify(SECRET)} })
      console.log(JSON.stringify({ signed: ti.sign('user-1', 'ios'), resolved: loaded,
        from: require(require('path').join(require('path').dirname(loaded), 'lib', 'loader.js')).loadNativeBinding().from }))`,
    ])
    assert.equal(r.status, 0, r.stderr)
    const out = JSON.parse(r.stdout)
    assert.equal(out.signed, expected('user-1'))
    assert.ok(out.resolved.startsWith(path.join(project, 'node_modules', main.name)), out.resolved)
    assert.equal(out.from, PLATFORM_PACKAGE)
  })

  it('import works (ESM named exports) and signs like node:crypto', () => {
    fs.writeFileSync(
      path.join(project, 'esm.mjs'),
      `import { TrustedIdentity, sign } from '${main.name}'
      process.env.MTRIBES_IOS_SECRET = ${JSON.stringify(SECRET)}
      const ti = new TrustedIdentity({ ios: ${JSON.stringify(SECRET)} })
      console.log(JSON.stringify([ti.sign('user-2', 'ios'), sign('user-2', 'ios'), typeof TrustedIdentity.fromEnv]))\n`,
    )
    const r = node(project, ['esm.mjs'])
    assert.equal(r.status, 0, r.stderr)
    assert.deepEqual(JSON.parse(r.stdout), [expected('user-2'), expected('user-2'), 'function'])
  })

  it('an express route signs the logged-in user (served on 127.0.0.1)', () => {
    fs.writeFileSync(
      path.join(project, 'server.js'),
      `const express = require('express')
      const { TrustedIdentity } = require('${main.name}')
      const identity = TrustedIdentity.fromEnv({ platforms: ['ios'] })
      const app = express()
      app.get('/mtribes/identity', (req, res) => res.json({ signed: identity.sign(String(req.query.user), 'ios') }))
      const server = app.listen(0, '127.0.0.1', async () => {
        try {
          const res = await fetch('http://127.0.0.1:' + server.address().port + '/mtribes/identity?user=user-3')
          console.log(JSON.stringify(await res.json()))
        } finally {
          server.close()
        }
      })\n`,
    )
    const r = node(project, ['server.js'], { ...cleanEnv, MTRIBES_IOS_SECRET: SECRET })
    assert.equal(r.status, 0, r.stderr)
    assert.deepEqual(JSON.parse(r.stdout), { signed: expected('user-3') })
  })

  it('the shipped Express handler (mtribes-trusted-identity/express) answers for the logged-in user', () => {
    fs.writeFileSync(
      path.join(project, 'handler.js'),
      `const express = require('express')
      const { trustedIdentityHandler } = require('${main.name}/express')
      const app = express()
      app.get('/mtribes/identity', trustedIdentityHandler({ userId: (req) => req.query.user }))
      const server = app.listen(0, '127.0.0.1', async () => {
        try {
          const res = await fetch('http://127.0.0.1:' + server.address().port + '/mtribes/identity?user=user-4&platform=ios')
          console.log(JSON.stringify({ status: res.status, body: await res.json() }))
        } finally {
          server.close()
        }
      })\n`,
    )
    const r = node(project, ['handler.js'], { ...cleanEnv, MTRIBES_IOS_SECRET: SECRET })
    assert.equal(r.status, 0, r.stderr)
    assert.deepEqual(JSON.parse(r.stdout), {
      status: 200,
      body: { userId: 'user-4', platform: 'ios', signed: expected('user-4') },
    })
  })

  it('the installed command line tool signs', () => {
    const bin = path.join(project, 'node_modules', '.bin', Object.keys(main.bin)[0])
    const r = spawnSync(bin, ['sign', '--platform', 'ios', 'user-5'], {
      cwd: project,
      env: { ...cleanEnv, MTRIBES_IOS_SECRET: SECRET },
      encoding: 'utf8',
    })
    assert.equal(r.status, 0, r.stderr)
    assert.equal(r.stdout.trim(), expected('user-5'))
  })

  it('nothing resolves into this repo', () => {
    const r = node(project, [
      '-p',
      `[require.resolve('${main.name}'), require.resolve('express'), require.resolve('${PLATFORM_PACKAGE}'),
        ...Object.keys(require.cache)].join('\\n')`,
    ])
    assert.equal(r.status, 0, r.stderr)
    for (const file of r.stdout.trim().split('\n'))
      assert.ok(!file.startsWith(ROOT + path.sep), `${file} is inside the repo`)
  })
})

describe('installed with --omit=optional (the platform package dropped)', { skip: SKIP }, () => {
  it("require() throws the loader's error naming the package to add", () => {
    const dir = makeProject(path.join(tmp, 'app-omit'), 'install-test-omit')
    runNpm(['install', '--no-audit', '--no-fund', '--omit=optional', tarballs.main], dir)
    assert.ok(!fs.existsSync(path.join(dir, 'node_modules', PLATFORM_PACKAGE)))
    const r = node(dir, ['-e', `require('${main.name}')`])
    assert.notEqual(r.status, 0)
    assert.match(r.stderr, /ERR_TRUSTED_IDENTITY_NATIVE_LOAD/)
    assert.ok(r.stderr.includes(`npm install ${PLATFORM_PACKAGE}@${main.version}`), r.stderr)
    assert.ok(r.stderr.includes(`${PLATFORM_PACKAGE} (platform package): not installed`), r.stderr)
  })
})
