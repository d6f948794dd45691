// Someone not signed in: the registry's home, then the sign-on's sign-in
// and registration pages reached from it; in English, and in Kiswahili for
// a browser that asks for it.

import { visit } from '../lib/checks.mjs';
import { newPerson } from '../lib/person.mjs';
import { expect } from '../lib/run-state.mjs';
import { follow, go } from '../lib/signon.mjs';

export function anonymous({ lang = 'en' } = {}) {
  return {
    name: lang === 'en' ? 'anonymous' : `anonymous-${lang}`,
    async run(browser) {
      const page = await newPerson(browser, { lang });
      await go(page, '/');
      await visit(page, 'home');
      expect(await page.locator('a[href^="/signin"]').count(), 'the home page offers to sign in');

      await follow(page, page.locator('a[href^="/signin"]').first());
      await visit(page, 'sso-signin');
      expect(await page.locator('#password').count(), 'the sign-on asks for a password');

      await follow(page, page.locator('a[href^="/sso/register"]').first());
      await visit(page, 'sso-register');
      expect(await page.locator('#password_confirm').count(), 'the registration form is shown');
    },
  };
}
