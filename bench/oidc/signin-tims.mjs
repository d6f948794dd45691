// Signs the demo citizen in on a running `tims serve` and returns the Cookie
// header of the signed-in session, so that the benchmark's authorize
// requests skip every interaction.
//
// The steps follow tims's HTML sign-in (password, then SMS code read back
// from the dev SMS outbox), with CSRF double-submit.
//
// CLI: node signin-tims.mjs <issuer, e.g. http://127.0.0.1:8080/sso>
//      prints the Cookie header on stdout.
import { pathToFileURL } from 'node:url';
import { CookieJar, fetchRaw, log } from './lib.mjs';

export const DEMO = {
  idNumber: '12345678',
  password: 'kenya-demo-1',
  phone: '+254712345678',
};

const SESSION_COOKIE = '__Host-tims_session';
const CSRF_COOKIE = '__Host-tims_csrf';

function csrfFromForm(html) {
  const input = html.match(/<input\b[^>]*\bname=(["']?)csrf\1[\s/>][^>]*>?/i)?.[0];
  const m = input?.match(/\bvalue=(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/i);
  const value = m && (m[1] ?? m[2] ?? m[3]);
  if (value == null) throw new Error('tims sign-in: no csrf input in the sign-in form');
  return value.replace(/&amp;/g, '&').replace(/&#x2B;|&#43;/gi, '+').replace(/&#x2F;|&#47;/gi, '/')
    .replace(/&#x3D;|&#61;/gi, '=');
}

function expectRedirect(res, what) {
  if (res.status !== 303 && res.status !== 302) {
    throw new Error(`tims sign-in: ${what} answered HTTP ${res.status}, expected 303: ${res.text.slice(0, 300)}`);
  }
  return res.headers.location;
}

const form = (o) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(o).toString(),
});

/** Newest 6-digit code sent to `phone` at or after `sinceMs`; polls briefly. */
async function smsCode(issuer, phone, sinceMs) {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const res = await fetchRaw(`${issuer}/dev/sms.json`);
    if (res.status !== 200) throw new Error(`tims sign-in: GET /dev/sms.json answered HTTP ${res.status}`);
    const messages = JSON.parse(res.text);
    const msg = messages.find((m) => m.to === phone && (m.at_ms ?? Infinity) >= sinceMs - 1_000);
    const code = msg?.body.match(/\b(\d{6})\b/)?.[1];
    if (code) return code;
    if (Date.now() > deadline) throw new Error(`tims sign-in: no SMS code to ${phone} in /dev/sms.json`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function signIn(issuer, who = DEMO) {
  issuer = issuer.replace(/\/$/, '');
  const jar = new CookieJar();

  const page = await fetchRaw(`${issuer}/signin`, { jar });
  if (page.status !== 200) throw new Error(`tims sign-in: GET /signin answered HTTP ${page.status}`);
  const csrf = csrfFromForm(page.text);
  if (!jar.get(CSRF_COOKIE)) throw new Error(`tims sign-in: GET /signin set no ${CSRF_COOKIE} cookie`);

  const started = Date.now();
  const pw = await fetchRaw(`${issuer}/signin`,
    { jar, ...form({ csrf, id_number: who.idNumber, password: who.password }) });
  const next = expectRedirect(pw, 'POST /signin (password)');
  if (!/\/signin\/code\b/.test(next ?? '')) {
    throw new Error(`tims sign-in: password step redirected to ${next}, expected /sso/signin/code`);
  }

  const code = await smsCode(issuer, who.phone, started);
  const before = jar.get(SESSION_COOKIE);
  const done = await fetchRaw(`${issuer}/signin/code`, { jar, ...form({ csrf, code }) });
  expectRedirect(done, 'POST /signin/code');
  const session = jar.get(SESSION_COOKIE);
  if (!session) throw new Error(`tims sign-in: no ${SESSION_COOKIE} cookie after the code step`);
  if (session === before) log(`warning: tims did not rotate ${SESSION_COOKIE} at sign-in`);

  return `${SESSION_COOKIE}=${session}`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const issuer = process.argv[2] ?? process.env.BENCH_ISSUER;
  if (!issuer) {
    log('usage: node signin-tims.mjs <issuer, e.g. http://127.0.0.1:8080/sso>');
    process.exit(2);
  }
  signIn(issuer).then((cookie) => console.log(cookie), (err) => {
    log(err.message);
    process.exit(1);
  });
}
