//! The outbox's worker: a pipeline, not a pass at a time. It keeps up to
//! as many messages as the gateway allows ([`SmsSender::max_in_flight`]) out to the gateway at once, and each step writes
//! what became of the sends that came back and leases as many due rows as
//! there are free places, in one transaction. It steps as soon as a send
//! comes back or a commit queues a message (the `wake` notice), so a code
//! never waits for a batch of notices to finish: it is leased the moment a
//! place is free, and codes are leased first.
//!
//! Steps are at least [`STEP_GAP`] apart: under load one step writes many
//! answers and leases many rows; when quiet a code leaves within a blink.
//! Once a second it also looks for rows that fell due without a wake-up
//! (retries, other nodes' rows, expired leases) and applies delivery
//! reports that came before their message's id was written.
//!
//! On shutdown it leases nothing more, waits for what is out (each send is
//! bounded by the gateway adapter's timeout) and writes it, so that a
//! message the gateway took is not sent again by the next worker; a step
//! that fails then is tried again once a second for a while. A send the
//! send-rate limit holds back stops the leasing until the next tick, so a
//! backlog over the limit is not leased and put back again and again.

use std::time::Duration;

use db::{Clock, Db};
use futures_util::FutureExt as _;
use futures_util::stream::{FuturesUnordered, StreamExt as _};
use tokio::sync::{Notify, watch};

use super::{Done, Outbox, Outcome, Sender, count, reports, step};
use crate::BoxFuture;
use crate::sms::SmsSender;

/// The shortest time between two steps.
const STEP_GAP: Duration = Duration::from_millis(20);
/// After a stop, how long a failing database may be tried again for the
/// answers of sends that went out.
const GIVE_UP_AFTER_STOP: Duration = Duration::from_secs(20);
/// How often the worker looks for rows no wake-up announced.
const LOOK_EVERY: Duration = Duration::from_secs(1);

/// What one outbox's worker works with.
pub struct Pump<'a> {
    pub db: &'a Db,
    pub outbox: Outbox,
    pub sms: &'a dyn SmsSender,
    pub clock: &'a dyn Clock,
    /// A code older than this is wiped unsent.
    pub code_ttl_ms: i64,
    /// Notified after each commit that queued a message.
    pub wake: &'a Notify,
}

impl Pump<'_> {
    /// Apply the delivery reports that came before their message's id.
    async fn apply_waiting_reports(&self) {
        if let Err(e) = reports::apply_waiting(self.db, self.outbox, self.clock.now_ms()).await {
            tracing::error!(outbox = self.outbox.table(), error = %e, "applying waiting delivery reports failed");
        }
    }

    /// Deliver until `shutdown` says stop, then finish what is out.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let table = self.outbox.table();
        let window = self.sms.max_in_flight().max(1);
        let sender = Sender { table, sms: self.sms, clock: self.clock, code_ttl_ms: self.code_ttl_ms };
        let mut out: FuturesUnordered<BoxFuture<'_, Done>> = FuturesUnordered::new();
        let mut back: Vec<Done> = vec![];
        let mut look = true;
        // After a failed step, nothing until the next tick.
        let mut held = false;
        // A send held back by the send-rate limit: no more leasing until
        // the next tick (its row is due again when the limit allows).
        let mut throttled = false;
        let mut stopping = *shutdown.borrow();
        // Once stopping, how long a failing database may keep the answers
        // of sends that went out (after it they are lost, and resent).
        let mut give_up_at = None;
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + LOOK_EVERY, LOOK_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_step = tokio::time::Instant::now() - STEP_GAP;
        loop {
            let free = if stopping || !look { 0 } else { window - out.len() };
            if !held && (!back.is_empty() || free > 0) {
                tokio::time::sleep_until(last_step + STEP_GAP).await;
                // Whatever came back meanwhile is written in this step too.
                while let Some(Some(o)) = out.next().now_or_never() {
                    back.push(o);
                }
                throttled |= back.iter().any(|(_, _, o)| matches!(o, Outcome::Wait(_)));
                let free = if stopping || !look || throttled { 0 } else { window - out.len() };
                if !back.is_empty() {
                    crate::crashpoint("outbox.sent_unmarked");
                }
                let now = self.clock.now_ms();
                last_step = tokio::time::Instant::now();
                match step(self.db, table, &back, free, now).await {
                    Ok(leased) => {
                        count(table, &back);
                        back.clear();
                        // Fewer than asked for: nothing else is due now.
                        look = !throttled && leased.len() == free && free > 0;
                        out.extend(leased.into_iter().map(|row| sender.send(row, now)));
                    }
                    Err(e) => {
                        tracing::error!(outbox = table, error = %e, "outbox step failed; trying again");
                        held = true;
                        let late = give_up_at.is_some_and(|at| tokio::time::Instant::now() >= at);
                        if late && out.is_empty() {
                            tracing::error!(
                                outbox = table,
                                unwritten = back.len(),
                                "stopping with answers unwritten: their messages will be sent again"
                            );
                            return;
                        }
                    }
                }
            }
            if stopping && out.is_empty() && back.is_empty() {
                return;
            }
            tokio::select! {
                // A stop is seen before anything else, so that nothing more
                // is leased once it is asked for; the tick before the sends,
                // so that a busy worker still looks once a second.
                biased;
                _ = shutdown.changed(), if !stopping => {
                    stopping = true;
                    give_up_at = Some(tokio::time::Instant::now() + GIVE_UP_AFTER_STOP);
                }
                _ = tick.tick(), if !stopping || held => {
                    (look, held, throttled) = (true, false, false);
                    self.apply_waiting_reports().await;
                }
                Some(o) = out.next(), if !out.is_empty() => {
                    back.push(o);
                    look = !throttled;
                }
                () = self.wake.notified(), if !stopping => look = !throttled,
            }
        }
    }
}
