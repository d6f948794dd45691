// Moving the server's clock on, where the runner can: under the Rust test
// (crates/tims/tests/browser.rs, which sets TIMS_BROWSER_CLOCK=stdin) the
// app runs on a clock that stands still, and the runner asks the test to
// move it by printing "tims-clock advance MS" and waiting for "ok" on its
// standard input. Against a server of one's own it cannot, and says so.
//
// The sign-on sends at most 3 codes to one phone in 15 minutes and 10 in a
// day: the runner moves the clock 16 minutes between journeys, and a
// journey that sends more codes to one phone can call advanceClock itself.

import { createInterface } from 'node:readline';

export const canAdvanceClock = process.env.TIMS_BROWSER_CLOCK === 'stdin';
let answers = null;

/** Move the server's clock on by `ms`; false where it cannot be moved. */
export async function advanceClock(ms, why) {
  if (!canAdvanceClock) {
    console.log(`note: the server's clock is not moved by ${ms / 60000} minutes (${why}): it is not ours to move`);
    return false;
  }
  answers ??= createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  console.log(`tims-clock advance ${ms}`);
  const { value } = await answers.next();
  if (value !== 'ok') throw new Error(`the test did not move the clock (it answered ${JSON.stringify(value)})`);
  return true;
}
