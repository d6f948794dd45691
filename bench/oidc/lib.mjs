// Small helpers shared by the sign-in scripts, the load generator and the
// driver: a hand-rolled cookie jar (the servers mark cookies Secure/__Host-
// but we talk plain http to 127.0.0.1, so no client would send them back on
// its own), PKCE, and percentiles.
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'undici';

export const b64url = (buf) => Buffer.from(buf).toString('base64url');
export const randomToken = (n = 16) => randomBytes(n).toString('base64url');

export function pkcePair() {
  const verifier = randomToken(32);
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

export function basicAuth(id, secret) {
  // RFC 6749 §2.3.1: form-urlencode each part before base64.
  const enc = (s) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')}`;
}

/** Name → value; attributes (Path, Secure, …) are ignored on purpose. */
export class CookieJar {
  #cookies = new Map();

  /** Take the Set-Cookie header(s) of an undici response. */
  update(headers) {
    let set = headers['set-cookie'];
    if (!set) return;
    if (!Array.isArray(set)) set = [set];
    for (const line of set) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq < 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => {
        const [k, v = ''] = a.split('=');
        const key = k.trim().toLowerCase();
        if (key === 'max-age') return Number(v) <= 0;
        if (key === 'expires') return Date.parse(v) <= Date.now();
        return false;
      });
      if (expired || value === '') this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  get(name) { return this.#cookies.get(name); }

  /** Cookie request header, optionally only for names matching `filter`. */
  header(filter = () => true) {
    return [...this.#cookies]
      .filter(([name]) => filter(name))
      .map(([k, v]) => `${k}=${v}`)
      .join('; ');
  }
}

/**
 * One request that never follows redirects and always reads the whole body,
 * so that callers see the Location and Set-Cookie of every hop.
 */
export async function fetchRaw(url, { method = 'GET', headers = {}, body, jar } = {}) {
  const h = { ...headers };
  if (jar) {
    const c = jar.header();
    if (c) h.cookie = c;
  }
  const res = await request(url, { method, headers: h, body });
  const text = await res.body.text();
  if (jar) jar.update(res.headers);
  return { status: res.statusCode, headers: res.headers, text };
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)];
}

export async function discover(issuer) {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const res = await fetchRaw(url);
  if (res.status !== 200) throw new Error(`discovery ${url}: HTTP ${res.status}`);
  return { url, doc: JSON.parse(res.text) };
}

/** Stderr logging that keeps stdout clean for machine-readable output. */
export const log = (...a) => console.error(...a);

export const DEFAULT_SCOPE = 'openid profile phone';

/** Authorization request parameters shared by every flow of the benchmark. */
export function authorizeQuery({ clientId, redirectUri, scope = DEFAULT_SCOPE, state, nonce, challenge }) {
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    scope,
    state,
    nonce,
  });
  if (challenge) {
    q.set('code_challenge', challenge);
    q.set('code_challenge_method', 'S256');
  }
  // A literal '+' is always sent as %2B, so every remaining '+' is a space.
  return q.toString().replace(/\+/g, '%20');
}
