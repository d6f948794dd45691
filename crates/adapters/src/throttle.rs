//! The send-rate limits the outbox workers keep: at most so many messages
//! a second from this node, and at most so many to one number a minute.
//!
//! Both outboxes send through one [`SmsSender`]; wrapping it in
//! [`Throttled`] gives both workers one pair of limits. A message over a
//! limit is not sent and not failed: the sender answers
//! [`SmsError::Later`] with the time it may go, and the outbox puts the
//! row back, due then, without counting an attempt. Limits are per node,
//! kept in memory (a node that restarts starts afresh).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use db::Clock;

use crate::BoxFuture;
use crate::sms::{Sent, SmsError, SmsSender, SmsTag};

/// The limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Messages a second, to everyone.
    pub per_second: u32,
    /// Messages a minute to one number.
    pub per_number_per_minute: u32,
    /// Messages out to the gateway at once, from each outbox.
    pub in_flight: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self { per_second: 20, per_number_per_minute: 6, in_flight: crate::sms::DEFAULT_IN_FLIGHT as u32 }
    }
}

const SECOND_MS: i64 = 1_000;
const MINUTE_MS: i64 = 60_000;
/// Numbers remembered before the quiet ones are forgotten.
const NUMBERS_KEPT: usize = 10_000;

#[derive(Debug, Default)]
struct Sends {
    /// When the last messages went, to anyone (the newest `per_second`).
    all: VecDeque<i64>,
    /// When the last messages went to each number.
    by_number: HashMap<String, VecDeque<i64>>,
}

/// A sender that keeps to [`Limits`].
#[derive(Debug)]
pub struct Throttled {
    inner: Arc<dyn SmsSender>,
    limits: Limits,
    clock: Arc<dyn Clock>,
    sends: Mutex<Sends>,
}

impl Throttled {
    pub fn new(inner: Arc<dyn SmsSender>, limits: Limits, clock: Arc<dyn Clock>) -> Self {
        let limits = Limits {
            per_second: limits.per_second.max(1),
            per_number_per_minute: limits.per_number_per_minute.max(1),
            in_flight: limits.in_flight.max(1),
        };
        Self { inner, limits, clock, sends: Mutex::new(Sends::default()) }
    }

    /// Take a place for a message to `to` now, or say when one frees.
    fn admit(&self, to: &str) -> Result<(), i64> {
        let now = self.clock.now_ms();
        let mut s = self.sends.lock().unwrap_or_else(|e| e.into_inner());
        let Sends { all, by_number } = &mut *s;
        while all.front().is_some_and(|t| *t <= now - SECOND_MS) {
            all.pop_front();
        }
        if all.len() >= self.limits.per_second as usize {
            return Err(all.front().map_or(now, |t| t + SECOND_MS));
        }
        if by_number.len() > NUMBERS_KEPT {
            by_number.retain(|_, times| times.back().is_some_and(|t| *t > now - MINUTE_MS));
        }
        let times = by_number.entry(to.to_string()).or_default();
        while times.front().is_some_and(|t| *t <= now - MINUTE_MS) {
            times.pop_front();
        }
        if times.len() >= self.limits.per_number_per_minute as usize {
            return Err(times.front().map_or(now, |t| t + MINUTE_MS));
        }
        times.push_back(now);
        all.push_back(now);
        Ok(())
    }
}

impl SmsSender for Throttled {
    fn send<'a>(&'a self, to: &'a str, body: &'a str) -> BoxFuture<'a, Result<Sent, SmsError>> {
        match self.admit(to) {
            Ok(()) => self.inner.send(to, body),
            Err(at_ms) => Box::pin(async move { Err(SmsError::Later { at_ms }) }),
        }
    }

    fn send_tagged<'a>(&'a self, to: &'a str, body: &'a str, tag: &'a SmsTag) -> BoxFuture<'a, Result<Sent, SmsError>> {
        match self.admit(to) {
            Ok(()) => self.inner.send_tagged(to, body, tag),
            Err(at_ms) => Box::pin(async move { Err(SmsError::Later { at_ms }) }),
        }
    }

    fn is_development(&self) -> bool {
        self.inner.is_development()
    }

    fn max_in_flight(&self) -> usize {
        self.limits.in_flight as usize
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use db::ManualClock;

    use super::*;
    use crate::sms::DevSmsSink;

    #[tokio::test]
    async fn a_message_over_a_limit_is_held_back_until_a_place_frees() {
        let clock = Arc::new(ManualClock::new(1_000_000));
        let sink = Arc::new(DevSmsSink::default());
        let t = Throttled::new(
            sink.clone(),
            Limits { per_second: 3, per_number_per_minute: 2, in_flight: 5 },
            clock.clone(),
        );
        t.send("+254700000001", "a").await.unwrap();
        t.send("+254700000001", "b").await.unwrap();
        assert_eq!(t.send("+254700000001", "c").await, Err(SmsError::Later { at_ms: 1_060_000 }), "per number");
        t.send("+254700000002", "d").await.unwrap();
        assert_eq!(t.send("+254700000003", "e").await, Err(SmsError::Later { at_ms: 1_001_000 }), "per second");
        clock.advance_ms(1_000);
        t.send("+254700000003", "e").await.unwrap();
        assert_eq!(t.max_in_flight(), 5, "the outbox keeps this many out at once");
        assert!(matches!(t.send("+254700000001", "c").await, Err(SmsError::Later { .. })));
        clock.advance_ms(59_000);
        t.send("+254700000001", "c").await.unwrap();
        assert_eq!(sink.messages(None).len(), 5, "what was held back never reached the gateway");
    }
}
