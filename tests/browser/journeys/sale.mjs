// The whole seed journey on KCB 123B, each person in a browser context of
// their own: the seller (12345678) sells it to 23456789, uploads the scan
// and submits; the joint owner (resident 100200300) approves; Harambee
// Bank's admin (56789012), acting for the bank, approves; the buyer accepts
// (the SMS says it is a code to ACCEPT); then the payment and the officer's
// review (34567890), where the server has their pages: the buyer pays from
// the number the page offers, waits, sees the receipt; the officer opens the
// review from the queue and approves after its confirmation; the buyer sees
// the approval. Where the payment pages are missing the journey ends at
// "awaiting payment" and says so.

import { visit } from '../lib/checks.mjs';
import { expect, run } from '../lib/run-state.mjs';
import { DEMO_PHONES, follow } from '../lib/signon.mjs';
import { actFor, answer, continueOn, latestSms, mainText, openFromList, pathOf, sell, signedIn, uploadAndSubmit } from '../lib/transfer.mjs';

const REG = 'KCB 123B';
const SELLER = '12345678';
const JOINT = '100200300';
const BANK_ADMIN = '56789012';
const BANK = 'P051234569C';
const BUYER = '23456789';
const OFFICER = '34567890';

/** Whether the server answers GET `path` with a page (not 404 or 405). */
async function hasPage(page, path) {
  const r = await page.context().request.get(new URL(path, run.base).href, { maxRedirects: 0 });
  return r.status() !== 404 && r.status() !== 405;
}

export function sale() {
  return {
    name: 'sale',
    async run(browser) {
      const seller = await signedIn(browser, SELLER, { as: 'seller' });
      const id = await sell(seller, { reg: REG, number: BUYER });
      await uploadAndSubmit(seller, DEMO_PHONES[SELLER]);
      const afterSubmit = await mainText(seller);
      expect(/Harambee Bank/.test(afterSubmit) && /Amina Hassan/.test(afterSubmit), 'the transfer names the joint owner and the financier', afterSubmit.slice(0, 600));

      // The joint owner approves.
      const joint = await signedIn(browser, JOINT, { as: 'joint', accountType: 'resident' });
      await openFromList(joint, id, 'joint-transfer');
      await answer(joint, { who: 'consent', yes: true, phone: DEMO_PHONES[JOINT], as: 'joint' });
      expect(joint.url().includes('notice=approved'), 'the joint owner approved', joint.url());

      // The bank's admin approves, acting for the bank.
      const bank = await signedIn(browser, BANK_ADMIN, { as: 'bank' });
      await actFor(bank, BANK, 'bank');
      await openFromList(bank, id, 'bank-transfer');
      expect(await bank.locator(`main a[href="/transfers/${id}/consent"]`).count(), 'the bank is asked to answer the request', await mainText(bank));
      await answer(bank, { who: 'consent', yes: true, phone: DEMO_PHONES[BANK_ADMIN], as: 'bank' });
      expect(bank.url().includes('notice=approved'), 'the bank approved', bank.url());

      // The buyer accepts.
      const buyer = await signedIn(browser, BUYER, { as: 'buyer' });
      await openFromList(buyer, id, 'buyer-transfer');
      await answer(buyer, { who: 'answer', yes: true, phone: DEMO_PHONES[BUYER], as: 'buyer', office: 'Kisumu' });
      const sms = await latestSms(buyer, DEMO_PHONES[BUYER]);
      expect(/ACCEPT/.test(sms), 'the SMS says it is a code to ACCEPT', sms);
      expect(buyer.url().includes('notice=accepted'), 'the buyer accepted', buyer.url());

      // The payment, where its pages are there.
      const pay = buyer.locator(`main a[href="/transfers/${id}/pay"]`);
      expect(await pay.count(), 'the buyer is asked to pay the fee', await mainText(buyer));
      if (!(await hasPage(buyer, `/transfers/${id}/pay`))) {
        console.log(`note: sale: GET /transfers/${id}/pay is not a page on this server: the journey ends at "awaiting payment"`);
        return;
      }
      await follow(buyer, pay.first());
      await visit(buyer, 'pay');
      expect(await buyer.locator('#phone').inputValue(), 'the number to prompt is filled in', '');
      await continueOn(buyer);
      for (let i = 0; i < 10 && pathOf(buyer).endsWith('/payment'); i += 1) {
        await visit(buyer, i === 0 ? 'payment' : `payment-${i}`);
        await buyer.waitForTimeout(1000);
        await buyer.reload({ waitUntil: 'load' });
      }
      await visit(buyer, 'receipt');
      expect(pathOf(buyer) === `/transfers/${id}/receipt`, 'the payment ends on its receipt', buyer.url());

      // The officer's review, where its page is there.
      const officer = await signedIn(browser, OFFICER, { as: 'officer' });
      await follow(officer, officer.locator('header a[href="/review"]').first());
      await visit(officer, 'review-queue');
      const row = officer.locator(`main a[href="/transfers/${id}"]`);
      expect(await row.count(), 'the transfer is in the review queue', await mainText(officer));
      await follow(officer, row.first());
      await visit(officer, 'officer-transfer');
      if (!(await hasPage(officer, `/transfers/${id}/review`))) {
        console.log(`note: sale: GET /transfers/${id}/review is not a page on this server: the journey ends at "in review"`);
        return;
      }
      await follow(officer, officer.locator(`main a[href="/transfers/${id}/review"]`).first());
      await visit(officer, 'review');
      await follow(officer, officer.locator(`main a[href="/transfers/${id}/review/approve"]`).first());
      await visit(officer, 'review-approve');
      await continueOn(officer);
      await visit(officer, 'reviewed');
      expect(/notice=review/.test(officer.url()), 'the officer approved the transfer, with its notice', officer.url());

      await buyer.goto(new URL(`/transfers/${id}`, run.base).href, { waitUntil: 'load' });
      await visit(buyer, 'buyer-approved');
      const text = await mainText(buyer);
      expect(text.includes('Kisumu'), 'the buyer is told where to collect the new logbook', text.slice(0, 600));
    },
  };
}
