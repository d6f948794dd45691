// Black-box check of the tims OpenID Connect provider with the certified
// relying-party library openid-client (v6).
//
// Inputs (environment): ISSUER, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI,
// POST_LOGOUT_REDIRECT_URI, USER_TYPE (default citizen), USER_ID,
// USER_PASSWORD, USER_PHONE, TIMS_CLOCK (`stdio` or absent), and optionally
// EXPECT_ORG ("KRA_PIN:role"; default "P051234567A:admin" for user 12345678).
//
// Output: one line per check, `ok - name` or `not ok - name: reason`, then
// `N passed, M failed`. Exit status 0 only if every check passed.
//
// Clock protocol (TIMS_CLOCK=stdio): print `ADVANCE_MS <n>` on stdout, then
// wait for one line `OK` on stdin. Without it, sleep real time instead.
// Diagnostics go to stderr so stdout carries only the protocol and results.

import * as client from 'openid-client'
import { createInterface } from 'node:readline'

// ---- inputs ---------------------------------------------------------------

function env(name, fallback) {
  const v = process.env[name]
  if (v !== undefined && v !== '') return v
  if (fallback !== undefined) return fallback
  console.log(`not ok - inputs: environment variable ${name} is required`)
  console.log('0 passed, 1 failed')
  process.exit(2)
}

const ISSUER = env('ISSUER').replace(/\/+$/, '')
const CLIENT_ID = env('CLIENT_ID')
const CLIENT_SECRET = env('CLIENT_SECRET')
const REDIRECT_URI = env('REDIRECT_URI')
const POST_LOGOUT_REDIRECT_URI = env('POST_LOGOUT_REDIRECT_URI')
const USER_TYPE = env('USER_TYPE', 'citizen')
const USER_ID = env('USER_ID')
const USER_PASSWORD = env('USER_PASSWORD')
const USER_PHONE = env('USER_PHONE')
const TIMS_CLOCK = process.env.TIMS_CLOCK || ''
const EXPECT_ORG = process.env.EXPECT_ORG || (USER_ID === '12345678' ? 'P051234567A:admin' : '')
const SCOPE = 'openid profile phone organisations offline_access'
const CODE_TTL_MS = 60_000

const ISSUER_URL = new URL(ISSUER)
const ORIGIN = ISSUER_URL.origin

// ---- reporting ------------------------------------------------------------

let passed = 0
let failed = 0

function oneLine(s) {
  return String(s).replace(/\s+/g, ' ').trim()
}

function describe(err) {
  if (err instanceof client.ResponseBodyError) {
    return `HTTP ${err.status} ${err.error}${err.error_description ? ` (${err.error_description})` : ''}`
  }
  if (err instanceof client.WWWAuthenticateChallengeError) {
    return `HTTP ${err.status} WWW-Authenticate challenge ${JSON.stringify(err.cause)}`
  }
  if (err instanceof client.AuthorizationResponseError) {
    return `authorization error ${err.error}${err.error_description ? ` (${err.error_description})` : ''}`
  }
  if (err && typeof err === 'object' && 'message' in err) {
    const code = err.code ? `[${err.code}] ` : ''
    const cause = err.cause && err.cause.message ? `; cause: ${err.cause.message}` : ''
    return `${code}${err.message}${cause}`
  }
  return String(err)
}

class Skip extends Error {}

/** Throws unless the prerequisite is there, so dependent checks fail clearly. */
function need(value, what) {
  if (!value) throw new Skip(`not run: ${what} failed earlier`)
  return value
}

function assert(cond, msg) {
  if (!cond) throw new Error(msg)
}

async function check(name, fn) {
  try {
    const r = await fn()
    passed++
    console.log(`ok - ${name}`)
    return r ?? true
  } catch (err) {
    failed++
    console.log(`not ok - ${name}: ${oneLine(describe(err))}`)
    if (!(err instanceof Skip) && process.env.CHECK_DEBUG) console.error(err)
    return undefined
  }
}

// ---- clock ----------------------------------------------------------------

let stdinLines
function nextStdinLine() {
  if (!stdinLines) {
    const rl = createInterface({ input: process.stdin, crlfDelay: Infinity })
    const queue = []
    const waiters = []
    let closed = false
    rl.on('line', (line) => {
      const w = waiters.shift()
      if (w) w.resolve(line)
      else queue.push(line)
    })
    rl.on('close', () => {
      closed = true
      for (const w of waiters.splice(0)) w.reject(new Error('stdin closed while waiting for OK'))
    })
    stdinLines = {
      rl,
      next: () =>
        new Promise((resolve, reject) => {
          if (queue.length) resolve(queue.shift())
          else if (closed) reject(new Error('stdin closed while waiting for OK'))
          else waiters.push({ resolve, reject })
        }),
    }
  }
  return stdinLines.next()
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

// How far (seconds) the server's clock is ahead of ours. With an injected
// clock the server may run at any time; openid-client checks iat/exp against
// the local clock, so it is told this offset (its clockSkew option). It is
// learnt from the SMS timestamp at sign-in and grows with each ADVANCE_MS.
let skewS = 0

/** Make `ms` milliseconds pass on the server's clock. */
async function advance(ms) {
  if (TIMS_CLOCK === 'stdio') {
    process.stdout.write(`ADVANCE_MS ${ms}\n`)
    const line = (await nextStdinLine()).trim()
    if (line !== 'OK') throw new Error(`clock protocol: expected OK on stdin, got ${JSON.stringify(line)}`)
    skewS += ms / 1000
  } else {
    await sleep(ms)
  }
}

// ---- a tiny browser: cookies by hand, redirects never followed -------------

const jar = new Map()

function storeCookies(res) {
  for (const sc of res.headers.getSetCookie()) {
    const [pair, ...attrs] = sc.split(';')
    const eq = pair.indexOf('=')
    if (eq < 0) continue
    const name = pair.slice(0, eq).trim()
    const value = pair.slice(eq + 1).trim()
    const maxAge = attrs.map((a) => a.trim()).find((a) => /^max-age=/i.test(a))
    const expires = attrs.map((a) => a.trim()).find((a) => /^expires=/i.test(a))
    const gone =
      (maxAge && Number(maxAge.split('=')[1]) <= 0) ||
      (expires && Date.parse(expires.slice(expires.indexOf('=') + 1)) < Date.now()) ||
      value === ''
    if (gone) jar.delete(name)
    else jar.set(name, value)
  }
}

function cookieHeader(overrides) {
  const all = new Map(jar)
  for (const [k, v] of Object.entries(overrides || {})) {
    if (v === null) all.delete(k)
    else all.set(k, v)
  }
  return [...all].map(([k, v]) => `${k}=${v}`).join('; ')
}

/** One HTTP request as a browser would make it, without following redirects. */
async function browse(method, url, { form, cookies } = {}) {
  const u = new URL(url, ORIGIN)
  const headers = { accept: 'text/html,application/json' }
  const c = cookieHeader(cookies)
  if (c) headers.cookie = c
  let body
  if (form) {
    headers['content-type'] = 'application/x-www-form-urlencoded'
    body = new URLSearchParams(form).toString()
  }
  const res = await fetch(u, { method, headers, body, redirect: 'manual' })
  storeCookies(res)
  const text = await res.text()
  const loc = res.headers.get('location')
  return { status: res.status, location: loc ? new URL(loc, u) : null, rawLocation: loc, text, headers: res.headers }
}

function brief(r) {
  return `HTTP ${r.status}${r.rawLocation ? ` Location ${r.rawLocation}` : ''}`
}

// ---- sign-in by hand ------------------------------------------------------

async function smsMessages() {
  const r = await fetch(`${ISSUER}/dev/sms.json?to=${encodeURIComponent(USER_PHONE)}`)
  assert(r.status === 200, `GET /dev/sms.json: HTTP ${r.status}`)
  const list = await r.json()
  assert(Array.isArray(list), 'GET /dev/sms.json: not a JSON array')
  return list
}

async function signIn() {
  const page = await browse('GET', `${ISSUER}/signin`)
  assert(page.status === 200, `GET /signin: ${brief(page)}`)
  const csrf = jar.get('__Host-tims_csrf')
  assert(csrf, 'GET /signin set no __Host-tims_csrf cookie')

  const before = await smsMessages()
  const seen = new Set(before.map((m) => JSON.stringify(m)))

  const r1 = await browse('POST', `${ISSUER}/signin`, {
    form: { csrf, account_type: USER_TYPE, id_number: USER_ID, password: USER_PASSWORD, return_to: '/sso/' },
  })
  assert(r1.status === 303, `POST /signin: expected 303, got ${brief(r1)}`)
  assert(r1.location && r1.location.pathname.endsWith('/signin/code'), `POST /signin: redirected to ${r1.rawLocation}, not the code page`)
  const pending = jar.get('__Host-tims_session')
  assert(pending, 'POST /signin set no __Host-tims_session cookie')

  let message
  const deadline = Date.now() + 5000
  for (;;) {
    const list = await smsMessages()
    const fresh = list.filter((m) => !seen.has(JSON.stringify(m)))
    if (list.length && fresh.length) {
      message = list[0]
      break
    }
    if (Date.now() > deadline) throw new Error(`no new SMS to ${USER_PHONE} within 5 s`)
    await sleep(100)
  }
  if (Number.isFinite(message.at_ms) && message.at_ms > 0) {
    const off = Math.round((message.at_ms - Date.now()) / 1000)
    if (Math.abs(off) > 5) {
      skewS = off
      console.error(`# the server clock is ${off} s ahead of the local clock; telling openid-client`)
    }
  }
  const m = /(?<!\d)(\d{6})(?!\d)/.exec(String(message.body))
  assert(m, `no 6-digit code in SMS ${JSON.stringify(message.body)}`)

  const returnTo = r1.location.searchParams.get('return_to') || '/sso/'
  const r2 = await browse('POST', `${ISSUER}/signin/code`, { form: { csrf, code: m[1], return_to: returnTo } })
  assert(r2.status === 303, `POST /signin/code: expected 303, got ${brief(r2)}`)
  assert(r2.location && r2.location.pathname.startsWith(ISSUER_URL.pathname), `POST /signin/code: redirected to ${r2.rawLocation}`)
  const active = jar.get('__Host-tims_session')
  assert(active, 'POST /signin/code left no __Host-tims_session cookie')
  assert(active !== pending, 'the session token was not renewed when the sign-in completed (session fixation)')
  return active
}

// ---- OIDC helpers -----------------------------------------------------------

function clientMetadata(secret) {
  return { client_secret: secret, [client.clockSkew]: skewS }
}

async function discover(auth) {
  return client.discovery(ISSUER_URL, CLIENT_ID, clientMetadata(CLIENT_SECRET), auth, { execute: [client.allowInsecureRequests] })
}

/** A configuration for already discovered metadata, with the current clock offset. */
function configure(md, makeAuth, secret = CLIENT_SECRET) {
  const config = new client.Configuration(md, CLIENT_ID, clientMetadata(secret), makeAuth(secret))
  client.allowInsecureRequests(config)
  return config
}

/** Run the authorization request in the signed-in browser; return the callback URL and checks. */
async function authorize(config, { redirectUri = REDIRECT_URI } = {}) {
  const verifier = client.randomPKCECodeVerifier()
  const challenge = await client.calculatePKCECodeChallenge(verifier)
  const state = client.randomState()
  const nonce = client.randomNonce()
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: SCOPE,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
    nonce,
  })
  const r = await browse('GET', url)
  assert(r.status === 303 || r.status === 302, `GET /authorize: expected a redirect, got ${brief(r)}`)
  assert(r.rawLocation && r.rawLocation.startsWith(`${redirectUri}?`), `GET /authorize: redirected to ${r.rawLocation}, not to the redirect_uri`)
  const cb = new URL(r.rawLocation)
  assert(!cb.searchParams.get('error'), `authorization error ${cb.searchParams.get('error')}: ${cb.searchParams.get('error_description')}`)
  assert(cb.searchParams.get('code'), `no code in ${r.rawLocation}`)
  return { callback: cb, verifier, state, nonce, authUrl: url }
}

function grant(config, a, verifier = a.verifier) {
  return client.authorizationCodeGrant(config, a.callback, {
    pkceCodeVerifier: verifier,
    expectedState: a.state,
    expectedNonce: a.nonce,
    idTokenExpected: true,
  })
}

/** Expect an OAuth error response; return it. */
async function expectOAuthError(promise, error, status) {
  let result
  try {
    result = await promise
  } catch (err) {
    let got
    if (err instanceof client.ResponseBodyError) {
      got = { status: err.status, error: err.error, description: err.error_description }
    } else if (err instanceof client.WWWAuthenticateChallengeError) {
      let body = {}
      try {
        body = await err.response.json()
      } catch {}
      got = { status: err.status, error: body.error, description: body.error_description, challenge: err.cause }
    } else {
      throw new Error(`expected ${error}, got ${describe(err)}`)
    }
    assert(got.error === error, `expected ${error}, got HTTP ${got.status} ${got.error} (${got.description})`)
    if (status !== undefined) assert(got.status === status, `expected HTTP ${status} with ${error}, got HTTP ${got.status}`)
    return got
  }
  throw new Error(`expected ${error}, but the request succeeded${result && result.access_token ? ' and issued tokens' : ''}`)
}

function checkIdentityClaims(claims, where) {
  assert(typeof claims.sub === 'string' && claims.sub, `${where}: no sub`)
  assert(typeof claims.name === 'string' && claims.name, `${where}: no name`)
  assert(claims.id_number === USER_ID, `${where}: id_number ${JSON.stringify(claims.id_number)}, expected ${USER_ID}`)
  assert(claims.account_type === USER_TYPE, `${where}: account_type ${JSON.stringify(claims.account_type)}, expected ${USER_TYPE}`)
  assert(claims.phone_number === USER_PHONE, `${where}: phone_number ${JSON.stringify(claims.phone_number)}, expected ${USER_PHONE}`)
  assert(claims.phone_number_verified === true, `${where}: phone_number_verified is ${JSON.stringify(claims.phone_number_verified)}`)
  const orgs = claims.organisations
  assert(Array.isArray(orgs), `${where}: organisations is not an array`)
  for (const o of orgs) {
    assert(o && typeof o.kra_pin === 'string' && typeof o.name === 'string' && typeof o.kind === 'string' && typeof o.role === 'string',
      `${where}: malformed organisation ${JSON.stringify(o)}`)
  }
  if (EXPECT_ORG) {
    const [pin, role] = EXPECT_ORG.split(':')
    assert(orgs.some((o) => o.kra_pin === pin && (!role || o.role === role)),
      `${where}: organisations ${JSON.stringify(orgs)} lack ${pin} with role ${role}`)
  }
}

// ---- the checks -------------------------------------------------------------

async function main() {
  const discovered = await check('discovery succeeds and the issuer matches', async () => {
    const config = await discover(client.ClientSecretBasic(CLIENT_SECRET))
    const md = config.serverMetadata()
    assert(md.issuer === ISSUER, `issuer ${md.issuer}, expected ${ISSUER}`)
    assert(md.supportsPKCE('S256'), 'discovery does not advertise PKCE S256')
    for (const k of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri', 'end_session_endpoint']) {
      assert(md[k], `discovery lacks ${k}`)
    }
    return config
  })

  const session = await check('sign-in with password and SMS code gives an active session', signIn)
  // Re-made after sign-in so that it knows the server's clock (see skewS).
  const basic = discovered && configure(discovered.serverMetadata(), client.ClientSecretBasic)

  const flow = await check('code flow with PKCE, state and nonce (client_secret_basic): id_token validated', async () => {
    need(basic, 'discovery')
    need(session, 'sign-in')
    const a = await authorize(basic)
    assert(a.callback.searchParams.get('iss') === ISSUER, `iss in the authorization response is ${a.callback.searchParams.get('iss')}`)
    const tokens = await grant(basic, a)
    assert(tokens.id_token, 'no id_token')
    assert(tokens.access_token, 'no access_token')
    assert(tokens.token_type === 'bearer', `token_type ${tokens.token_type}`)
    const claims = tokens.claims()
    assert(claims.nonce === a.nonce, 'nonce mismatch')
    assert(claims.aud === CLIENT_ID || (Array.isArray(claims.aud) && claims.aud.includes(CLIENT_ID)), 'aud mismatch')
    return { tokens, claims }
  })

  await check('id_token carries sub, name, id_number, phone_number and organisations', async () => {
    need(flow, 'code flow')
    checkIdentityClaims(flow.claims, 'id_token')
  })

  await check('userinfo returns the same sub and claims', async () => {
    need(flow, 'code flow')
    const info = await client.fetchUserInfo(basic, flow.tokens.access_token, flow.claims.sub)
    assert(info.sub === flow.claims.sub, 'sub differs')
    checkIdentityClaims(info, 'userinfo')
    for (const k of ['name', 'id_number', 'phone_number', 'account_type']) {
      assert(info[k] === flow.claims[k], `userinfo ${k} ${JSON.stringify(info[k])} differs from the id_token's ${JSON.stringify(flow.claims[k])}`)
    }
    assert(JSON.stringify(info.organisations) === JSON.stringify(flow.claims.organisations), 'organisations differ from the id_token')
  })

  const refreshed = await check('refresh_token grant returns new tokens', async () => {
    need(flow, 'code flow')
    const old = flow.tokens.refresh_token
    assert(old, 'the code flow issued no refresh_token')
    const t = await client.refreshTokenGrant(basic, old)
    assert(t.access_token && t.access_token !== flow.tokens.access_token, 'no new access_token')
    assert(t.refresh_token && t.refresh_token !== old, 'the refresh token was not rotated')
    if (t.id_token) {
      const c = t.claims()
      assert(c.sub === flow.claims.sub, 'the refreshed id_token has another sub')
    }
    const info = await client.fetchUserInfo(basic, t.access_token, flow.claims.sub)
    assert(info.sub === flow.claims.sub, 'userinfo with the new access token has another sub')
    return { old, tokens: t }
  })

  await check('the rotated-out refresh token is refused (invalid_grant)', async () => {
    need(refreshed, 'refresh')
    await expectOAuthError(client.refreshTokenGrant(basic, refreshed.old), 'invalid_grant', 400)
  })

  await check('after that reuse the new refresh token is revoked too (invalid_grant)', async () => {
    need(refreshed, 'refresh')
    await expectOAuthError(client.refreshTokenGrant(basic, refreshed.tokens.refresh_token), 'invalid_grant', 400)
  })

  const post = await check('client_secret_post: discovery and code flow', async () => {
    need(session, 'sign-in')
    const config = await discover(client.ClientSecretPost(CLIENT_SECRET))
    const a = await authorize(config)
    const t = await grant(config, a)
    assert(t.id_token && t.access_token, 'missing tokens')
    const info = await client.fetchUserInfo(config, t.access_token, t.claims().sub)
    assert(info.sub === t.claims().sub, 'userinfo sub differs')
    if (t.refresh_token) {
      const t2 = await client.refreshTokenGrant(config, t.refresh_token)
      assert(t2.access_token, 'refresh with client_secret_post gave no access_token')
    }
    return { config, tokens: t }
  })

  await check('authorize with an unregistered redirect_uri: 400, no redirect', async () => {
    need(basic, 'discovery')
    const verifier = client.randomPKCECodeVerifier()
    const url = client.buildAuthorizationUrl(basic, {
      redirect_uri: `${REDIRECT_URI}/evil`,
      scope: SCOPE,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: client.randomState(),
      nonce: client.randomNonce(),
    })
    const r = await browse('GET', url)
    assert(r.status === 400, `expected 400, got ${brief(r)}`)
    assert(!r.rawLocation, `redirected to ${r.rawLocation}`)
  })

  await check('authorize with an unknown client_id: 400, no redirect', async () => {
    need(basic, 'discovery')
    const verifier = client.randomPKCECodeVerifier()
    const url = client.buildAuthorizationUrl(basic, {
      redirect_uri: REDIRECT_URI,
      scope: SCOPE,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: client.randomState(),
    })
    url.searchParams.set('client_id', `${CLIENT_ID}-unknown`)
    const r = await browse('GET', url)
    assert(r.status === 400, `expected 400, got ${brief(r)}`)
    assert(!r.rawLocation, `redirected to ${r.rawLocation}`)
  })

  const replay = await check('a reused authorization code is refused (invalid_grant)', async () => {
    need(basic, 'discovery')
    need(session, 'sign-in')
    const a = await authorize(basic)
    const t = await grant(basic, a)
    await expectOAuthError(grant(basic, a), 'invalid_grant', 400)
    return t
  })

  await check('tokens granted by a replayed code are revoked (refresh -> invalid_grant)', async () => {
    need(replay, 'code replay')
    assert(replay.refresh_token, 'no refresh_token was issued')
    await expectOAuthError(client.refreshTokenGrant(basic, replay.refresh_token), 'invalid_grant', 400)
  })

  await check('a wrong PKCE code_verifier is refused (invalid_grant)', async () => {
    need(basic, 'discovery')
    need(session, 'sign-in')
    const a = await authorize(basic)
    await expectOAuthError(grant(basic, a, client.randomPKCECodeVerifier()), 'invalid_grant', 400)
  })

  await check('a wrong client secret is refused (invalid_client, 401), basic and post', async () => {
    need(session, 'sign-in')
    const a = await authorize(need(basic, 'discovery'))
    const wrong = `${CLIENT_SECRET}x`
    const md = basic.serverMetadata()
    const badBasic = configure(md, client.ClientSecretBasic, wrong)
    const b = await expectOAuthError(grant(badBasic, a), 'invalid_client', 401)
    assert(b.challenge, 'a 401 to HTTP Basic client authentication carries no WWW-Authenticate header (RFC 6749 §5.2)')
    const badPost = configure(md, client.ClientSecretPost, wrong)
    await expectOAuthError(grant(badPost, a), 'invalid_client', 401)
  })

  await check('an expired authorization code is refused (invalid_grant)', async () => {
    need(basic, 'discovery')
    need(session, 'sign-in')
    const a = await authorize(basic)
    await advance(CODE_TTL_MS + 1000)
    await expectOAuthError(grant(basic, a), 'invalid_grant', 400)
  })

  const loggedOut = await check('RP-initiated logout with id_token_hint returns to post_logout_redirect_uri with state', async () => {
    need(flow, 'code flow')
    const idToken = (post && post.tokens.id_token) || flow.tokens.id_token
    const state = client.randomState()
    const url = client.buildEndSessionUrl(basic, {
      id_token_hint: idToken,
      post_logout_redirect_uri: POST_LOGOUT_REDIRECT_URI,
      state,
    })
    const before = jar.get('__Host-tims_session')
    assert(before, 'no session cookie before logout')
    const r = await browse('GET', url)
    assert(r.status === 303, `expected 303, got ${brief(r)}`)
    assert(r.rawLocation && r.rawLocation.startsWith(POST_LOGOUT_REDIRECT_URI), `redirected to ${r.rawLocation}`)
    const to = new URL(r.rawLocation)
    assert(`${to.origin}${to.pathname}` === new URL(POST_LOGOUT_REDIRECT_URI).href.replace(/\?.*$/, ''), `redirected to ${r.rawLocation}`)
    assert(to.searchParams.get('state') === state, `state ${JSON.stringify(to.searchParams.get('state'))}, expected ${state}`)
    return { oldSession: before }
  })

  await check('after logout, authorize redirects to sign-in (even with the old session cookie)', async () => {
    need(loggedOut, 'logout')
    for (const cookies of [{}, { '__Host-tims_session': loggedOut.oldSession }]) {
      const verifier = client.randomPKCECodeVerifier()
      const url = client.buildAuthorizationUrl(basic, {
        redirect_uri: REDIRECT_URI,
        scope: SCOPE,
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state: client.randomState(),
        nonce: client.randomNonce(),
      })
      const r = await browse('GET', url, { cookies })
      const which = Object.keys(cookies).length ? 'with the old session cookie' : 'with the cookie jar after logout'
      assert(r.status === 303, `${which}: expected 303 to sign-in, got ${brief(r)}`)
      assert(r.location && r.location.origin === ORIGIN && r.location.pathname === `${ISSUER_URL.pathname}/signin`,
        `${which}: redirected to ${r.rawLocation}, not to sign-in`)
      const back = r.location.searchParams.get('return_to') || ''
      assert(back.startsWith(`${ISSUER_URL.pathname}/authorize?`), `${which}: return_to ${JSON.stringify(back)} does not lead back to authorize`)
    }
  })
}

try {
  await main()
} catch (err) {
  failed++
  console.log(`not ok - check script: ${oneLine(describe(err))}`)
}
console.log(`${passed} passed, ${failed} failed`)
if (stdinLines) stdinLines.rl.close()
process.exitCode = failed === 0 && passed > 0 ? 0 : 1
