// Fake Daraja and Africa's Talking for bench/gateways.sh, speaking their
// formats (see /work/shared/reference/gateways.md), each answering after
// --delay-ms: an OAuth token; an STK push answered with ResponseCode "0" and
// a CheckoutRequestID, whose callback is POSTed to the CallBackURL
// --delay-ms after the answer; the STK query; SMS sends answered 201 with a
// statusCode and messageId per recipient. For the load generator it also
// serves, without delay, what the SMS said (GET /sms.json?to=) and waits
// for a payment's callback to be taken (GET /paid.json?ref=AccountReference);
// GET /stats.json counts what it did.
//
// usage: node fake.mjs --port 9999 [--delay-ms 200]
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string' }, 'delay-ms': { type: 'string', default: '200' } } });
const delay = Number(values['delay-ms']);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let next = 0;
const prompts = new Map(); // CheckoutRequestID -> prompt
const byRef = new Map(); // AccountReference -> prompt
const waiters = new Map(); // AccountReference -> [resolve]
const sms = new Map(); // phone -> [{to, body, at_ms, id}]
const stats = { tokens: 0, prompts: 0, callbacks_taken: 0, callbacks_refused: 0, queries: 0, sms: 0 };

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function callBack(p) {
  await sleep(delay);
  p.receipt = `TLA${String(next++).padStart(7, '0')}`;
  const items = [
    { Name: 'Amount', Value: p.amount }, { Name: 'MpesaReceiptNumber', Value: p.receipt }, { Name: 'Balance' },
    { Name: 'TransactionDate', Value: 20261206133416 }, { Name: 'PhoneNumber', Value: Number(p.phone) },
  ];
  const body = { Body: { stkCallback: { MerchantRequestID: p.merchant, CheckoutRequestID: p.checkout, ResultCode: 0,
    ResultDesc: 'The service request is processed successfully.', CallbackMetadata: { Item: items } } } };
  try {
    const r = await fetch(p.callbackUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await r.arrayBuffer();
    p.taken = r.status === 200;
  } catch { p.taken = false; }
  if (p.taken) stats.callbacks_taken++; else stats.callbacks_refused++;
  for (const w of waiters.get(p.ref) ?? []) w(p);
  waiters.delete(p.ref);
}

const routes = {
  'GET /oauth/v1/generate': async () => { stats.tokens++; await sleep(delay); return [200, { access_token: 'bench-token', expires_in: '3599' }]; },
  'POST /mpesa/stkpush/v1/processrequest': async (b) => {
    const j = JSON.parse(b);
    await sleep(delay);
    const n = next++;
    const p = { checkout: `ws_CO_06122026${String(n).padStart(8, '0')}`, merchant: `29115-${n}`, amount: j.Amount, phone: String(j.PhoneNumber),
      callbackUrl: j.CallBackURL, ref: j.AccountReference, taken: undefined };
    prompts.set(p.checkout, p); byRef.set(p.ref, p); stats.prompts++;
    callBack(p);
    return [200, { MerchantRequestID: p.merchant, CheckoutRequestID: p.checkout, ResponseCode: '0',
      ResponseDescription: 'Success. Request accepted for processing', CustomerMessage: 'Success. Request accepted for processing' }];
  },
  'POST /mpesa/stkpushquery/v1/query': async (b) => {
    stats.queries++;
    const p = prompts.get(JSON.parse(b).CheckoutRequestID);
    await sleep(delay);
    if (!p) return [500, { requestId: '1', errorCode: '500.001.1001', errorMessage: 'No such transaction' }];
    return [200, { ResponseCode: '0', ResponseDescription: 'Accepted', MerchantRequestID: p.merchant, CheckoutRequestID: p.checkout,
      ResultCode: p.receipt ? '0' : '4999', ResultDesc: p.receipt ? 'The service request is processed successfully.' : 'Under processing' }];
  },
  'POST /version1/messaging': async (b) => {
    const f = new URLSearchParams(b);
    await sleep(delay);
    const id = `ATXid_${next++}`;
    const to = f.get('to');
    if (!sms.has(to)) sms.set(to, []);
    sms.get(to).push({ to, body: f.get('message'), at_ms: Date.now(), id });
    stats.sms++;
    return [201, { SMSMessageData: { Message: 'Sent to 1/1 Total Cost: KES 0.8000',
      Recipients: [{ statusCode: 101, number: to, status: 'Success', cost: 'KES 0.8000', messageId: id }] } }];
  },
};

createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  let body = '';
  req.on('data', (c) => { body += c; });
  req.on('end', async () => {
    if (req.method === 'GET' && url.pathname === '/sms.json') return send(res, 200, sms.get(url.searchParams.get('to')) ?? []);
    if (req.method === 'GET' && url.pathname === '/stats.json') return send(res, 200, stats);
    if (req.method === 'GET' && url.pathname === '/paid.json') {
      const ref = url.searchParams.get('ref');
      const p = byRef.get(ref);
      if (p && p.taken !== undefined) return send(res, 200, { taken: p.taken, checkout: p.checkout });
      const t = setTimeout(() => send(res, 504, { taken: false }), 15_000);
      if (!waiters.has(ref)) waiters.set(ref, []);
      waiters.get(ref).push((q) => { clearTimeout(t); send(res, 200, { taken: q.taken, checkout: q.checkout }); });
      return;
    }
    const route = routes[`${req.method} ${url.pathname}`];
    if (!route) return send(res, 404, { errorMessage: 'no such path' });
    try {
      const [status, out] = await route(body);
      send(res, status, out);
    } catch (e) { send(res, 400, { errorMessage: String(e) }); }
  });
}).listen(Number(values.port), '127.0.0.1', () => console.error(`[fake] Daraja and Africa's Talking on ${values.port}, ${delay} ms`));
