// visit(page, name): the checks every page a journey reaches must pass,
// run after every navigation. Each outcome is recorded (a failure does not
// throw), and the page's figures go into the report:
//   lang      <html lang> is the journey's language
//   origin    no request went to another origin (fonts, scripts, CDNs)
//   weight    document + everything it loaded, over the wire, <= 60 KB
//   axe:RULE  axe-core, WCAG 2.0/2.1/2.2 A and AA: no serious or critical
//   overflow  at 360 px the page is no wider than the screen
// and a full-page screenshot at the phone's size and at 1280 px.

import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import { DESKTOP, PHONE, personOf } from './person.mjs';
import { record, run } from './run-state.mjs';

export const WEIGHT_BUDGET = 60 * 1024;
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export async function visit(page, name) {
  const j = run.journey;
  j.visits += 1;
  j.last = name;
  const nn = String(j.visits).padStart(2, '0');
  const id = `${j.name}/${name}`;
  const person = personOf(page);
  await page.waitForLoadState('load');
  const row = { page: id, nn, path: new URL(page.url()).pathname, kb: null, axe: '', failures: 0 };
  run.pages.push(row);
  const note = (check, ok, detail) => {
    if (!record(id, check, ok, detail).ok) row.failures += 1;
  };

  const lang = await page.evaluate(() => document.documentElement.lang);
  note('lang', primary(lang) === primary(person.lang), `html lang="${lang}", expected ${person.lang}`);

  const outside = person.outside.splice(0);
  note('origin', outside.length === 0, outside.length ? `requests to: ${[...new Set(outside)].slice(0, 3).join(', ')}` : 'same origin only');

  const w = await weight(page);
  row.kb = w.bytes / 1024;
  note('weight', w.bytes <= WEIGHT_BUDGET, `${row.kb.toFixed(1)} KB in ${w.count} responses (budget 60 KB)`);

  const violations = await axe(page, person);
  const grave = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const minor = violations.length - grave.length;
  row.axe = grave.length ? grave.map((v) => v.id).join(', ') : minor ? `pass (${minor} minor/moderate)` : 'pass';
  if (grave.length === 0) note('axe', true, minor ? `no serious or critical; ${minor} minor/moderate: ${violations.map((v) => v.id).join(', ')}` : 'no violations');
  for (const v of grave) note(`axe:${v.id}`, false, `${v.impact}: ${v.help}; at ${v.targets.join(' | ')}`);

  await shoot(page, person, j.name, `${nn}-${name}`, note, row);
}

function primary(tag) {
  return String(tag || '').toLowerCase().split('-')[0];
}

// Bytes a first visit costs: each response's bytes over the wire (headers
// and body as sent), or its body as sent when this context had it cached.
async function weight(page) {
  return page.evaluate(() => {
    const all = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
    const bytes = all.reduce((s, e) => s + Math.max(e.transferSize || 0, e.encodedBodySize || 0), 0);
    return { bytes, count: all.length };
  });
}

// axe-core in the page itself; for a page without JavaScript, in a page of
// a JavaScript-on context of the same size given the same document (axe
// needs timers, which a page without JavaScript does not run).
async function axe(page, person) {
  let target = page;
  if (!person.javaScript) {
    if (!person.inspector) {
      const ctx = await person.browser.newContext({ viewport: person.viewport, locale: person.locale });
      person.inspector = await ctx.newPage();
    }
    target = person.inspector;
    const url = page.url().split('#')[0];
    const html = await page.content();
    const handler = (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
    const only = (u) => u.href === url;
    await target.route(only, handler);
    await target.goto(url);
    await target.unroute(only, handler);
  }
  await target.evaluate(axeSource);
  return target.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  }, AXE_TAGS);
}

// The overflow check at the phone's size, and a full-page shot at both
// sizes; the page is left at the person's own size.
async function shoot(page, person, journey, file, note, row) {
  const dir = join(run.shots, journey);
  mkdirSync(dir, { recursive: true });
  const own = person.viewport;
  if (own !== PHONE) await page.setViewportSize(PHONE);
  const o = await overflow(page);
  row.overflow = o.scrollWidth > o.width ? `${o.scrollWidth}px` : 'none';
  note(
    'overflow',
    o.scrollWidth <= o.width,
    o.scrollWidth <= o.width
      ? `${o.scrollWidth}px wide at ${o.width}px`
      : `${o.scrollWidth}px wide at ${o.width}px; widest: ${o.widest}`,
  );
  await page.screenshot({ path: join(dir, `${file}-phone.png`), fullPage: true });
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: join(dir, `${file}-desktop.png`), fullPage: true });
  await page.setViewportSize(own);
}

// How wide the document is at the current size and, when it is wider than
// the screen, the element that sticks out furthest (the outermost one whose
// parent still fits).
async function overflow(page) {
  return page.evaluate(() => {
    const width = window.innerWidth;
    const scrollWidth = document.documentElement.scrollWidth;
    let widest = '';
    if (scrollWidth > width) {
      let best = null;
      for (const el of document.body.querySelectorAll('*')) {
        const r = el.getBoundingClientRect();
        const parent = el.parentElement.getBoundingClientRect();
        if (r.right > width + 0.5 && parent.right <= width + 0.5 && (!best || r.right > best.r.right)) best = { el, r };
      }
      if (best) {
        const { el, r } = best;
        const cls = el.classList.length ? `.${[...el.classList].join('.')}` : '';
        const text = (el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 40);
        widest = `<${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${cls}> ${Math.round(r.width)}px wide, right edge at ${Math.round(r.right)}px ("${text}")`;
      }
    }
    return { width, scrollWidth, widest };
  });
}
