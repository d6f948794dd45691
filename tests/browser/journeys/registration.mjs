// A new person registers with the sign-on from the registry's home page
// (a person of the development population register without an account),
// lands signed in at the sign-on, then signs in to the registry (straight
// through: the sign-on knows them).

import { visit } from '../lib/checks.mjs';
import { newPerson } from '../lib/person.mjs';
import { expect } from '../lib/run-state.mjs';
import { follow, go, register, signIn } from '../lib/signon.mjs';

// Two people of the development population register with no account in
// the demo data, one for each run of the journey.
const NEWCOMERS = {
  true: { idNumber: '67890123', dateOfBirth: '1992-12-12', name: 'Mutua Musyoka', phone: '0700 111 222' },
  false: { idNumber: '89012345', dateOfBirth: '1995-09-05', name: 'Baraka Mwangi', phone: '0700 111 333' },
};
const PASSWORD = 'granite pelican harbour 42';

export function registration({ javaScript = true } = {}) {
  const person = NEWCOMERS[javaScript];
  return {
    name: javaScript ? 'registration' : 'registration-nojs',
    async run(browser) {
      const page = await newPerson(browser, { javaScript });
      await go(page, '/');
      await visit(page, 'home');

      await follow(page, page.locator('a[href^="/sso/register"]').first());
      await visit(page, 'sso-register');
      await register(page, { ...person, password: PASSWORD });
      await visit(page, 'sso-registered');
      const main = await page.locator('main').innerText();
      expect(main.includes(person.name), `the sign-on greets ${person.name}, signed in`, main.slice(0, 300));

      await go(page, '/');
      await visit(page, 'home-after-registering');
      await signIn(page, person.idNumber, PASSWORD, { phone: person.phone });
      await visit(page, 'home-signed-in');
      expect(await page.locator('form[action="/signout"]').count(), 'the registry shows the new person signed in');
    },
  };
}
