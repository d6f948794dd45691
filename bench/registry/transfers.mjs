// Complete logbook transfers per second against a running `tims serve`,
// every step over the JSON API as the seed describes it, each one a durable
// commit on the server: open, upload the scanned logbook, seller's SMS code
// and submission, buyer's SMS code and acceptance (the development payer
// settles at once), officer's approval (ownership changes, logbook ordered).
//
// Bench people come from load.py: person i (ID 70000000+i, phone
// +2547010iiiii) owns the vehicles numbered 2i and 2i+1. Transfer k sells
// person k's first vehicle to person k+1. Each person signs in once (one SMS
// code) and then needs one code as seller and one as buyer: the sign-on's
// limit of three codes per phone in 15 minutes is kept, not bypassed.
//
// usage: node transfers.mjs --base http://127.0.0.1:8080 --secret S
//          [--people 1000] [--concurrency 16] [--setup-concurrency 4]
//        node transfers.mjs --base URL --secret S --token-for ID:PHONE
//          (only sign that person in and print an access token)
// Prints one JSON line: transfers, seconds, transfers_per_s, p50/p99 ms.
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { CookieJar, basicAuth, fetchRaw, log, percentile, pkcePair, randomToken } from '../oidc/lib.mjs';

const PASSWORD = 'kenya-demo-1';
const PDF = Buffer.from('%PDF-1.4\n% scanned logbook for the benchmark\n');

export function regNo(n) {
  const L = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  n += 4 * 26 * 26 * 1000;
  const digits = String(n % 1000).padStart(3, '0');
  n = Math.floor(n / 1000);
  const last = L[n % 26];
  n = Math.floor(n / 26);
  const second = L[n % 26];
  const first = L[Math.floor(n / 26)];
  return `K${first}${second} ${digits}${last}`;
}

export const person = (i) => ({
  idNumber: String(70000000 + i),
  phone: `+2547010${String(i).padStart(5, '0')}`,
});

const form = (o) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(o).toString(),
});

/** The newest code to `phone` sent at or after `since` whose text contains
 * `about` (the step and transfer reference), from the development SMS page. */
async function code(base, phone, since, about = '') {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const r = await fetchRaw(`${base}/sso/dev/sms.json?to=${encodeURIComponent(phone)}`);
    const msgs = JSON.parse(r.text);
    const m = msgs.find((x) => x.to === phone && x.at_ms >= since - 1000 && x.body.includes(about) && /\b\d{6}\b/.test(x.body));
    if (m) return m.body.match(/\b(\d{6})\b/)[1];
    if (Date.now() > deadline) throw new Error(`no code to ${phone}`);
    await new Promise((res) => setTimeout(res, 15));
  }
}

/** Sign a person in at the sign-on and get an access token for the API client. */
export async function accessToken(base, who, clientId, secret) {
  const jar = new CookieJar();
  const page = await fetchRaw(`${base}/sso/signin`, { jar });
  const csrf = jar.get('__Host-tims_csrf');
  if (page.status !== 200 || !csrf) throw new Error(`sign-in page: HTTP ${page.status}`);
  const started = Date.now();
  const pw = await fetchRaw(`${base}/sso/signin`, { jar, ...form({ csrf, account_type: 'citizen', id_number: who.idNumber, password: PASSWORD }) });
  if (pw.status !== 303) throw new Error(`password for ${who.idNumber}: HTTP ${pw.status} ${pw.text.slice(0, 200)}`);
  const c = await code(base, who.phone, started, 'sign-in code');
  const done = await fetchRaw(`${base}/sso/signin/code`, { jar, ...form({ csrf, code: c }) });
  if (done.status !== 303) throw new Error(`code for ${who.idNumber}: HTTP ${done.status}`);
  const { verifier, challenge } = pkcePair();
  const redirect = 'http://127.0.0.1:9/cb';
  const q = new URLSearchParams({
    response_type: 'code', client_id: clientId, redirect_uri: redirect, scope: 'openid profile phone organisations',
    state: randomToken(), nonce: randomToken(), code_challenge: challenge, code_challenge_method: 'S256',
  }).toString().replace(/\+/g, '%20');
  const a = await fetchRaw(`${base}/sso/authorize?${q}`, { jar });
  const authCode = new URL(a.headers.location).searchParams.get('code');
  if (!authCode) throw new Error(`authorize for ${who.idNumber}: ${a.status} ${a.headers.location}`);
  const t = await fetchRaw(`${base}/sso/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(clientId, secret) },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: authCode, redirect_uri: redirect, code_verifier: verifier }).toString(),
  });
  const token = JSON.parse(t.text).access_token;
  if (!token) throw new Error(`token for ${who.idNumber}: ${t.text.slice(0, 200)}`);
  return token;
}

export async function api(base, token, method, path, body, raw = false) {
  const headers = { authorization: `Bearer ${token}` };
  if (body !== undefined && !raw) headers['content-type'] = 'application/json';
  const res = await fetchRaw(`${base}${path}`, { method, headers, body: body === undefined ? undefined : raw ? body : JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${method} ${path}: HTTP ${res.status} ${res.text.slice(0, 300)}`);
  return JSON.parse(res.text);
}

/** One complete transfer; returns its final state. */
async function transfer(base, k, tokens, officer, n) {
  const seller = person(k);
  const buyer = person((k + 1) % n);
  const sTok = tokens[k];
  const bTok = tokens[(k + 1) % n];
  const t = await api(base, sTok, 'POST', '/api/v1/transfers',
    { registration_number: regNo(2 * k), buyer_type: 'individual', buyer_id_number: buyer.idNumber });
  const id = t.id;
  await api(base, sTok, 'PUT', `/api/v1/transfers/${id}/logbook-scan`, PDF, true);
  let since = Date.now();
  await api(base, sTok, 'POST', `/api/v1/transfers/${id}/codes`, { step: 'submit' });
  await api(base, sTok, 'POST', `/api/v1/transfers/${id}/submit`,
    { code: await code(base, seller.phone, since, `submit the transfer ${t.reference}`) });
  since = Date.now();
  await api(base, bTok, 'POST', `/api/v1/transfers/${id}/codes`, { step: 'answer' });
  const accepted = await api(base, bTok, 'POST', `/api/v1/transfers/${id}/accept`, {
    code: await code(base, buyer.phone, since, `answer the transfer ${t.reference}`), postal_address: 'P.O. Box 1-00100 Nairobi', collection_office: 'Mombasa',
  });
  if (accepted.state !== 'in_review') throw new Error(`transfer ${id} is ${accepted.state} after acceptance`);
  const done = await api(base, officer, 'POST', `/api/v1/transfers/${id}/review`, { decision: 'approve' });
  return done.state;
}

export async function run({ base, secret, clientId = 'tims-api', people = 1000, concurrency = 16, setupConcurrency = 4 }) {
  base = base.replace(/\/$/, '');
  log(`[transfers] signing in ${people} bench people and the officer (one SMS code each)`);
  const tokens = new Array(people);
  let next = 0;
  const setupStart = Date.now();
  await Promise.all(Array.from({ length: setupConcurrency }, async () => {
    for (;;) {
      const i = next++;
      if (i >= people) return;
      tokens[i] = await accessToken(base, person(i), clientId, secret);
    }
  }));
  const officer = await accessToken(base, { idNumber: '34567890', phone: '+254734567890' }, clientId, secret);
  log(`[transfers] signed in in ${((Date.now() - setupStart) / 1000).toFixed(1)} s; running ${people} transfers with ${concurrency} workers`);
  const lat = [];
  let k = 0;
  let failed = 0;
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (;;) {
      const mine = k++;
      if (mine >= people) return;
      const t0 = process.hrtime.bigint();
      try {
        const state = await transfer(base, mine, tokens, officer, people);
        if (state !== 'approved') throw new Error(`ended ${state}`);
        lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
      } catch (e) {
        failed++;
        if (failed <= 5) log(`[transfers] transfer ${mine} failed: ${e.message}`);
      }
    }
  }));
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  lat.sort((a, b) => a - b);
  return {
    transfers: lat.length,
    failed,
    seconds: Number(secs.toFixed(2)),
    transfers_per_s: Number((lat.length / secs).toFixed(1)),
    p50_ms: Number(percentile(lat, 50).toFixed(1)),
    p99_ms: Number(percentile(lat, 99).toFixed(1)),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      base: { type: 'string' }, secret: { type: 'string' }, people: { type: 'string', default: '1000' },
      concurrency: { type: 'string', default: '16' }, 'setup-concurrency': { type: 'string', default: '4' },
      'token-for': { type: 'string' }, 'client-id': { type: 'string', default: 'tims-api' },
    },
  });
  if (!values.base || !values.secret) {
    log('usage: node transfers.mjs --base URL --secret CLIENT_SECRET [--people N] [--concurrency C]');
    process.exit(2);
  }
  if (values['token-for']) {
    // Only print an access token for ID:PHONE (for the inquiry benchmark).
    const [idNumber, phone] = values['token-for'].split(':');
    accessToken(values.base.replace(/\/$/, ''), { idNumber, phone }, values['client-id'], values.secret)
      .then((t) => console.log(t), (e) => { log(e.message); process.exit(1); });
  } else run({
    base: values.base, secret: values.secret, people: Number(values.people), concurrency: Number(values.concurrency),
    setupConcurrency: Number(values['setup-concurrency']),
  }).then((r) => console.log(JSON.stringify(r)), (e) => { log(e.stack ?? e.message); process.exit(1); });
}
