// The whole sale in Kiswahili: browsers that ask for Kiswahili, every page
// checked to be in it (its <html lang> and its words). John Smith acts for
// Kamau Motors and sells KDD 300D to resident 100200300; the buyer accepts
// and pays; the receipt follows.

import { visit } from '../lib/checks.mjs';
import { expect } from '../lib/run-state.mjs';
import { DEMO_PHONES, follow } from '../lib/signon.mjs';
import { actFor, answer, continueOn, mainText, openFromList, pathOf, sell, signedIn, uploadAndSubmit } from '../lib/transfer.mjs';

const JOHN = 'A1234567';
const DEALER = 'P051234567A';
const BUYER = '100200300';

export function saleSw() {
  return {
    name: 'sale-sw',
    async run(browser) {
      const john = await signedIn(browser, JOHN, { as: 'seller', lang: 'sw', accountType: 'foreigner' });
      await actFor(john, DEALER, 'seller');
      const id = await sell(john, { reg: 'KDD 300D', doc: 'resident', number: BUYER });
      const started = await mainText(john);
      expect(started.includes('Uhamisho umeanzishwa') && started.includes('Unachohitaji kufanya'), 'the started transfer speaks Kiswahili', started.slice(0, 600));
      expect(!/What you need to do|Transfer started/.test(started), 'and no English', started.slice(0, 600));
      await uploadAndSubmit(john, DEMO_PHONES[JOHN]);

      const buyer = await signedIn(browser, BUYER, { as: 'buyer', lang: 'sw', accountType: 'resident' });
      await openFromList(buyer, id, 'buyer-transfer');
      const asked = await mainText(buyer);
      expect(asked.includes('Kubali au kataa'), 'the buyer is asked, in Kiswahili, to accept or decline', asked.slice(0, 600));
      await answer(buyer, { who: 'answer', yes: true, phone: DEMO_PHONES[BUYER], as: 'buyer' });
      expect(buyer.url().includes('notice=accepted'), 'the buyer accepted', buyer.url());
      await follow(buyer, buyer.locator(`main a[href="/transfers/${id}/pay"]`).first());
      await visit(buyer, 'pay');
      await continueOn(buyer);
      for (let i = 0; i < 10 && pathOf(buyer).endsWith('/payment'); i += 1) {
        await visit(buyer, i === 0 ? 'payment' : `payment-${i}`);
        await buyer.waitForTimeout(1000);
        await buyer.reload({ waitUntil: 'load' });
      }
      await visit(buyer, 'receipt');
      expect(pathOf(buyer) === `/transfers/${id}/receipt`, 'the payment ends on its receipt', buyer.url());
      const receipt = await mainText(buyer);
      expect(receipt.includes('KES') && !/Payment receipt|Paid on/.test(receipt), 'the receipt is in Kiswahili', receipt.slice(0, 600));
    },
  };
}
