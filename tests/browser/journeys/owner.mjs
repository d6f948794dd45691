// A demo owner (12345678, who owns KDA 001A) signs in through the
// registry's "Sign in", sees the home page and their vehicles, inquires a
// registration number, opens the transfers list and signs out.

import { visit } from '../lib/checks.mjs';
import { newPerson } from '../lib/person.mjs';
import { expect } from '../lib/run-state.mjs';
import { DEMO_PASSWORD, follow, go, signIn } from '../lib/signon.mjs';

export function owner({ javaScript = true } = {}) {
  return {
    name: javaScript ? 'owner' : 'owner-nojs',
    async run(browser) {
      const page = await newPerson(browser, { javaScript });
      await go(page, '/');
      await visit(page, 'home');

      await signIn(page, '12345678', DEMO_PASSWORD);
      await visit(page, 'home-signed-in');
      expect(new URL(page.url()).pathname === '/', 'the sign-in lands on the home page', page.url());
      expect(await page.locator('form[action="/signout"]').count(), 'the home page shows the person signed in');

      await follow(page, page.locator('main a[href="/vehicles"]').first());
      await visit(page, 'my-vehicles');
      expect((await page.locator('main').innerText()).includes('KDA 001A'), 'my vehicles lists KDA 001A');

      await follow(page, page.locator('a[href="/inquiry"]').first());
      await visit(page, 'inquiry');
      await page.fill('#registration_number', 'KDA 001A');
      await follow(page, page.locator('form', { has: page.locator('#registration_number') }).locator('button').first());
      await visit(page, 'inquiry-result');
      const record = await page.locator('main dl').count();
      expect(record, 'the inquiry shows the record of KDA 001A', await page.locator('main').innerText());

      await follow(page, page.locator('a[href="/transfers"]').first());
      await visit(page, 'transfers');

      await follow(page, page.locator('header a[href="/"]').first());
      await visit(page, 'home-again');
      await follow(page, page.locator('form[action="/signout"] button').first());
      await visit(page, 'signed-out');
      expect(await page.locator('a[href^="/signin"]').count(), 'after signing out the home page offers to sign in');
      expect(!(await page.locator('form[action="/signout"]').count()), 'after signing out nobody is signed in');
    },
  };
}
