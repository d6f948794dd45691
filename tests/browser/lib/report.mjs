// The known failures (tests/browser/known-failures.txt), matched against
// what a run found, and the report: one line per page visited with its
// weight and axe result, printed and written to report.md beside the
// screenshots.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { record, run } from './run-state.mjs';

// Lines of "PAGE CHECK REASON...": PAGE is journey/name as visit() names
// it, CHECK a check's word as printed (axe:RULE, overflow, weight, ...).
export function readKnown(file) {
  const known = [];
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, i) => {
    const text = line.trim();
    if (!text || text.startsWith('#')) return;
    const [page, check, ...why] = text.split(/\s+/);
    if (!check || why.length === 0) throw new Error(`${file}:${i + 1}: want "PAGE CHECK REASON", got "${text}"`);
    known.push({ page, check, reason: why.join(' '), seen: false });
  });
  return known;
}

// A listed failure that did not happen in a journey that ran is itself a
// failure, so that the list only shrinks.
export function staleKnown(journeysRun) {
  for (const k of run.known) {
    if (k.seen || !journeysRun.includes(k.page.split('/')[0])) continue;
    const why = `listed in known-failures.txt but did not fail: take its line out (${k.reason})`;
    record(k.page, k.check, false, why, { listable: false });
  }
}

export function report(seconds) {
  const failed = run.checks.filter((c) => !c.ok && !c.known);
  const known = run.checks.filter((c) => !c.ok && c.known);
  const passed = run.checks.filter((c) => c.ok);
  const rows = run.pages.map((p) => {
    const kb = p.kb === null ? '' : p.kb.toFixed(1);
    return `| ${p.nn} | ${p.page} | \`${p.path}\` | ${kb} | ${p.axe} | ${p.overflow ?? ''} | ${p.failures} |`;
  });
  const lines = [
    '# Browser journeys',
    '',
    `${run.base}, ${new Date().toISOString()}, ${seconds.toFixed(1)} s. ` +
      `${passed.length} checks passed, ${failed.length} failed, ${known.length} known failures.`,
    '',
    '| # | page | path | KB | axe (serious, critical) | overflow at 360 px | failed checks |',
    '|---:|---|---|---:|---|---|---:|',
    ...rows,
    '',
  ];
  const list = (title, cs, why) =>
    cs.length ? [`## ${title}`, '', ...cs.map((c) => `- ${c.page} ${c.check}: ${c.detail}${why ? ` (known: ${c.known})` : ''}`), ''] : [];
  lines.push(...list('Failures', failed, false), ...list('Known failures (tests/browser/known-failures.txt)', known, true));
  const text = lines.join('\n');
  writeFileSync(join(run.shots, 'report.md'), text);
  console.log(`\n${text}`);
  console.log(`Screenshots and this report: ${run.shots}`);
  return { failed, known, passed };
}
