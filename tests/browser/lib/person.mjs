// A person at a browser: a fresh browser context (cookies of its own) at a
// phone's size (360x740) unless asked for a desktop (1280x800), in a
// language, with or without JavaScript. Every request the context makes is
// seen, so that visit() can tell a request to another origin.

import { run } from './run-state.mjs';

export const PHONE = { width: 360, height: 740 };
export const DESKTOP = { width: 1280, height: 800 };

const people = new WeakMap();

const locales = { en: 'en-KE', sw: 'sw-KE' };

export async function newPerson(browser, { lang = 'en', javaScript = true, desktop = false } = {}) {
  const viewport = desktop ? DESKTOP : PHONE;
  const locale = locales[lang] ?? lang;
  const context = await browser.newContext({
    viewport,
    locale,
    extraHTTPHeaders: { 'Accept-Language': `${locale},${lang};q=0.9` },
    javaScriptEnabled: javaScript,
  });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  const person = { browser, lang, locale, javaScript, viewport, outside: [], inspector: null };
  context.on('request', (req) => {
    const url = req.url();
    if (/^(data|blob|about):/.test(url)) return;
    if (new URL(url).origin !== run.origin) person.outside.push(url);
  });
  people.set(page, person);
  return page;
}

export function personOf(page) {
  const p = people.get(page);
  if (!p) throw new Error('this page was not made by newPerson()');
  return p;
}

// Closes a person's browser context (and the page axe reads a JavaScript-off
// page in, if one was made).
export async function leave(page) {
  const p = personOf(page);
  if (p.inspector) await p.inspector.context().close();
  await page.context().close();
}
