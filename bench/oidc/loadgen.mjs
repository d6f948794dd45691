// Load generator for one OpenID provider, two kinds of operation:
//
//   flow       one complete authorization-code flow for an already signed-in
//              user: GET authorize (session cookie; fresh state, nonce and
//              PKCE S256 pair) → 302/303 to redirect_uri → take `code` →
//              POST token (client_secret_basic, code_verifier) → 200 with an
//              id_token.
//   discovery  GET the discovery document, then GET the JWKS (one op = both).
//
// and two ways of loading the server:
//
//   --concurrency N   closed loop: N workers, each starts its next op when
//                     the last one ends; gives the peak rate (ops/s).
//   --rate R          open loop: ops start on a fixed schedule of R per
//                     second whether or not earlier ones finished, and each
//                     latency is counted from its scheduled start, so a
//                     stalling server cannot hide its queue (no coordinated
//                     omission).
//
// Every run is bounded: a warm-up, then a measured window, then at most
// --timeout seconds to drain. Only 127.0.0.1/localhost/::1 targets are accepted.
//
// --check instead runs one verified flow (id_token signature, iss, aud,
// nonce; PKCE refusals) and reports what it found.
//
// Prints one JSON object on stdout; progress and errors go to stderr.
// Options may also come from the environment: BENCH_ISSUER, BENCH_CLIENT_ID,
// BENCH_CLIENT_SECRET, BENCH_REDIRECT_URI, BENCH_COOKIE.
import {
  createHash, createPublicKey, randomBytes, verify,
} from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import {
  DEFAULT_SCOPE, basicAuth, discover, fetchRaw, log, percentile, pkcePair,
} from './lib.mjs';

const { values: opt } = parseArgs({
  options: {
    mode: { type: 'string', default: 'flow' },
    issuer: { type: 'string', default: process.env.BENCH_ISSUER },
    'client-id': { type: 'string', default: process.env.BENCH_CLIENT_ID ?? 'bench' },
    'client-secret': { type: 'string', default: process.env.BENCH_CLIENT_SECRET },
    'redirect-uri': { type: 'string', default: process.env.BENCH_REDIRECT_URI ?? 'http://127.0.0.1:9/cb' },
    cookie: { type: 'string', default: process.env.BENCH_COOKIE },
    scope: { type: 'string' },
    // Endpoints default to what discovery says.
    authorize: { type: 'string' },
    token: { type: 'string' },
    jwks: { type: 'string' },
    concurrency: { type: 'string' },
    rate: { type: 'string' },
    connections: { type: 'string', default: '64' },
    warmup: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    timeout: { type: 'string', default: '10' },
    check: { type: 'boolean', default: false },
  },
});

const die = (msg) => {
  log(`loadgen: ${msg}`);
  process.exit(2);
};

if (!opt.issuer) die('--issuer (or BENCH_ISSUER) is required');
const issuer = opt.issuer.replace(/\/$/, '');
const isLoopback = (u) => ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(u).hostname);
if (!isLoopback(issuer)) die(`refusing non-loopback issuer ${issuer}`);
const { url: discoveryUrl, doc } = await discover(issuer);
const target = {
  clientId: opt['client-id'],
  clientSecret: opt['client-secret'],
  redirectUri: opt['redirect-uri'],
  cookie: opt.cookie,
  scope: opt.scope,
  discovery: new URL(discoveryUrl),
  authorize: new URL(opt.authorize ?? doc.authorization_endpoint),
  token: new URL(opt.token ?? doc.token_endpoint),
  jwks: new URL(opt.jwks ?? doc.jwks_uri),
};
for (const u of [target.discovery, target.authorize, target.token, target.jwks]) {
  if (!isLoopback(u)) die(`refusing non-loopback target ${u}`);
}
if (opt.mode === 'flow' || opt.check) {
  if (!target.clientSecret) die('--client-secret (or BENCH_CLIENT_SECRET) is required');
  if (!target.cookie) die('--cookie (or BENCH_COOKIE) with the signed-in session is required');
}

const timeoutMs = Number(opt.timeout) * 1000;
const pools = new Map();
function poolFor(url) {
  let pool = pools.get(url.origin);
  if (!pool) {
    pool = new Pool(url.origin, {
      connections: Number(opt.concurrency ?? opt.connections),
      pipelining: 1,
      keepAliveTimeout: 60_000,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    pools.set(url.origin, pool);
  }
  return pool;
}

class OpError extends Error {}

const authorization = basicAuth(target.clientId, target.clientSecret ?? '');
const tokenPath = target.token.pathname + target.token.search;
// The fixed parts of both requests are encoded once; per flow only the
// random values and the code change. The generator shares the machine with
// the server, so its cost per flow is kept low.
const enc = encodeURIComponent;
const authorizeBase = `${target.authorize.pathname}${target.authorize.search ? `${target.authorize.search}&` : '?'}`
  + `response_type=code&client_id=${enc(target.clientId)}&redirect_uri=${enc(target.redirectUri)}`
  + `&scope=${enc(target.scope ?? DEFAULT_SCOPE)}`;
const tokenBase = `grant_type=authorization_code&redirect_uri=${enc(target.redirectUri)}`;

/** One authorize → code → token flow; returns what --check inspects. */
async function flow({ withPkce = true, verifierOverride } = {}) {
  // One call for all three random values: state, nonce, PKCE verifier.
  const rnd = randomBytes(64);
  const state = rnd.toString('base64url', 0, 16);
  const nonce = rnd.toString('base64url', 16, 32);
  const verifier = rnd.toString('base64url', 32, 64);
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  // base64url needs no percent-encoding.
  let path = `${authorizeBase}&state=${state}&nonce=${nonce}`;
  if (withPkce) path += `&code_challenge=${challenge}&code_challenge_method=S256`;

  const a = await poolFor(target.authorize).request({
    path, method: 'GET', headers: { cookie: target.cookie },
  });
  const aBody = await a.body.text();
  if (a.statusCode !== 302 && a.statusCode !== 303) {
    throw new OpError(`authorize: HTTP ${a.statusCode} ${aBody.slice(0, 200)}`);
  }
  const location = a.headers.location ?? '';
  const q = location.indexOf('?');
  const back = new URLSearchParams(q < 0 ? '' : location.slice(q + 1).split('#')[0]);
  const code = back.get('code');
  if (!location.startsWith(target.redirectUri) || !code) {
    throw new OpError(`authorize: redirected to ${location.slice(0, 300)} (no code)`);
  }
  if (back.get('state') !== state) throw new OpError('authorize: state mismatch');

  const t = await poolFor(target.token).request({
    path: tokenPath,
    method: 'POST',
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
    body: `${tokenBase}&code=${enc(code)}&code_verifier=${verifierOverride ?? verifier}`,
  });
  const tBody = await t.body.text();
  if (t.statusCode !== 200) throw new OpError(`token: HTTP ${t.statusCode} ${tBody.slice(0, 200)}`);
  const tokens = JSON.parse(tBody);
  if (typeof tokens.id_token !== 'string') throw new OpError('token: no id_token in the response');
  return { back, tokens, nonce, state };
}

async function discoveryOp() {
  for (const url of [target.discovery, target.jwks]) {
    const r = await poolFor(url).request({ path: url.pathname, method: 'GET' });
    await r.body.dump();
    if (r.statusCode !== 200) throw new OpError(`GET ${url.pathname}: HTTP ${r.statusCode}`);
  }
}

// ---- measurement --------------------------------------------------------

const errors = { count: 0, samples: new Map() };
function noteError(err) {
  const msg = err instanceof OpError ? err.message : `${err.code ?? err.name}: ${err.message}`;
  errors.samples.set(msg, (errors.samples.get(msg) ?? 0) + 1);
}
// Percentile summary of latencies in ms.
function summarize(lat) {
  const sorted = Float64Array.from(lat).sort();
  const r = (x) => Math.round(x * 1000) / 1000;
  return {
    p50_ms: r(percentile(sorted, 50)),
    p90_ms: r(percentile(sorted, 90)),
    p99_ms: r(percentile(sorted, 99)),
    max_ms: r(sorted[sorted.length - 1] ?? NaN),
  };
}

const now = () => performance.now();
// Hard cap on ops per run, on top of the time bounds.
const MAX_OPS = 5_000_000;

async function closedLoop(op, concurrency, warmupMs, durationMs) {
  const measureFrom = now() + warmupMs;
  const end = measureFrom + durationMs;
  const lat = [];
  let done = 0;
  let started = 0;
  let cpu0;
  setTimeout(() => { cpu0 = process.cpuUsage(); }, warmupMs).unref();
  async function worker() {
    while (now() < end && started < MAX_OPS && errors.count < 10_000) {
      started += 1;
      const t0 = now();
      try {
        await op();
        const t1 = now();
        // Count completions inside the window, so ops straddling its edges
        // do not bias the rate.
        if (t1 >= measureFrom && t1 <= end) {
          done += 1;
          lat.push(t1 - t0);
        }
      } catch (err) {
        if (t0 >= measureFrom) errors.count += 1;
        noteError(err);
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  const cpu = process.cpuUsage(cpu0);
  return {
    kind: 'peak',
    concurrency,
    ops: done,
    seconds: durationMs / 1000,
    ops_per_s: Math.round((done / durationMs) * 1000 * 10) / 10,
    loadgen_cpu: Math.round(((cpu.user + cpu.system) / 1000 / durationMs) * 100) / 100,
    ...summarize(lat),
  };
}

async function openLoop(op, rate, warmupMs, durationMs) {
  if (!(rate > 0 && rate * (warmupMs + durationMs) / 1000 <= MAX_OPS)) die(`--rate ${rate} out of range`);
  const interval = 1000 / rate;
  const start = now() + 5;
  const measureFrom = start + warmupMs;
  const end = measureFrom + durationMs;
  // Past this many ops in flight the server is hopelessly behind; further
  // ops are counted as dropped instead of piling up without bound.
  const maxInFlight = Math.max(1_000, Math.ceil(rate * 2));
  const lat = [];
  const lag = [];
  let i = 0;
  let inFlight = 0;
  let dropped = 0;
  let scheduled = 0;
  let cpu0;

  await new Promise((resolve) => {
    let scheduling = true;
    const finish = () => { if (!scheduling && inFlight === 0) resolve(); };
    function launch(sched, t) {
      const measured = sched >= measureFrom;
      if (measured) {
        scheduled += 1;
        lag.push(t - sched);
      }
      if (inFlight >= maxInFlight) {
        if (measured) dropped += 1;
        return;
      }
      inFlight += 1;
      op().then(() => {
        if (measured) lat.push(now() - sched);
      }, (err) => {
        if (measured) errors.count += 1;
        noteError(err);
      }).finally(() => {
        inFlight -= 1;
        finish();
      });
    }
    function tick() {
      const t = now();
      if (cpu0 === undefined && t >= measureFrom) cpu0 = process.cpuUsage();
      for (let sched = start + i * interval; sched <= t && sched < end; sched = start + i * interval) {
        i += 1;
        launch(sched, t);
      }
      const next = start + i * interval;
      if (next >= end) {
        scheduling = false;
        // Bounded drain: whatever has not finished by then is abandoned.
        setTimeout(resolve, timeoutMs + 1_000).unref();
        finish();
      } else if (next - now() > 2) {
        setTimeout(tick, next - now() - 1);
      } else {
        // Sub-millisecond precision: setTimeout would add up to 1 ms of
        // jitter to every latency. setImmediate still lets I/O run between
        // ticks; it does keep the load generator's core busy.
        setImmediate(tick);
      }
    }
    tick();
  });
  const cpu = process.cpuUsage(cpu0);
  const completed = lat.length;
  const lagSorted = Float64Array.from(lag).sort();
  return {
    kind: 'rate',
    target_rate: rate,
    ops: completed,
    seconds: durationMs / 1000,
    achieved_rate: Math.round((completed / durationMs) * 1000 * 10) / 10,
    scheduled,
    dropped,
    unfinished: scheduled - dropped - completed - errors.count,
    // How late the load generator itself started ops; if this is large the
    // figures measure the generator, not the server.
    loadgen_lag_p99_ms: Math.round(percentile(lagSorted, 99) * 1000) / 1000,
    loadgen_cpu: Math.round(((cpu.user + cpu.system) / 1000 / durationMs) * 100) / 100,
    ...summarize(lat),
  };
}

// ---- --check ------------------------------------------------------------

async function check() {
  const found = {};
  const problems = [];
  const { back, tokens, nonce } = await flow();
  found.iss_in_authorization_response = back.get('iss') === issuer;

  const [h, p, s] = tokens.id_token.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url'));
  const claims = JSON.parse(Buffer.from(p, 'base64url'));
  found.id_token_alg = header.alg;
  const jwks = JSON.parse((await fetchRaw(target.jwks.href)).text);
  const jwk = jwks.keys.find((k) => (header.kid ? k.kid === header.kid : k.kty === 'RSA'));
  if (header.alg !== 'RS256') problems.push(`id_token alg is ${header.alg}, not RS256`);
  if (!jwk) {
    problems.push(`no JWKS key for kid ${header.kid}`);
  } else {
    found.rsa_bits = Buffer.from(jwk.n, 'base64url').length * 8;
    const ok = verify('sha256', Buffer.from(`${h}.${p}`), createPublicKey({ key: jwk, format: 'jwk' }),
      Buffer.from(s, 'base64url'));
    if (!ok) problems.push('id_token signature does not verify against the JWKS');
  }
  if (claims.iss !== issuer) problems.push(`id_token iss ${claims.iss} ≠ ${issuer}`);
  const aud = [claims.aud].flat();
  if (!aud.includes(target.clientId)) problems.push(`id_token aud ${claims.aud} lacks ${target.clientId}`);
  if (claims.nonce !== nonce) problems.push('id_token nonce mismatch');
  if (!(claims.exp > Date.now() / 1000)) problems.push('id_token expired');
  found.id_token_claims = Object.keys(claims).sort();
  found.token_response = Object.keys(tokens).sort();
  found.token_type = tokens.token_type;
  const at = String(tokens.access_token ?? '').split('.');
  found.access_token = at.length === 3
    ? `JWT ${JSON.parse(Buffer.from(at[0], 'base64url')).alg}` : 'opaque';

  // PKCE must be required and checked (only refusals here: a code redeemed
  // twice would make some providers revoke the grant the benchmark relies on).
  try {
    await flow({ withPkce: false });
    problems.push('authorize without code_challenge returned a code that redeemed');
  } catch (err) {
    found.no_pkce_refused_at = err.message.split(':')[0];
  }
  try {
    await flow({ verifierOverride: pkcePair().verifier });
    problems.push('token endpoint accepted a wrong code_verifier');
  } catch (err) {
    found.wrong_verifier_refused_at = err.message.split(':')[0];
  }
  if (!(doc.code_challenge_methods_supported ?? []).includes('S256')) {
    problems.push('discovery does not list S256 in code_challenge_methods_supported');
  }
  return { kind: 'check', ok: problems.length === 0, problems, found };
}

// ---- main ---------------------------------------------------------------

let result;
const op = opt.mode === 'flow' ? flow : opt.mode === 'discovery' ? discoveryOp : die(`unknown --mode ${opt.mode}`);
const warmupMs = Number(opt.warmup) * 1000;
const durationMs = Number(opt.duration) * 1000;
if (!(durationMs > 0 && durationMs <= 600_000 && warmupMs >= 0 && warmupMs <= 60_000)) {
  die('--duration must be in (0, 600] s and --warmup in [0, 60] s');
}
// A hard stop in case anything hangs: the run never outlives its budget.
setTimeout(() => die('run exceeded its time budget'), warmupMs + durationMs + timeoutMs + 30_000).unref();

try {
  if (opt.check) {
    result = await check();
  } else if (opt.rate) {
    result = await openLoop(op, Number(opt.rate), warmupMs, durationMs);
  } else {
    result = await closedLoop(op, Number(opt.concurrency ?? 32), warmupMs, durationMs);
  }
} catch (err) {
  noteError(err);
  result = { kind: opt.check ? 'check' : 'failed', ok: false };
}
result = {
  mode: opt.mode,
  issuer,
  ...result,
  errors: errors.count,
  error_samples: Object.fromEntries([...errors.samples].slice(0, 5)),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
await Promise.all([...pools.values()].map((p) => p.destroy()));
process.exit(result.ok === false ? 1 : 0);
