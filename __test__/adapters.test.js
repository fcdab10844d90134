// One table of requests through every framework adapter (__test__/fixtures/adapters/*.js: Express
// 5 and 4, Fastify 5 and 4, Hono, the Fetch handler, NestJS on Express and on Fastify, and the
// Express and Fastify apps under each query parser they offer), each in a real app on 127.0.0.1
// over HTTP: the same request must get the same status, Cache-Control (error answers included),
// content type and JSON body everywhere, signatures equal to node:crypto's HMAC, no answer
// repeating the platform that was sent, and no secret in any answer; a second table for apps made
// with a `platform` option of their own; and the JSON docs/frameworks.md's table of answers shows,
// asked of every adapter. The rules live in lib/endpoint.js.
'use strict'

const { describe, it, before, after } = require('./known-differences.js').nodeTest(__filename)
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const { TrustedIdentity } = require('..')
const { hmac, assertNoLeak, expectError } = require('./helpers.js')
const { httpRequest } = require('./fixtures/http-request.js')

const SECRETS = { ios: 'adapters-Secret-ios-51d2', android: 'adapters-Secret-android-0c7e' }
const ALLOWED = ['ios', 'android']
const NUMBER_USER = '!number' // X-Test-User value for which userId() returns a number (a mistake: 500)
// X-Test-User value for which userId() throws (a session store that is down: 500)
const THROWING_USER = '!throw'
const UNICODE_USER = 'ü 用户 🎉 \u00e9'

/** The logged-in user of a request, from its X-Test-User header (percent-encoded), as every fixture's userId. */
function userId(header) {
  if (header === undefined || header === null || header === '') return undefined
  if (header === NUMBER_USER) return 42
  if (header === THROWING_USER) throw Object.assign(new Error('the session store is down'), { code: 'E_SESSION' })
  return decodeURIComponent(header)
}

const ENDPOINT = '/mtribes/identity'
const user = (id) => ({ 'X-Test-User': encodeURIComponent(id) })
const ok = (id, platform) => ({ status: 200, body: { userId: id, platform, signed: hmac(SECRETS[platform], id) } })
const unauthorized = { status: 401, body: { error: 'not logged in: only a logged-in user can be given a signed id' } }
const badPlatform = (error) => ({ status: 400, body: { error, allowed: ALLOWED } })
const MISSING = badPlatform('platform is missing: pass ?platform=<name> or the X-Mtribes-Platform header')
const REPEATED = badPlatform(
  'platform is given more than once: pass one ?platform=<name> or one X-Mtribes-Platform header',
)
const NOT_CONFIGURED = badPlatform('platform is not configured')
// The framework's own error answer (its body differs from one framework to another): still no-store,
// no secret, and not the id the user function gave.
const INTERNAL = { status: 500, hidden: ['42'] }
// 1,000 parameters before the platform: qs (Express's 'extended' parser) and node:querystring
// ('simple') stop reading at 1,000.
const THOUSAND = Array.from({ length: 1000 }, (_, i) => `p${i}=${i}`).join('&')

const U1 = user('user-1')
// The X-Test-User header of `id` and an X-Mtribes-Platform header of `platform`.
const withHeader = (id, platform) => ({ ...user(id), 'X-Mtribes-Platform': platform })

// [name, query string, request headers, expected answer]
const CASES = [
  ['the platform query parameter', '?platform=ios', U1, ok('user-1', 'ios')],
  ['the X-Mtribes-Platform header', '', withHeader('user-1', 'android'), ok('user-1', 'android')],
  ['the query parameter wins over the header', '?platform=ios', withHeader('u', 'android'), ok('u', 'ios')],
  ['a unicode user id', '?platform=android', user(UNICODE_USER), ok(UNICODE_USER, 'android')],
  ['other query parameters are ignored', '?x=1&platform=ios&y=2', user('user-2'), ok('user-2', 'ios')],
  ['nobody logged in', '?platform=ios', {}, unauthorized],
  ['nobody logged in, an unconfigured platform: 401 before 400', '?platform=roku', {}, unauthorized],
  ['nobody logged in, no platform: 401 before 400', '', {}, unauthorized],
  ['nobody logged in, a repeated platform: 401 before 400', '?platform=ios&platform=android', {}, unauthorized],
  ['no platform', '', U1, MISSING],
  ['an empty platform query parameter', '?platform=', U1, MISSING],
  ['an empty query parameter does not fall back to the header', '?platform=', withHeader('user-1', 'ios'), MISSING],
  ['an empty header', '', withHeader('user-1', ''), MISSING],
  ['an unconfigured platform', '?platform=roku', U1, NOT_CONFIGURED],
  ['a platform in the wrong case', '?platform=IOS', U1, NOT_CONFIGURED],
  ['a prototype key', '?platform=__proto__', U1, NOT_CONFIGURED],
  ['an unconfigured header', '', withHeader('user-1', 'roku'), NOT_CONFIGURED],
  ['the query parameter twice', '?platform=ios&platform=ios', U1, REPEATED],
  ['two different query parameters', '?platform=ios&platform=android', U1, REPEATED],
  ['the header twice', '', withHeader('user-1', ['ios', 'android']), REPEATED],
  ['a header listing two platforms', '', withHeader('user-1', 'ios, android'), REPEATED],
  // The query string, read raw by the endpoint's own rule (the parameters named exactly `platform`,
  // names and values form-decoded as URLSearchParams does), whatever the framework's parser makes of it.
  ['platform[]= is another name', '?platform[]=ios', U1, MISSING],
  [
    'platform[0]= is another name: the header is used',
    '?platform[0]=ios',
    withHeader('user-1', 'android'),
    ok('user-1', 'android'),
  ],
  ['platform.x= is another name', '?platform.x=ios', U1, MISSING],
  ['platform= next to platform[]=: only platform counts', '?platform=ios&platform[]=android', U1, ok('user-1', 'ios')],
  ['platform= after 1,000 other parameters', `?${THOUSAND}&platform=ios`, U1, ok('user-1', 'ios')],
  ['a second platform= after 1,000 other parameters', `?platform=ios&${THOUSAND}&platform=android`, U1, REPEATED],
  ['a percent-encoded name', '?p%6Catform=ios', U1, ok('user-1', 'ios')],
  ['a percent-encoded name next to platform=', '?platform=ios&p%6Catform=ios', U1, REPEATED],
  ['a percent-encoded value', '?platform=%69%6F%73', U1, ok('user-1', 'ios')],
  ['a + in the value is a space', '?platform=ios+', U1, NOT_CONFIGURED],
  ['a + in the name is a space', '?platform+=ios', U1, MISSING],
  ['a name in another case', '?Platform=ios', U1, MISSING],
  ['a name without =: empty, no fallback to the header', '?platform', withHeader('user-1', 'ios'), MISSING],
  ['empty pairs around it', '?&&platform=ios&', U1, ok('user-1', 'ios')],
  // Errors: the framework's own answer, with the endpoint's headers.
  ['a number as user id', '?platform=ios', { 'X-Test-User': NUMBER_USER }, INTERNAL],
  ['a throwing userId', '?platform=ios', { 'X-Test-User': THROWING_USER }, INTERNAL],
]

// The app's own `platform` option (each fixture's, given the X-Test-Platform header) replaces the
// default rule: the query parameter and the X-Mtribes-Platform header are not read, and a 400 for
// what it gave names the option rather than advising `?platform=`.
/** The fixtures' platform option: the X-Test-Platform header; several (joined `ios, android` by Node and Fetch) as a list. */
function platformOption(header) {
  return typeof header === 'string' && header.includes(',') ? header.split(', ') : header
}
const byOption = (platform) => ({ 'X-Test-Platform': platform })
const OPTION_MISSING = badPlatform('platform is missing: the platform option gave none for this request')
const OPTION_REPEATED = badPlatform('platform is given more than once: the platform option gave several')

// [name, query string, request headers, expected answer], for apps made with the platform option
const OPTION_CASES = [
  ['the option gives the platform', '', { ...U1, ...byOption('android') }, ok('user-1', 'android')],
  [
    'the option wins over the query parameter and the header',
    '?platform=ios',
    { ...withHeader('user-1', 'ios'), ...byOption('android') },
    ok('user-1', 'android'),
  ],
  ['the option gives none, ?platform=ios is not read', '?platform=ios', U1, OPTION_MISSING],
  ['the option gives none, the header is not read', '', withHeader('user-1', 'ios'), OPTION_MISSING],
  ['the option gives an empty string', '?platform=ios', { ...U1, ...byOption('') }, OPTION_MISSING],
  ['the option gives an unconfigured platform', '', { ...U1, ...byOption('roku') }, NOT_CONFIGURED],
  ['the option gives two platforms', '', { ...U1, ...byOption('ios, android') }, OPTION_REPEATED],
  ["nobody logged in: 401 before the option's 400", '?platform=ios', {}, unauthorized],
]

/**
 * The answers the documentation shows in its table of answers (the `| request | answer |` table of
 * docs/frameworks.md, and of README.md if it has one): each answer cell's `<status> <JSON>` code
 * spans, as { where, status, json } (json: the JSON text as shown).
 */
function documentedAnswers() {
  const answers = []
  for (const doc of ['docs/frameworks.md', 'README.md']) {
    const lines = fs.readFileSync(path.join(__dirname, '..', doc), 'utf8').split('\n')
    lines.forEach((line, index) => {
      if (!/^\|\s*request\s*\|\s*answer\s*\|/.test(line)) return
      for (let row = index + 2; row < lines.length && lines[row].startsWith('|'); row++) {
        const answer = lines[row].split('|').at(-2)
        for (const [, status, json] of answer.matchAll(/`(\d{3}) (\{[^`]*\})`/g)) {
          answers.push({ where: `${doc}:${row + 1}`, status: Number(status), json })
        }
      }
    })
  }
  return answers
}
const DOCUMENTED = documentedAnswers()

/**
 * The cases of `cases` whose expected answer a documented one shows: the same status and, where the
 * body has them, the same error and the same user id and platform. A 500 is the framework's own
 * answer (its body differs between frameworks): the table shows the Fetch handler's, which answers
 * errors itself, so it is checked against the Fetch fixture only.
 */
function casesShown(documented, cases, adapterName) {
  if (documented.status === 500 && adapterName !== 'Fetch') return []
  const body = JSON.parse(documented.json)
  return cases.filter(
    ([, , , expected]) =>
      expected.status === documented.status &&
      (expected.body === undefined || // the framework's own answer (INTERNAL)
        ['error', 'userId', 'platform'].every((key) => body[key] === undefined || body[key] === expected.body[key])),
  )
}

/** A JSON answer as the documentation shows it: its signature as `<64 hex>`, keys in their order. */
function asDocumented(text) {
  const body = JSON.parse(text)
  if (typeof body.signed === 'string' && /^[0-9a-f]{64}$/.test(body.signed)) body.signed = '<64 hex>'
  return JSON.stringify(body)
}

/** Asks the app every request of `cases` that a documented answer shows; each answer must be the JSON shown. */
async function assertDocumentedAnswers(app, cases, adapterName) {
  for (const documented of DOCUMENTED) {
    for (const [name, query, headers] of casesShown(documented, cases, adapterName)) {
      const answer = await quietly(() => get(`${app.url}${ENDPOINT}${query}`, headers))
      assert.equal(answer.status, documented.status, `${documented.where} (${name})`)
      assert.equal(
        asDocumented(answer.text),
        JSON.stringify(JSON.parse(documented.json)),
        `${documented.where} (${name})`,
      )
    }
  }
}

/**
 * The one check of an answer: its status, Cache-Control: no-store, no secret, none of `hidden`;
 * for the endpoint's own answers (`body` given) also the JSON content type and the body.
 */
function assertAnswer({ status, headers, text }, expected) {
  assert.equal(status, expected.status, text)
  assert.equal(headers.get('cache-control'), 'no-store')
  assertNoLeak(text, Object.values(SECRETS), 'the answer')
  for (const shown of expected.hidden ?? []) assert.ok(!text.includes(shown), text)
  if (expected.body === undefined) return
  assert.match(headers.get('content-type') ?? '', /^application\/json/)
  assert.deepEqual(JSON.parse(text), expected.body)
}

/**
 * What `fn` resolves to, console.error silenced meanwhile (Hono's own onError and the Fetch
 * handler's default report there).
 */
async function quietly(fn) {
  const original = console.error
  console.error = () => {}
  try {
    return await fn()
  } finally {
    console.error = original
  }
}

/** GET `url` (headers as given); resolves to { status, headers, text }. */
async function get(url, headers) {
  const r = await httpRequest(url, { headers })
  return { status: r.status, headers: r.headers, text: await r.text() }
}

const FIXTURES = path.join(__dirname, 'fixtures', 'adapters')
// A fixture file exports one fixture, or several as { fixtures }.
const adapters = fs
  .readdirSync(FIXTURES)
  .filter((name) => name.endsWith('.js'))
  .sort()
  .map((name) => require(path.join(FIXTURES, name)))
  .flatMap((exported) => exported.fixtures ?? [exported])
  .filter((fixture) => typeof fixture.start === 'function')

describe('every adapter is listed', () => {
  it('the fixtures cover each framework entry of package.json', () => {
    const names = adapters.map((a) => a.name).join(', ')
    const frameworks = ['Express 5', 'Express 4', 'Fastify 5', 'Fastify 4', 'Hono', 'Fetch']
    const nest = ['NestJS (Express)', 'NestJS (Fastify)']
    const parsers = ["'extended'", "'simple'", 'false', 'a function'].flatMap((setting) => [
      `Express 5, query parser ${setting}`,
      `Express 4, query parser ${setting}`,
    ])
    const others = ['Fastify 5, a querystringParser', 'Fastify 4, a querystringParser', "Hono, Hono's own onError"]
    for (const framework of [...frameworks, ...nest, ...parsers, ...others]) {
      assert.ok(
        adapters.some((a) => a.name === framework),
        `no fixture named ${framework} (have ${names})`,
      )
    }
  })
})

for (const adapter of adapters) {
  describe(adapter.name, { skip: adapter.skip }, () => {
    const signer = new TrustedIdentity(SECRETS)
    let app

    before(async () => {
      app = await adapter.start({ signer, userId })
    })
    after(() => app?.close())

    for (const [name, query, headers, expected] of CASES) {
      it(`${name}: ${expected.status}`, async () => {
        assertAnswer(await quietly(() => get(`${app.url}${ENDPOINT}${query}`, headers)), expected)
      })
    }

    it('does not echo the platform it was given', async () => {
      const answer = await get(`${app.url}${ENDPOINT}?platform=%3Cb%3Eecho-me`, U1)
      assertAnswer(answer, { ...NOT_CONFIGURED, hidden: ['echo-me'] })
    })

    it('gives the answers the table of answers shows, as shown', async () => {
      await assertDocumentedAnswers(app, CASES, adapter.name)
    })
  })

  describe(`${adapter.name}, with a platform option`, { skip: adapter.skip }, () => {
    let app

    before(async () => {
      app = await adapter.start({ signer: new TrustedIdentity(SECRETS), userId, platform: platformOption })
    })
    after(() => app?.close())

    for (const [name, query, headers, expected] of OPTION_CASES) {
      it(`${name}: ${expected.status}`, async () => {
        assertAnswer(await get(`${app.url}${ENDPOINT}${query}`, headers), expected)
      })
    }

    it('gives the answers the table of answers shows, as shown', async () => {
      await assertDocumentedAnswers(app, OPTION_CASES, adapter.name)
    })
  })
}

describe('the table of answers (docs/frameworks.md#the-answers)', () => {
  it('shows a 200, a 401, the 400s and a 500, in JSON', () => {
    const shown = DOCUMENTED.map((documented) => documented.status)
    for (const status of [200, 401, 400, 500]) assert.ok(shown.includes(status), `no ${status} in ${shown}`)
    for (const documented of DOCUMENTED) assert.doesNotThrow(() => JSON.parse(documented.json), documented.where)
  })

  it('shows only answers of the shared tables, which every adapter is asked above', () => {
    const unmatched = DOCUMENTED.filter(
      (documented) =>
        casesShown(documented, CASES, 'Fetch').length + casesShown(documented, OPTION_CASES, 'Fetch').length === 0,
    )
    assert.deepEqual(
      unmatched.map((documented) => `${documented.where}: ${documented.status} ${documented.json}`),
      [],
    )
  })
})

describe("every handler checks its options when it is made, in its framework's words", () => {
  // Each entry's name: how its docs name the request, and its option keys as the message lists them.
  const ENTRIES = {
    express: { request: 'req', keys: 'signer, userId and platform' },
    fastify: { request: 'request', keys: 'signer, userId and platform' },
    fetch: { request: 'request', keys: 'signer, userId, platform and onError' },
    hono: { request: 'c', keys: 'signer, userId and platform' },
  }
  // VALUE stands for what a user may have put in an option: no message may show it.
  const VALUE = 'secret-looking-value'
  for (const [entry, { request, keys }] of Object.entries(ENTRIES)) {
    const { trustedIdentityHandler } = require(`mtribes-trusted-identity/${entry}`)
    const TYPE = 'ERR_INVALID_ARG_TYPE'
    const anObject = new RegExp(`^options must be an object such as \\{ userId: .*\\(${request}\\) =>`)
    const u = () => 'u'
    // [name, options, code, what the message says]
    const cases = [
      ['no options', undefined, TYPE, anObject],
      ['options a string', VALUE, TYPE, anObject],
      ['no userId', {}, TYPE, new RegExp(`^options\\.userId must be a function .*\\(${request}\\) =>`)],
      ['a string as userId', { userId: VALUE }, TYPE, /options\.userId must be a function.*\(received type string\)/],
      ['platform not a function', { userId: u, platform: 'ios' }, TYPE, /^options\.platform must be a function/],
      ['secrets as signer', { userId: u, signer: { ios: VALUE } }, TYPE, /^options\.signer must be a TrustedIdentity/],
      [
        'an unknown option',
        { userId: u, secrets: { ios: VALUE } },
        'ERR_INVALID_ARG_VALUE',
        new RegExp(`^options has an unknown key; the keys are ${keys}$`),
      ],
    ]
    for (const [name, options, code, message] of cases) {
      it(`${entry}: ${name}: TypeError ${code}, the value not echoed`, () => {
        expectError(() => trustedIdentityHandler(options), { type: TypeError, code, message, secrets: [VALUE] })
      })
    }
  }
})

describe('options are read by own properties only: an app made while Object.prototype holds every option name answers as without', () => {
  const { withPollutedPrototype } = require('./fixtures/pollution.js')
  for (const adapter of adapters) {
    const skip = adapter.skip ?? adapter.skipUnderPollution
    it(`${adapter.name}: 200, 400 and 401 as without pollution, signed with its own signer`, { skip }, async () => {
      // Made (options read) while polluted; asked after, so only what was read at setup can differ.
      // No prototype on start's own argument: the fixture would read the polluted `platform` there.
      const start = { __proto__: null, signer: new TrustedIdentity(SECRETS), userId }
      const app = await withPollutedPrototype(() => adapter.start(start))
      try {
        for (const [, query, headers, expected] of [CASES[0], CASES[5], CASES[9]]) {
          assertAnswer(await get(`${app.url}${ENDPOINT}${query}`, headers), expected)
        }
      } finally {
        await app.close()
      }
    })
  }
})

describe('every framework entry: the ES module (its import condition) gives what require gives', () => {
  for (const entry of ['express', 'fastify', 'hono', 'fetch', 'nest']) {
    it(`lib/${entry}.mjs`, async () => {
      const cjs = require(`../lib/${entry}.js`)
      const esm = await import(`../lib/${entry}.mjs`)
      assert.deepEqual(Object.keys(esm).sort(), Object.keys(cjs).sort())
      for (const name of Object.keys(cjs)) assert.equal(esm[name], cjs[name], name)
    })
  }
})

describe('the Fetch handler answers unexpected errors itself (500, no-store) and hands them to options.onError', () => {
  // By a computed name, as the option table above does: Deno type-checks a literal require's types,
  // and resolves fetch.d.ts's './endpoint.js' to the JavaScript file rather than endpoint.d.ts.
  const { trustedIdentityHandler } = require(['mtribes-trusted-identity', 'fetch'].join('/'))
  const disposed = new TrustedIdentity(SECRETS)
  disposed.dispose()
  const fail = (code) => {
    throw Object.assign(new Error(`${code} failed`), { code })
  }
  const throwing = () => fail('E_SESSION')
  // How the case's onError reports: each records the code of the error and whether it got the request.
  const REPORTERS = {
    records: () => {},
    throws: () => fail('E_REPORTER'),
    rejects: async () => fail('E_REPORTER'),
  }
  const INTERNAL_ERROR = {
    status: 500,
    cacheControl: 'no-store',
    contentType: 'application/json; charset=utf-8',
    body: { error: 'internal error' },
  }
  // What onError and console.error got: to onError, or (the default) to console.error.
  const toOnError = (code) => ({ onError: [code], console: [] })
  const toConsole = (code) => ({ onError: [], console: [code] })
  const number = { userId: () => 42 }
  const disposedSigner = { userId: () => 'user-1', signer: disposed }

  // [name, handler options, onError (a REPORTERS key, or 'the default'), the codes onError and console.error got]
  const cases = [
    ['a throwing userId', { userId: throwing }, 'records', toOnError('E_SESSION')],
    ['a throwing userId', { userId: throwing }, 'the default', toConsole('E_SESSION')],
    ['a rejecting userId', { userId: async () => throwing() }, 'records', toOnError('E_SESSION')],
    ['a rejecting userId', { userId: async () => throwing() }, 'the default', toConsole('E_SESSION')],
    ['a number as user id', number, 'records', toOnError('ERR_INVALID_ARG_TYPE')],
    ['a number as user id', number, 'the default', toConsole('ERR_INVALID_ARG_TYPE')],
    ['a disposed signer', disposedSigner, 'records', toOnError('ERR_TRUSTED_IDENTITY_DISPOSED')],
    ['a disposed signer', disposedSigner, 'the default', toConsole('ERR_TRUSTED_IDENTITY_DISPOSED')],
    // A failing reporter changes nothing in the answer, and what it threw is not lost.
    ['a number as user id', number, 'throws', { onError: ['ERR_INVALID_ARG_TYPE'], console: ['E_REPORTER'] }],
    ['a number as user id', number, 'rejects', { onError: ['ERR_INVALID_ARG_TYPE'], console: ['E_REPORTER'] }],
  ]

  /** Asks `handler` once with console.error recording; gives the answer and the codes each reporter got. */
  async function outcome(makeHandler, reported) {
    const original = console.error
    const logged = []
    console.error = (...args) => logged.push(args.at(-1)?.code)
    try {
      const request = new Request(`http://127.0.0.1${ENDPOINT}?platform=ios`)
      const r = await makeHandler(request)(request)
      await new Promise(setImmediate) // a rejecting onError settles
      const answer = {
        status: r.status,
        cacheControl: r.headers.get('cache-control'),
        contentType: r.headers.get('content-type'),
        body: await r.json(),
      }
      const onError = reported.filter((call) => call.request === request).map((call) => call.code)
      return { answer, onError, console: logged }
    } finally {
      console.error = original
    }
  }

  for (const [name, options, reporter, expected] of cases) {
    const told = (codes) => codes.join(', ') || 'nothing'
    const what = `${told(expected.onError)} to onError, ${told(expected.console)} to console.error`
    it(`${name}, onError ${reporter}: 500 { error: 'internal error' }; ${what}`, async () => {
      const reported = []
      const record = (error, request) => (reported.push({ code: error?.code, request }), REPORTERS[reporter]())
      const onError = reporter === 'the default' ? {} : { onError: record }
      const makeHandler = () => trustedIdentityHandler({ signer: new TrustedIdentity(SECRETS), ...options, ...onError })
      assert.deepEqual(await outcome(makeHandler, reported), { answer: INTERNAL_ERROR, ...expected })
    })
  }

  it('an onError inherited from a polluted Object.prototype is never used: the default reports', async () => {
    const reported = []
    const got = await outcome(() => {
      Object.prototype.onError = (error, request) => reported.push({ code: error?.code, request })
      try {
        return trustedIdentityHandler({ userId: () => 42, signer: new TrustedIdentity(SECRETS) })
      } finally {
        delete Object.prototype.onError
      }
    }, reported)
    assert.deepEqual(got, { answer: INTERNAL_ERROR, onError: [], console: ['ERR_INVALID_ARG_TYPE'] })
  })

  it('an onError that is not a function: TypeError ERR_INVALID_ARG_TYPE naming it, the value not echoed', () => {
    for (const value of ['secret-looking-value', null, {}]) {
      expectError(() => trustedIdentityHandler({ userId: () => 'u', onError: value }), {
        type: TypeError,
        code: 'ERR_INVALID_ARG_TYPE',
        message: /^options\.onError must be a function/,
        secrets: ['secret-looking-value'],
      })
    }
  })
})

// fast-check against new URL().searchParams: the reference is what a Fetch Request's URL gives.
describe("the query rule reads a URL's platform parameters as URLSearchParams does", () => {
  const fc = require('fast-check')
  const { requestedPlatform } = require(path.join(__dirname, '..', 'lib', 'endpoint.js'))
  const SETTINGS = {
    numRuns: Number(process.env.MTI_PROPS_RUNS ?? 3000),
    seed: Number(process.env.MTI_PROPS_SEED ?? 20261124),
    endOnFailure: true,
  }
  // Pieces of queries: the name and its percent-encodings, the separators, +, escapes good and bad,
  // multibyte and unpaired UTF-16, a second ? and a #.
  const piece = fc.oneof(
    fc.constantFrom(
      ...['platform', 'p', 'l', 'a', 't', 'f', 'o', 'r', 'm', 'ios', '=', '&', '&', '+', '%', '%2B', '%20'],
      ...['%6C', '%6c', '%70', '%E9', '%C3%A9', '%FF', '%G1', '%2', '?', '#', '[', ']', '.', ';', ' '],
      ...['é', '😀', '\uD800', '\uFEFF'],
    ),
    fc.string({ maxLength: 3 }),
  )
  // Without what the URL parser drops before it reads a query (tabs and newlines anywhere, C0
  // controls and spaces at the end), which a request target cannot hold anyway.
  const query = fc.array(piece, { maxLength: 24 }).map((pieces) =>
    pieces
      .join('')
      .replace(/[\t\n\r]/g, '')
      .replace(/[\0-\x20]+$/, ''),
  )

  it('the values of every parameter named platform, in order; none: the header', () => {
    fc.assert(
      fc.property(query, (q) => {
        // The reference: what a Fetch Request's URL gives (Node's URLSearchParams on a raw string
        // decodes a value holding both a bad escape and a non-ASCII character as Latin-1: '%FFé' as '��').
        const expected = new URL(`http://127.0.0.1${ENDPOINT}?${q}`).searchParams.getAll('platform')
        const got = requestedPlatform(`${ENDPOINT}?${q}`, 'the-header')
        assert.deepEqual(got, expected.length > 0 ? expected : 'the-header')
      }),
      SETTINGS,
    )
  })
})

describe('the query rule uses built-ins taken when endpoint.js loaded: patching them later changes nothing', () => {
  // endpoint.js is internal (no entry exports it): its rule is what every adapter above calls.
  const { requestedPlatform } = require(path.join(__dirname, '..', 'lib', 'endpoint.js'))
  // [the built-in, its owner, a replacement that would read another platform if it were used]
  const patches = [
    ['URLSearchParams.prototype.getAll', URLSearchParams.prototype, 'getAll', () => ['android']],
    ['String.prototype.indexOf', String.prototype, 'indexOf', () => -1],
    ['String.prototype.slice', String.prototype, 'slice', () => '?platform=android'],
    ['Function.prototype.call', Function.prototype, 'call', () => ['android']],
  ]
  for (const [name, owner, key, replacement] of patches) {
    it(`${name} replaced: /mtribes/identity?x=1&platform=ios#top is still ['ios']`, () => {
      const original = owner[key]
      owner[key] = replacement
      let platform
      try {
        platform = requestedPlatform(`${ENDPOINT}?x=1&platform=ios#top`, 'android')
      } finally {
        owner[key] = original
      }
      assert.deepEqual(platform, ['ios'])
    })
  }
})
