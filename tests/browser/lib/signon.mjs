// Signing in and registering through the pages, as a person does: the
// registry's "Sign in", the sign-on's password page, then the SMS code read
// from the development SMS sink (/sso/dev/sms.json, a request in the
// person's own context). Fields are found by their names and buttons by
// their forms, not by their words, so the journeys run in any language.

import { visit } from './checks.mjs';
import { run } from './run-state.mjs';

/** The demo accounts `tims serve` prints and seeds: ID number -> phone. */
export const DEMO_PHONES = {
  12345678: '+254712345678',
  23456789: '+254723456789',
  34567890: '+254734567890',
  45678901: '+254745678901',
  56789012: '+254756789012',
  100200300: '+254110200300',
  A1234567: '+254111234567',
};
export const DEMO_PASSWORD = 'kenya-demo-1';

/** Click and wait for the page it leads to (redirects included) to load. */
export async function follow(page, locator) {
  const nav = page.waitForNavigation({ waitUntil: 'load' });
  try {
    await locator.click();
  } catch (e) {
    nav.catch(() => {});
    throw e;
  }
  await nav;
}

/** Submit the form a field belongs to with its submit button. */
export async function submitForm(page, fieldSelector) {
  const form = page.locator('form', { has: page.locator(fieldSelector) }).first();
  await follow(page, form.locator('button[type=submit], input[type=submit]').first());
}

/** Go to a path of the server under test. */
export async function go(page, path) {
  await page.goto(new URL(path, run.base).href, { waitUntil: 'load' });
}

async function messages(page, phone) {
  const r = await page.context().request.get(`${run.base}/sso/dev/sms.json?to=${encodeURIComponent(phone)}`);
  if (!r.ok()) throw new Error(`the development SMS sink answered ${r.status()}`);
  return r.json();
}

/** The id of the newest message to `phone` now (to wait for a newer one). */
export async function smsMark(page, phone) {
  const all = await messages(page, phone);
  return all[0]?.id ?? null;
}

/**
 * The 6-digit code in the newest message to `phone` newer than `after`
 * (an smsMark; any message when null), waiting up to 10 s for it.
 */
export async function latestCode(page, phone, { after = null } = {}) {
  for (let i = 0; i < 100; i += 1) {
    const all = await messages(page, phone);
    const fresh = after === null ? all : all.slice(0, Math.max(0, all.findIndex((m) => m.id === after)));
    for (const m of fresh) {
      const code = /\b(\d{6})\b/.exec(m.body);
      if (code) return code[1];
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no new code was sent to ${phone}`);
}

/**
 * Sign in from a registry page that shows "Sign in": the sign-on's
 * password page and code page (each visited), and back to the registry.
 * A person the sign-on already knows goes straight through. Returns with
 * the page on the registry's page the sign-in lands on, not yet visited.
 */
export async function signIn(page, idNumber, password, { phone = DEMO_PHONES[idNumber], accountType = 'citizen' } = {}) {
  await follow(page, page.locator('a[href^="/signin"]').first());
  if (!new URL(page.url()).pathname.startsWith('/sso/signin')) return;
  await visit(page, 'sso-signin');
  await page.selectOption('#account_type', accountType);
  await page.fill('#id_number', idNumber);
  await page.fill('#password', password);
  const mark = await smsMark(page, phone);
  await submitForm(page, '#password');
  await visit(page, 'sso-code');
  await page.fill('#code', await latestCode(page, phone, { after: mark }));
  await submitForm(page, '#code');
}

/** Fill a date of birth, as one ISO box or as day, month and year boxes. */
export async function fillDateOfBirth(page, iso) {
  const [y, m, d] = iso.split('-');
  if ((await page.locator('input#date_of_birth').count()) > 0) {
    await page.fill('#date_of_birth', iso);
    return;
  }
  await page.fill('input[name*="day" i]', d);
  await page.fill('input[name*="month" i]', m);
  await page.fill('input[name*="year" i]', y);
}

/**
 * Register a person of the development population register from the
 * sign-on's registration page (the page is on it, visited): the form, then
 * the code sent to the phone. Returns on the page registration lands on,
 * not yet visited.
 */
export async function register(page, { idNumber, dateOfBirth, phone, password, accountType = 'citizen' }) {
  await page.selectOption('#account_type', accountType);
  await page.fill('#id_number', idNumber);
  await fillDateOfBirth(page, dateOfBirth);
  await page.fill('#phone', phone);
  await page.fill('#password', password);
  await page.fill('#password_confirm', password);
  const e164 = `+254${phone.replace(/\D/g, '').slice(-9)}`;
  const mark = await smsMark(page, e164);
  await submitForm(page, '#password_confirm');
  await visit(page, 'sso-register-code');
  await page.fill('#code', await latestCode(page, e164, { after: mark }));
  await submitForm(page, '#code');
}
