// The buyer declines: the seller (12345678) sells KDA 001A to 23456789,
// uploads and submits; the buyer answers "No", is warned on the check that
// declining ends the transfer and cannot be undone, asks for the code to
// decline and types it; both see the transfer ended.

import { visit } from '../lib/checks.mjs';
import { expect, run } from '../lib/run-state.mjs';
import { DEMO_PHONES, latestCode, smsMark, submitForm } from '../lib/signon.mjs';
import { answer, continueOn, latestSms, mainText, openFromList, pathOf, sell, signedIn, uploadAndSubmit } from '../lib/transfer.mjs';

const SELLER = '12345678';
const BUYER = '23456789';

export function decline() {
  return {
    name: 'decline',
    async run(browser) {
      const seller = await signedIn(browser, SELLER, { as: 'seller' });
      const id = await sell(seller, { reg: 'KDA 001A', number: BUYER });
      await uploadAndSubmit(seller, DEMO_PHONES[SELLER]);

      const buyer = await signedIn(browser, BUYER, { as: 'buyer' });
      await openFromList(buyer, id, 'buyer-transfer');
      await answer(buyer, { who: 'answer', yes: false, phone: DEMO_PHONES[BUYER], as: 'buyer', stopAtCheck: true });
      // The check warns before anything is sent.
      const warning = buyer.locator('main .warning-text');
      expect(await warning.count(), 'the check warns that declining ends the transfer', await mainText(buyer));
      expect(await buyer.locator('main form button.warning').count(), 'the button that sends the code to decline is marked as a warning');
      expect(!(await buyer.locator('#postal_address, input[name=collection_office]').count()), 'declining asks for no address or office');
      const phone = DEMO_PHONES[BUYER];
      const mark = await smsMark(buyer, phone);
      await continueOn(buyer);
      await visit(buyer, 'buyer-code');
      expect(pathOf(buyer) === `/transfers/${id}/answer/code`, 'the code to decline is asked on its own page', buyer.url());
      const code = await latestCode(buyer, phone, { after: mark });
      const sms = await latestSms(buyer, phone);
      expect(/DECLINE/.test(sms), 'the SMS says it is a code to DECLINE', sms);
      await buyer.fill('#code', code);
      await submitForm(buyer, '#code');
      await visit(buyer, 'buyer-declined');
      expect(buyer.url().includes('notice=declined'), 'the buyer declined, with its notice', buyer.url());
      expect(!(await buyer.locator(`main a[href="/transfers/${id}/answer"]`).count()), 'a declined transfer asks the buyer nothing more');

      await seller.goto(new URL(`/transfers/${id}`, run.base).href, { waitUntil: 'load' });
      await visit(seller, 'seller-declined');
      expect(!(await seller.locator(`main a[href="/transfers/${id}/cancel"]`).count()), 'a declined transfer can no longer be cancelled');
    },
  };
}
