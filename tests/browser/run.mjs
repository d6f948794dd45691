// The browser journeys: node run.mjs BASE_URL [JOURNEY...]
//
// Drives Debian's Chromium (headless; $CHROMIUM or /usr/bin/chromium)
// through each journey in turn against a running tims at BASE_URL (with
// its demo data and development SMS sink). Every page a journey reaches is
// checked (lib/checks.mjs) and shot at phone and desktop sizes into
// target/browser-shots/<journey>/ (or $TIMS_BROWSER_SHOTS); one line is
// printed per check, then a table of the pages, also written to
// report.md there. Exits non-zero on any failure that
// known-failures.txt does not list, and on a listed one that no longer
// happens.
//
// A journey is a module in journeys/ exporting { name, run(browser) };
// add yours to the list below.

import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

import { advanceClock, canAdvanceClock } from './lib/clock.mjs';
import { readKnown, report, staleKnown } from './lib/report.mjs';
import { record, run, startJourney } from './lib/run-state.mjs';
import { anonymous } from './journeys/anonymous.mjs';
import { owner } from './journeys/owner.mjs';
import { orgSale } from './journeys/org-sale.mjs';
import { recovery } from './journeys/recovery.mjs';
import { registration } from './journeys/registration.mjs';
import { cancel } from './journeys/cancel.mjs';
import { decline } from './journeys/decline.mjs';
import { saleNoJs } from './journeys/sale-nojs.mjs';
import { saleSw } from './journeys/sale-sw.mjs';
import { companyPays } from './journeys/company-pays.mjs';
import { sale } from './journeys/sale.mjs';

const journeys = [
  anonymous(),
  anonymous({ lang: 'sw' }),
  owner({ javaScript: true }),
  registration({ javaScript: true }),
  owner({ javaScript: false }),
  registration({ javaScript: false }),
  sale(),
  decline(),
  cancel(),
  recovery(),
  orgSale(),
  saleNoJs(),
  companyPays(),
  saleSw(),
];

const here = dirname(fileURLToPath(import.meta.url));
const [base, ...only] = process.argv.slice(2);
if (!base || !/^https?:\/\//.test(base)) {
  console.error('usage: node run.mjs BASE_URL [JOURNEY...]   (journeys: ' + journeys.map((j) => j.name).join(', ') + ')');
  process.exit(2);
}
run.base = base.replace(/\/+$/, '');
run.origin = new URL(run.base).origin;
run.shots = resolve(process.env.TIMS_BROWSER_SHOTS ?? join(here, '../../target/browser-shots'));
rmSync(run.shots, { recursive: true, force: true });
mkdirSync(run.shots, { recursive: true });

run.known = readKnown(join(here, 'known-failures.txt'));
const started = Date.now();
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true });
console.log(`Chromium ${browser.version()} against ${run.base}`);
const ran = [];
for (const journey of journeys) {
  if (only.length && !only.includes(journey.name)) continue;
  if (ran.length && canAdvanceClock) await advanceClock(16 * 60_000, 'a fresh budget of SMS codes for each journey');
  ran.push(journey.name);
  startJourney(journey.name);
  console.log(`\n== ${journey.name}`);
  try {
    await journey.run(browser);
  } catch (e) {
    // A step that could not be taken ends this journey; the next one runs.
    const lines = String(e.message || e).split('\n');
    const what = lines.find((l) => /waiting for (locator|getBy|selector)/.test(l));
    record(`${journey.name}/${run.journey.last ?? 'start'}`, 'step', false, [lines[0], what?.trim()].filter(Boolean).join(': '));
  }
  for (const context of browser.contexts()) await context.close();
}
await browser.close();
staleKnown(ran);
const { failed, known: explained, passed } = report((Date.now() - started) / 1000);
if (failed.length) {
  console.log(`\nbrowser: ${failed.length} checks FAILED (${passed.length} passed, ${explained.length} known):`);
  for (const c of failed) console.log(`  ${c.page} ${c.check}: ${c.detail}`);
  process.exit(1);
}
console.log(`\nbrowser: every check passed (${passed.length} passed, ${explained.length} known failures listed)`);
process.exit(0); // standard input may still be open for the clock

