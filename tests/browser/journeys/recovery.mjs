// A person locked out recovers and lands back where they started:
// 45678901 opens a registry page that needs sign-in, with a query (an
// inquiry about KDA 001A); at the sign-on types wrong passwords until the
// sign-on refuses to try again for a while; follows the way to recover the
// account (the date of birth in three boxes, the code sent to the phone, a
// new password); signs in with it; and lands back on the inquiry with its
// query, signed in.

import { visit } from '../lib/checks.mjs';
import { newPerson } from '../lib/person.mjs';
import { expect, run } from '../lib/run-state.mjs';
import { DEMO_PHONES, fillDateOfBirth, follow, go, latestCode, smsMark, submitForm } from '../lib/signon.mjs';
import { mainText, pathOf } from '../lib/transfer.mjs';

const PERSON = { idNumber: '45678901', dateOfBirth: '1988-01-30', name: 'Kipchoge Ruto' };
const INQUIRY = '/inquiry?registration_number=KDA%20001A';
/** The new password (other journeys that sign 45678901 in after this one need it). */
export const RECOVERED_PASSWORD = 'baobab tusker sunrise 9';

async function errorSummary(page) {
  const summary = page.locator('main .summary, main [role=alert]').first();
  return (await summary.count()) ? (await summary.innerText()).replace(/\s+/g, ' ') : '';
}

export function recovery() {
  return {
    name: 'recovery',
    async run(browser) {
      const page = await newPerson(browser);
      const phone = DEMO_PHONES[PERSON.idNumber];
      await go(page, INQUIRY);
      await visit(page, 'sso-signin');
      expect(pathOf(page) === '/sso/signin', 'the inquiry sends a person who is not signed in to the sign-on', page.url());

      // Wrong passwords, until the sign-on stops trying.
      const said = [];
      for (let n = 1; n <= 4; n += 1) {
        await page.selectOption('#account_type', 'citizen');
        await page.fill('#id_number', PERSON.idNumber);
        await page.fill('#password', `not my password ${n}`);
        await submitForm(page, '#password');
        await visit(page, `wrong-password-${n}`);
        said.push(await errorSummary(page));
      }
      expect(said[0], 'a wrong password is refused with a message', said[0]);
      expect(said[3] && said[3] !== said[0], 'after too many wrong passwords the sign-on says to stop (not "wrong password" again)', said.join(' | '));
      expect((await page.title()).startsWith('Error:'), 'the refused page title starts with "Error:"', await page.title());

      // The way to recover the account, carrying the way back.
      const recover = page.locator('main a[href^="/sso/recover"]').first();
      expect(await recover.count(), 'the refused sign-in offers to recover the account', await mainText(page));
      await follow(page, recover);
      await visit(page, 'recover');
      expect(new URL(page.url()).searchParams.get('return_to')?.startsWith('/sso/authorize?'), 'the recovery carries the way back (the sign-in under way for the inquiry)', page.url());
      await page.selectOption('#account_type', 'citizen');
      await page.fill('#id_number', PERSON.idNumber);
      await fillDateOfBirth(page, PERSON.dateOfBirth);
      const mark = await smsMark(page, phone);
      await submitForm(page, '#date_of_birth_year');
      await visit(page, 'recover-code');
      expect(pathOf(page) === '/sso/recover/code', 'the recovery asks for the code sent to the phone', page.url());
      await page.fill('#code', await latestCode(page, phone, { after: mark }));
      await page.fill('#password', RECOVERED_PASSWORD);
      await page.fill('#password_confirm', RECOVERED_PASSWORD);
      await submitForm(page, '#password_confirm');
      await visit(page, 'recovered');
      expect(pathOf(page) === '/sso/signin', 'after recovering, the person signs in again', page.url());

      // Signing in with the new password lands back on the inquiry.
      await page.selectOption('#account_type', 'citizen');
      await page.fill('#id_number', PERSON.idNumber);
      await page.fill('#password', RECOVERED_PASSWORD);
      const mark2 = await smsMark(page, phone);
      await submitForm(page, '#password');
      await visit(page, 'sso-code');
      await page.fill('#code', await latestCode(page, phone, { after: mark2 }));
      await submitForm(page, '#code');
      await visit(page, 'inquiry-back');
      const at = new URL(page.url());
      expect(at.origin === run.origin && at.pathname + at.search === INQUIRY, 'back on the inquiry with its query', page.url());
      const text = await mainText(page);
      expect(text.includes('KDA 001A') && (await page.locator('main dl').count()), 'the inquiry shows the record of KDA 001A', text.slice(0, 300));
      const header = await page.locator('header').innerText();
      expect(header.includes(PERSON.name), `the registry shows ${PERSON.name} signed in`, header);
    },
  };
}
