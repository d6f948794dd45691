// The load generator of bench/gateways.sh: complete transfers over the JSON
// API, up to the payment's settlement (open, upload the scan, seller's code
// and submission, buyer's code and acceptance, which asks for the fee; the
// fee settles at once with the development payer, or when the gateway's
// callback has been taken with M-Pesa). Codes are read from the development
// SMS page (--mode dev) or from the fake Africa's Talking (--mode real).
//
// Bench people come from ../registry/load.py: person i owns vehicles 2i and
// 2i+1; transfer k sells person k's first vehicle to person k+1 (within the
// run's own people, so two runs on one database do not meet).
//
// usage: node run.mjs --sign-in --base URL --secret S --from 0 --count N --tokens-out FILE
//        node run.mjs --base URL --mode dev|real [--fake URL] --tokens FILE --from A --count N
//          [--concurrency 32] [--duration 20]  (no new transfer starts after --duration s)
// Prints one JSON line: transfers, failed, seconds, transfers_per_s (the whole
// run), steady_per_s over steady_s (while every worker had a transfer going),
// p50/p99 ms.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fetchRaw, log, percentile } from '../oidc/lib.mjs';
import { accessToken, api as apiAt, person, regNo } from '../registry/transfers.mjs';

const PDF = Buffer.from('%PDF-1.4\n% scanned logbook for the benchmark\n');
const { values: o } = parseArgs({
  options: {
    'sign-in': { type: 'boolean', default: false }, base: { type: 'string' }, secret: { type: 'string' },
    mode: { type: 'string', default: 'dev' }, fake: { type: 'string' }, tokens: { type: 'string' },
    'tokens-out': { type: 'string' }, from: { type: 'string', default: '0' }, count: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '32' }, duration: { type: 'string', default: '20' },
  },
});
const base = o.base.replace(/\/$/, '');
const [from, count] = [Number(o.from), Number(o.count)];
const api = (...a) => apiAt(base, ...a);

const smsList = (phone) => (o.mode === 'real' ? `${o.fake}/sms.json?to=${encodeURIComponent(phone)}`
  : `${base}/sso/dev/sms.json?to=${encodeURIComponent(phone)}`);

/** The code in the newest SMS to `phone` since `since` that mentions `about`. */
async function code(phone, since, about) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const msgs = JSON.parse((await fetchRaw(smsList(phone))).text);
    const m = msgs.find((x) => x.to === phone && x.at_ms >= since - 1000 && x.body.includes(about) && /\b\d{6}\b/.test(x.body));
    if (m) return m.body.match(/\b(\d{6})\b/)[1];
    if (Date.now() > deadline) throw new Error(`no code to ${phone}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}

async function transfer(k, tokens) {
  const [s, b] = [from + k, from + ((k + 1) % count)];
  const [seller, buyer] = [person(s), person(b)];
  const [sTok, bTok] = [tokens[s - from], tokens[b - from]];
  const t = await api(sTok, 'POST', '/api/v1/transfers',
    { registration_number: regNo(2 * s), buyer_type: 'individual', buyer_id_number: buyer.idNumber });
  await api(sTok, 'PUT', `/api/v1/transfers/${t.id}/logbook-scan`, PDF, true);
  let since = Date.now();
  await api(sTok, 'POST', `/api/v1/transfers/${t.id}/codes`, { step: 'submit' });
  await api(sTok, 'POST', `/api/v1/transfers/${t.id}/submit`, { code: await code(seller.phone, since, `submit the transfer ${t.reference}`) });
  since = Date.now();
  await api(bTok, 'POST', `/api/v1/transfers/${t.id}/codes`, { step: 'answer' });
  const accepted = await api(bTok, 'POST', `/api/v1/transfers/${t.id}/accept`, {
    code: await code(buyer.phone, since, `answer the transfer ${t.reference}`), postal_address: 'P.O. Box 1-00100 Nairobi', collection_office: 'Mombasa',
  });
  if (o.mode === 'dev') {
    if (accepted.state !== 'in_review') throw new Error(`transfer ${t.id} is ${accepted.state} after acceptance`);
    return;
  }
  if (accepted.state !== 'awaiting_payment') throw new Error(`transfer ${t.id} is ${accepted.state} after acceptance`);
  // The fee is settled once the server has taken the gateway's callback.
  const paid = JSON.parse((await fetchRaw(`${o.fake}/paid.json?ref=${t.reference.replace(/-/g, '')}`)).text);
  if (!paid.taken) throw new Error(`transfer ${t.id}: the callback was not taken`);
}

async function run(tokens) {
  const lat = [];
  const doneAt = []; // seconds since the start at which each transfer completed
  let [k, failed, fedUntil] = [0, 0, null];
  const started = process.hrtime.bigint();
  const since = () => Number(process.hrtime.bigint() - started) / 1e9;
  const stopAt = Date.now() + Number(o.duration) * 1000;
  await Promise.all(Array.from({ length: Number(o.concurrency) }, async () => {
    for (;;) {
      const mine = k++;
      if (mine >= count || Date.now() > stopAt) {
        fedUntil ??= since();
        return;
      }
      const t0 = process.hrtime.bigint();
      try {
        await transfer(mine, tokens);
        lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
        doneAt.push(since());
      } catch (e) {
        failed++;
        if (failed <= 5) log(`[gateways] transfer ${mine} failed: ${e.message}`);
      }
    }
  }));
  const secs = since();
  lat.sort((a, b) => a - b);
  // While every worker had a transfer going: from the first completion
  // (before it the pipeline fills) until the first worker found no more
  // people (after it fewer transfers run at once and the run drains).
  const from = doneAt.length ? Math.min(...doneAt) : 0;
  const until = fedUntil ?? secs;
  const inWindow = doneAt.filter((t) => t > from && t <= until).length;
  const steady = until > from ? inWindow / (until - from) : 0;
  return { transfers: lat.length, failed, seconds: Number(secs.toFixed(2)), transfers_per_s: Number((lat.length / secs).toFixed(2)),
    steady_per_s: Number(steady.toFixed(2)), steady_s: Number((until - from).toFixed(2)),
    p50_ms: Number(percentile(lat, 50).toFixed(1)), p99_ms: Number(percentile(lat, 99).toFixed(1)) };
}

if (o['sign-in']) {
  const tokens = new Array(count);
  let next = 0;
  await Promise.all(Array.from({ length: 4 }, async () => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      tokens[i] = await accessToken(base, person(from + i), 'tims-api', o.secret);
    }
  }));
  writeFileSync(o['tokens-out'], JSON.stringify(tokens));
} else {
  console.log(JSON.stringify(await run(JSON.parse(readFileSync(o.tokens, 'utf8')))));
}
