// Selling for an organisation: John Smith (passport A1234567) signs in at
// the sign-on and adds Kamau Motors to his account by its KRA PIN; not a
// director, he waits for approval; Kamau Motors' admin (12345678) approves
// him as a transactor on the organisation's members page; John signs in to
// the registry, chooses to act for Kamau Motors on the home page and sells
// one of its cars (KDD 200D) to Savannah Logistics by KRA PIN (its kind
// comes from the KRA register), uploads the scan and submits with the code
// sent to his own phone.

import { visit } from '../lib/checks.mjs';
import { newPerson } from '../lib/person.mjs';
import { expect } from '../lib/run-state.mjs';
import { DEMO_PASSWORD, DEMO_PHONES, follow, go, signIn, signInAtSignOn, submitForm } from '../lib/signon.mjs';
import { actFor, mainText, pathOf, sell, uploadAndSubmit } from '../lib/transfer.mjs';

const JOHN = 'A1234567';
const ADMIN = '12345678';
const DEALER = 'P051234567A';
const BUYER_PIN = 'P051234571E';

export function orgSale() {
  return {
    name: 'org-sale',
    async run(browser) {
      // John asks to act for Kamau Motors.
      const john = await newPerson(browser);
      await signInAtSignOn(john, JOHN, DEMO_PASSWORD, { accountType: 'foreigner', as: 'john' });
      await visit(john, 'john-account');
      expect(pathOf(john).startsWith('/sso'), 'the sign-in at the sign-on ends on the account', john.url());
      await follow(john, john.locator('main a[href="/sso/organisations"]').first());
      await visit(john, 'john-add-org');
      await john.fill('#kra_pin', DEALER.toLowerCase());
      await submitForm(john, '#kra_pin');
      await visit(john, 'john-org-requested');
      const asked = await mainText(john);
      expect(asked.includes('Kamau Motors'), 'the account lists Kamau Motors, waiting for approval', asked.slice(0, 600));

      // The admin approves him as a transactor.
      const admin = await newPerson(browser);
      await signInAtSignOn(admin, ADMIN, DEMO_PASSWORD, { as: 'admin' });
      await visit(admin, 'admin-account');
      await follow(admin, admin.locator(`main a[href="/sso/organisations/${DEALER}"]`).first());
      await visit(admin, 'admin-members');
      const row = admin.locator('main tr', { hasText: JOHN });
      expect(await row.count(), 'the members page lists John asking to join', await mainText(admin));
      await row.locator('select[name=decision]').selectOption('transactor');
      await follow(admin, row.locator('button[type=submit]'));
      await visit(admin, 'admin-approved');
      const members = await mainText(admin);
      expect(members.includes('John Smith'), 'John is a member now', members.slice(0, 600));

      // John, in the registry, acts for Kamau Motors and sells one of its cars.
      await go(john, '/');
      await visit(john, 'john-registry');
      await signIn(john, JOHN, DEMO_PASSWORD, { accountType: 'foreigner', as: 'john-registry' });
      await visit(john, 'john-home');
      await actFor(john, DEALER, 'john');
      const header = await john.locator('header').innerText();
      expect(header.includes('Kamau Motors'), 'the header says John acts for Kamau Motors', header);
      await follow(john, john.locator('header a[href="/vehicles"]').first());
      await visit(john, 'dealer-vehicles');
      const cars = await mainText(john);
      expect(cars.includes('KDD 200D') && cars.includes('KDD 800D'), "the list shows Kamau Motors' cars", cars.slice(0, 400));
      await go(john, '/');
      await visit(john, 'john-home-again');
      const id = await sell(john, { reg: 'KDD 200D', buyer: 'organisation', number: BUYER_PIN });
      const started = await mainText(john);
      expect(started.includes('Savannah Logistics'), 'the buyer is named as the KRA register gives it', started.slice(0, 600));
      expect(started.includes('Kamau Motors'), 'the seller is Kamau Motors', started.slice(0, 600));
      await uploadAndSubmit(john, DEMO_PHONES[JOHN]);
      expect(john.url().includes(`/transfers/${id}`), 'the transfer is submitted for Kamau Motors', john.url());
    },
  };
}
