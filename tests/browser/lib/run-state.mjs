// What one run of the journeys has seen: the journey under way, every check
// with its outcome, and every page visited with its figures. The runner
// starts a journey; visit() and the helpers record into it.

export const run = {
  base: '',
  origin: '',
  shots: '',
  journey: null,
  // Failures listed in known-failures.txt: { page, check, reason, seen }.
  known: [],
  checks: [],
  pages: [],
};

export function startJourney(name) {
  run.journey = { name, visits: 0 };
}

// One check's outcome. `page` is "journey/name"; `check` a short word
// ("axe:<rule>", "weight", "overflow", "origin", "lang", "step", ...).
// A failure is recorded, not thrown, so that a journey goes on; one that
// known-failures.txt lists is marked with the list's reason (unless
// `listable` is false: the list cannot explain its own stale lines).
export function record(page, check, ok, detail = '', { listable = true } = {}) {
  const c = { page, check, ok, detail };
  const k = ok || !listable ? null : run.known.find((x) => x.page === page && x.check === check);
  if (k) {
    k.seen = true;
    c.known = k.reason;
  }
  run.checks.push(c);
  const word = ok ? 'ok   ' : k ? 'known' : 'FAIL ';
  console.log(`${word} ${page.padEnd(36)} ${check.padEnd(16)} ${detail}`);
  return c;
}

// A check of the journey itself (it landed where it should, a text is shown):
// recorded against the page last visited.
export function expect(cond, what, detail = '') {
  const j = run.journey;
  record(`${j.name}/${j.last ?? 'start'}`, 'expect', Boolean(cond), cond ? what : `${what}: ${detail}`);
  return Boolean(cond);
}
