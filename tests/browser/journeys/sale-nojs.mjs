// The key steps of a sale with JavaScript off, as a browser without it
// takes them: 23456789 sells the motorcycle KMEA 123A to resident
// 100200300 (the buyer's document chosen from the radios), uploads the
// scan and submits with the code; the buyer accepts (address, office,
// check, the code to accept) and is asked to pay.

import { expect } from '../lib/run-state.mjs';
import { DEMO_PHONES } from '../lib/signon.mjs';
import { answer, latestSms, mainText, openFromList, sell, signedIn, uploadAndSubmit } from '../lib/transfer.mjs';

const SELLER = '23456789';
const BUYER = '100200300';

export function saleNoJs() {
  return {
    name: 'sale-nojs',
    async run(browser) {
      const seller = await signedIn(browser, SELLER, { as: 'seller', javaScript: false });
      const id = await sell(seller, { reg: 'KMEA 123A', doc: 'resident', number: BUYER });
      await uploadAndSubmit(seller, DEMO_PHONES[SELLER]);

      const buyer = await signedIn(browser, BUYER, { as: 'buyer', javaScript: false, accountType: 'resident' });
      await openFromList(buyer, id, 'buyer-transfer');
      await answer(buyer, { who: 'answer', yes: true, phone: DEMO_PHONES[BUYER], as: 'buyer' });
      const sms = await latestSms(buyer, DEMO_PHONES[BUYER]);
      expect(/ACCEPT/.test(sms), 'the SMS says it is a code to ACCEPT', sms);
      expect(buyer.url().includes('notice=accepted'), 'the buyer accepted', buyer.url());
      expect(await buyer.locator(`main a[href="/transfers/${id}/pay"]`).count(), 'the buyer is asked to pay the fee', await mainText(buyer));
    },
  };
}
