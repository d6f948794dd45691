// A company buyer pays from the company's number: 23456789, an admin of
// Savannah Logistics, acts for it, finds the sale of KDD 200D (opened by
// the org-sale journey) among what needs the company's action, accepts,
// and pays from the company's own number (0722 000 111), not his; the
// receipt shows that number, masked. The clock is moved on a day first, so
// the demo phones' daily code budgets start again.

import { visit } from '../lib/checks.mjs';
import { advanceClock } from '../lib/clock.mjs';
import { expect } from '../lib/run-state.mjs';
import { DEMO_PHONES, follow } from '../lib/signon.mjs';
import { actFor, answer, continueOn, mainText, pathOf, signedIn } from '../lib/transfer.mjs';

const STAFF = '23456789';
const COMPANY = 'P051234571E';
const COMPANY_PHONE = '0722 000 111';

export function companyPays() {
  return {
    name: 'company-pays',
    async run(browser) {
      await advanceClock(25 * 60 * 60 * 1000, "a new day: the demo phones' daily code budgets start again");
      const staff = await signedIn(browser, STAFF, { as: 'staff' });
      await actFor(staff, COMPANY, 'staff');
      const waiting = staff.locator('main a', { hasText: 'KDD 200D' });
      expect(await waiting.count(), "the company's home page lists the sale of KDD 200D as needing its action", await mainText(staff));
      await follow(staff, waiting.first());
      await visit(staff, 'company-transfer');
      await answer(staff, { who: 'answer', yes: true, phone: DEMO_PHONES[STAFF], as: 'company' });
      expect(staff.url().includes('notice=accepted'), 'the company accepted', staff.url());
      const id = /\/transfers\/([^/?#]+)/.exec(new URL(staff.url()).pathname)[1];
      await follow(staff, staff.locator(`main a[href="/transfers/${id}/pay"]`).first());
      await visit(staff, 'company-pay');
      const offered = await staff.locator('#phone').inputValue();
      expect(offered === '0723 456 789', "the page offers the staff member's own number, as Kenyans write it", offered);
      await staff.fill('#phone', COMPANY_PHONE);
      await continueOn(staff);
      for (let i = 0; i < 10 && pathOf(staff).endsWith('/payment'); i += 1) {
        await visit(staff, i === 0 ? 'company-payment' : `company-payment-${i}`);
        await staff.waitForTimeout(1000);
        await staff.reload({ waitUntil: 'load' });
      }
      await visit(staff, 'company-receipt');
      expect(pathOf(staff) === `/transfers/${id}/receipt`, 'the payment ends on its receipt', staff.url());
      const receipt = await mainText(staff);
      expect(receipt.includes('07•• ••• 111'), "the receipt shows the company's number, masked", receipt.slice(0, 600));
      expect(!receipt.includes('456 789'), "the staff member's own number is not on it", receipt.slice(0, 600));
    },
  };
}
