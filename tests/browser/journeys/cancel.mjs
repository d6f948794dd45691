// The seller cancels: 12345678 starts selling the tractor KAT 300T to
// 45678901, then cancels it from the transfer's page, through the "Are you
// sure" page (first saying "No, keep it", then "Yes, cancel").

import { visit } from '../lib/checks.mjs';
import { expect } from '../lib/run-state.mjs';
import { follow } from '../lib/signon.mjs';
import { continueOn, mainText, pathOf, sell, signedIn } from '../lib/transfer.mjs';

const SELLER = '12345678';

export function cancel() {
  return {
    name: 'cancel',
    async run(browser) {
      const seller = await signedIn(browser, SELLER, { as: 'seller' });
      const id = await sell(seller, { reg: 'KAT 300T', number: '45678901' });
      const cancelLink = () => seller.locator(`main a[href="/transfers/${id}/cancel"]`);
      expect(await cancelLink().count(), 'the transfer offers to cancel it', await mainText(seller));

      await follow(seller, cancelLink().first());
      await visit(seller, 'cancel-sure');
      expect(pathOf(seller) === `/transfers/${id}/cancel`, 'cancelling asks first', seller.url());
      expect(await seller.locator('main .warning-text').count(), 'the question warns that cancelling cannot be undone');
      // "No, keep it" goes back, the transfer untouched.
      await follow(seller, seller.locator(`main a[href="/transfers/${id}"]`).last());
      await visit(seller, 'kept');
      expect(await cancelLink().count(), 'after "No", the transfer is still open', await mainText(seller));

      await follow(seller, cancelLink().first());
      await visit(seller, 'cancel-sure-again');
      await continueOn(seller);
      await visit(seller, 'cancelled');
      expect(seller.url().includes('notice=cancelled'), 'the transfer is cancelled, with its notice', seller.url());
      expect(!(await cancelLink().count()), 'a cancelled transfer offers no cancel');
      expect(!(await seller.locator(`main a[href="/transfers/${id}/upload"]`).count()), 'a cancelled transfer asks for no scan');
    },
  };
}
