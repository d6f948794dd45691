// The steps of a transfer through the registry's pages, as a person takes
// them, shared by the transfer journeys: a person signed in from the home
// page; selling (the vehicle, the kind of buyer, the buyer's ID, the check);
// the scan and the code that submits; an answer (the buyer's accept or
// decline, a joint owner's or the financier's approve or refuse), checked
// and confirmed with the code sent for it; acting for an organisation.
//
// Every page reached is passed to visit() under a name given by the
// journey's prefix (so one journey may take a step twice), fields are found
// by their ids, radios by their values and buttons by their forms, never by
// their words: the steps run in any language. A step that cannot be taken
// throws (the runner ends the journey); what a page must say is an expect().

import { visit } from './checks.mjs';
import { newPerson } from './person.mjs';
import { expect, run } from './run-state.mjs';
import { DEMO_PASSWORD, DEMO_PHONES, follow, go, latestCode, signIn, smsMark, submitForm } from './signon.mjs';

/** A small, well-formed one-page PDF, as a scanned logbook. */
export const SCAN = { name: 'logbook.pdf', mimeType: 'application/pdf', buffer: pdf('A test scan of a logbook') };

/** A one-page PDF showing `text`, with a correct cross-reference table. */
function pdf(text) {
  const stream = `BT /F1 18 Tf 40 760 Td (${text}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets = objects.map((o, i) => {
    const at = out.length;
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
    return at;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const at of offsets) out += `${String(at).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/**
 * A demo person in a browser context of their own, signed in to the
 * registry from its home page; the page is on the registry's home, visited
 * as `${as}-home`.
 */
export async function signedIn(browser, idNumber, { as, javaScript = true, lang = 'en', accountType = 'citizen', password = DEMO_PASSWORD } = {}) {
  const page = await newPerson(browser, { javaScript, lang });
  await go(page, '/');
  await signIn(page, idNumber, password, { phone: DEMO_PHONES[idNumber], accountType, as });
  await visit(page, `${as}-home`);
  expect(await page.locator('form[action="/signout"]').count(), `${as}: the registry shows ${idNumber} signed in`);
  return page;
}

/** The transfer's id from the address of its page (or any of its steps). */
export function transferId(page) {
  const m = /\/transfers\/([^/?#]+)/.exec(new URL(page.url()).pathname);
  if (!m || m[1] === 'new') throw new Error(`not on a transfer's page: ${page.url()}`);
  return m[1];
}

/** The path of the page on now, without its query. */
export function pathOf(page) {
  return new URL(page.url()).pathname;
}

/** The text of the page's main part. */
export async function mainText(page) {
  return (await page.locator('main').innerText()).replace(/\s+/g, ' ');
}

/** Choose the radio of `name` with `value`. */
export async function choose(page, name, value) {
  await page.locator(`input[type=radio][name="${name}"][value="${value}"]`).check();
}

/** Submit the one form of a question or check page (the first that posts). */
export async function continueOn(page) {
  await follow(page, page.locator('main form[method=post]').first().locator('button[type=submit]').first());
}

/**
 * Sell a vehicle from the home page's "Sell a vehicle": its registration
 * number, the kind of buyer (`individual` or `organisation`), the buyer's
 * document (`citizen`, `resident`, `foreigner`; none for an organisation)
 * and number, then the check and "Start the transfer". Pages visited as
 * sell-*, the transfer's page as `transfer-started`. Returns the id.
 */
export async function sell(page, { reg, buyer = 'individual', doc = 'citizen', number }) {
  await follow(page, page.locator('main a[href="/transfers/new"]').first());
  await visit(page, 'sell-vehicle');
  await page.fill('#registration_number', reg);
  await continueOn(page);
  await visit(page, 'sell-buyer');
  expect(pathOf(page) === '/transfers/new/buyer', 'the vehicle is taken; next, who is buying', page.url());
  await choose(page, 'buyer', buyer);
  await continueOn(page);
  await visit(page, 'sell-buyer-id');
  if (buyer !== 'organisation') await choose(page, 'buyer_id_type', doc);
  await page.fill('#buyer_id_number', number);
  await continueOn(page);
  await visit(page, 'sell-check');
  expect(pathOf(page) === '/transfers/new/check', 'the answers are checked before the transfer starts', page.url());
  const check = await mainText(page);
  expect(check.includes(reg), `the check names ${reg}`, check.slice(0, 300));
  expect(await page.locator('dl.check a[href="/transfers/new/buyer-id"]').count(), 'the check offers to change the buyer');
  await continueOn(page);
  await visit(page, 'transfer-started');
  expect(page.url().includes('notice=created'), 'the transfer is started, with its notice', page.url());
  expect(await page.locator('.panel').count(), 'a panel confirms the start with the reference');
  return transferId(page);
}

/**
 * From the transfer's page: upload the scan, check, ask for the code,
 * type it. Pages visited as upload, submit-check, submit-code and
 * `submitted`.
 */
export async function uploadAndSubmit(page, phone) {
  const id = transferId(page);
  await follow(page, page.locator(`main a[href="/transfers/${id}/upload"]`).first());
  await visit(page, 'upload');
  await page.setInputFiles('#logbook', SCAN);
  await submitForm(page, '#logbook');
  await visit(page, 'submit-check');
  expect(pathOf(page) === `/transfers/${id}/submit`, 'after the upload, the transfer is checked before it is submitted', page.url());
  const mark = await smsMark(page, phone);
  await continueOn(page);
  await visit(page, 'submit-code');
  expect(pathOf(page) === `/transfers/${id}/submit/code`, 'the code to submit is asked on its own page', page.url());
  await page.fill('#code', await latestCode(page, phone, { after: mark }));
  await submitForm(page, '#code');
  await visit(page, 'submitted');
  expect(page.url().includes('notice=submitted'), 'the transfer is submitted, with its notice', page.url());
}

/** Open a transfer from the list of one's transfers (the nav's link). */
export async function openFromList(page, id, name) {
  await follow(page, page.locator('header a[href="/transfers"]').first());
  await visit(page, `${name}-list`);
  const link = page.locator(`main a[href="/transfers/${id}"]`);
  expect(await link.count(), 'the transfer is in the list of my transfers', await mainText(page));
  await follow(page, link.first());
  await visit(page, name);
}

/**
 * Answer from the transfer's page: the buyer (`who` = 'answer') accepts
 * (with a postal address and an office) or declines; a consenter
 * (`who` = 'consent') approves or refuses. The question, the check, the
 * code sent for that answer. Pages visited as `${as}-…`. With `stopAtCheck`
 * returns on the check (visited), the code not asked for.
 */
export async function answer(page, { who, yes, phone, as, address = 'P.O. Box 1-00100 Nairobi', office = null, stopAtCheck = false }) {
  const id = transferId(page);
  await follow(page, page.locator(`main a[href="/transfers/${id}/${who}"]`).first());
  await visit(page, `${as}-question`);
  await choose(page, 'answer', yes ? 'yes' : 'no');
  await continueOn(page);
  if (who === 'answer' && yes) {
    await visit(page, `${as}-address`);
    await page.fill('#postal_address', address);
    await continueOn(page);
    await visit(page, `${as}-office`);
    const radios = page.locator('input[type=radio][name="collection_office"]');
    expect(await radios.count(), 'the offices to collect at are offered');
    if (office) await choose(page, 'collection_office', office);
    else await radios.first().check();
    await continueOn(page);
  }
  await visit(page, `${as}-check`);
  expect(pathOf(page) === `/transfers/${id}/${who}/check`, 'the answer is checked before its code is sent', page.url());
  if (stopAtCheck) return;
  const mark = await smsMark(page, phone);
  await continueOn(page);
  await visit(page, `${as}-code`);
  expect(pathOf(page) === `/transfers/${id}/${who}/code`, 'the code for the answer is asked on its own page', page.url());
  const code = await latestCode(page, phone, { after: mark });
  await page.fill('#code', code);
  await submitForm(page, '#code');
  await visit(page, `${as}-done`);
}

/** The newest message to `phone` (its text), for what an SMS says. */
export async function latestSms(page, phone) {
  const r = await page.context().request.get(`${run.base}/sso/dev/sms.json?to=${encodeURIComponent(phone)}`);
  const all = await r.json();
  return all[0]?.body ?? '';
}

/** Act for an organisation (its KRA PIN; '' for oneself) from the home page's choice. */
export async function actFor(page, kraPin, as) {
  const select = page.locator('#kra_pin');
  expect(await select.count(), `${as}: the home page offers to act for an organisation`);
  await select.selectOption(kraPin);
  await follow(page, page.locator('form[action="/acting-for"] button[type=submit]'));
  await visit(page, `${as}-acting`);
  const chosen = await page.locator('#kra_pin').inputValue().catch(() => null);
  expect(chosen === kraPin, `${as}: the registry remembers the organisation acted for`, `chosen: ${chosen}`);
}
