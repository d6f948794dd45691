//! What keeps a flood from costing the agency or the people it serves: how
//! many requests that send an SMS one source address and the whole node may
//! make, how many password attempts one source address may make, and how
//! many password hashes (19 MiB each) run at once, with the rest shed.
//!
//! The counts are per node and in memory: they bound what one node spends,
//! and a node that restarts starts them again. The per-phone budgets that
//! must hold across nodes are in the database (`codes`). It knows addresses
//! and counts, not accounts or phones.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use domain::policy::{MINUTE_MS, SECOND_MS};
use tokio::sync::Semaphore;

use texts::{Refusal, SignOnRefusal, Text};

use crate::Error;
use crate::error::{TooMany, say};

/// The limits an operator may set.
#[derive(Debug, Clone, Copy)]
pub struct LimitsConfig {
    /// Requests that send an SMS (registration, sign-in, a new code,
    /// recovery) from one source address in 15 minutes. Many phones share
    /// one address behind a mobile network, so this is generous.
    pub sms_per_source: u32,
    /// Such requests on this node in one minute, from everyone.
    pub sms_per_minute: u32,
    /// Password attempts (sign-in, recovery) from one source address in a
    /// minute.
    pub passwords_per_source: u32,
    /// Password hashes computed at once; default: the node's cores.
    pub hashes_at_once: usize,
    /// Attempts that may wait for a hash beyond those; more are shed.
    pub hashes_waiting: usize,
    /// Password checks one source address may have running or waiting at
    /// once, so that one network cannot fill the queue.
    pub hashes_per_source: usize,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Self {
            sms_per_source: 60,
            sms_per_minute: 600,
            passwords_per_source: 30,
            hashes_at_once: cores,
            hashes_waiting: 4 * cores,
            hashes_per_source: 2,
        }
    }
}

const SMS_WINDOW_MS: i64 = 15 * MINUTE_MS;
const PASSWORD_WINDOW_MS: i64 = MINUTE_MS;
/// Addresses remembered at most per counter; beyond it (after dropping the
/// ones whose window has passed) new addresses are refused, so an attacker
/// with many addresses cannot make the table grow without bound.
const MAX_SOURCES: usize = 100_000;

/// Counts per key in fixed windows.
struct Windows {
    window_ms: i64,
    limit: u32,
    counts: Mutex<HashMap<IpAddr, (i64, u32)>>,
}

impl Windows {
    fn new(window_ms: i64, limit: u32) -> Self {
        Self { window_ms, limit, counts: Mutex::new(HashMap::new()) }
    }

    /// Count one more for `key`; `Err(ms)` if over the limit, with the time
    /// until its window ends.
    fn hit(&self, key: IpAddr, now: i64) -> Result<(), i64> {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        if counts.len() >= MAX_SOURCES && !counts.contains_key(&key) {
            counts.retain(|_, (start, _)| now - *start < self.window_ms);
            if counts.len() >= MAX_SOURCES {
                return Err(self.window_ms);
            }
        }
        let entry = counts.entry(key).or_insert((now, 0));
        if now - entry.0 >= self.window_ms {
            *entry = (now, 0);
        }
        if entry.1 >= self.limit {
            return Err(entry.0 + self.window_ms - now);
        }
        entry.1 += 1;
        Ok(())
    }
}

pub struct Limits {
    sms_source: Windows,
    sms_all: Windows,
    passwords: Windows,
    hashing: Semaphore,
    /// A place kept for sign-ins from browsers the account has signed in
    /// on before, so a flood never keeps the owner waiting behind it.
    known_lane: Semaphore,
    waiting: AtomicUsize,
    max_waiting: usize,
    in_flight: Mutex<HashMap<IpAddr, usize>>,
    per_source: usize,
}

/// One source's place among the password checks under way; given back on
/// drop.
pub struct SourceSlot<'a> {
    limits: &'a Limits,
    key: IpAddr,
}

impl Drop for SourceSlot<'_> {
    fn drop(&mut self) {
        let mut map = self.limits.in_flight.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = map.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                map.remove(&self.key);
            }
        }
    }
}

impl std::fmt::Debug for Limits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limits").finish_non_exhaustive()
    }
}

/// The key of a source: an IPv6 address by its /64 (one subscriber's
/// network), an IPv4 address as it is.
fn source_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
        v4 => v4,
    }
}

const ALL: IpAddr = IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED);

/// How long to wait in whole seconds, rounded up, at least one: for
/// `Retry-After` and for the refusal that says it (`texts::format::wait`).
pub(crate) fn wait_secs(wait_ms: i64) -> u64 {
    u64::try_from(((wait_ms + SECOND_MS - 1) / SECOND_MS).max(1)).unwrap_or(1)
}

/// A refusal of the pace of requests, waiting `wait_ms`.
fn too_many<T: Text>(kind: TooMany, wait_ms: i64, refusal: impl FnOnce(u64) -> T) -> Error {
    let wait_secs = wait_secs(wait_ms);
    Error::TooMany { kind, message: say(refusal(wait_secs)), retry_after_secs: wait_secs }
}

impl Limits {
    pub fn new(cfg: LimitsConfig) -> Self {
        Self {
            sms_source: Windows::new(SMS_WINDOW_MS, cfg.sms_per_source),
            sms_all: Windows::new(MINUTE_MS, cfg.sms_per_minute),
            passwords: Windows::new(PASSWORD_WINDOW_MS, cfg.passwords_per_source),
            hashing: Semaphore::new(cfg.hashes_at_once.max(1)),
            known_lane: Semaphore::new(1),
            waiting: AtomicUsize::new(0),
            max_waiting: cfg.hashes_waiting,
            in_flight: Mutex::new(HashMap::new()),
            per_source: cfg.hashes_per_source.max(1),
        }
    }

    /// Count a request that may send an SMS, from `source`.
    pub fn sms_request(&self, source: IpAddr, now: i64) -> Result<(), Error> {
        self.sms_source
            .hit(source_key(source), now)
            .map_err(|ms| too_many(TooMany::Codes, ms, |wait_secs| Refusal::TooManyCodesFromNetwork { wait_secs }))?;
        self.sms_all
            .hit(ALL, now)
            .map_err(|ms| too_many(TooMany::Codes, ms, |wait_secs| Refusal::TooManyCodesEveryone { wait_secs }))
    }

    /// Count a password attempt from `source`.
    pub fn password_attempt(&self, source: IpAddr, now: i64) -> Result<(), Error> {
        self.passwords.hit(source_key(source), now).map_err(|ms| {
            too_many(TooMany::PasswordAttempts, ms, |wait_secs| SignOnRefusal::TooManyPasswordAttempts { wait_secs })
        })
    }

    /// Take one of `source`'s places among the password checks under way,
    /// held until the returned guard is dropped. Take it before anything
    /// is counted, so that a refusal here changes nothing.
    pub fn source_slot(&self, source: IpAddr) -> Result<SourceSlot<'_>, Error> {
        let key = source_key(source);
        let mut map = self.in_flight.lock().unwrap_or_else(|p| p.into_inner());
        let n = map.entry(key).or_insert(0);
        if *n >= self.per_source {
            let message = say(SignOnRefusal::TooManySignInsAtOnce);
            return Err(Error::TooMany { kind: TooMany::SignInsAtOnce, message, retry_after_secs: 2 });
        }
        *n += 1;
        Ok(SourceSlot { limits: self, key })
    }

    /// Run a password hash (or check) when a place is free, off the async
    /// workers (the caller holds its source's slot, see `source_slot`).
    /// Past the waiting places a request is shed at once, unless it comes
    /// from a browser the account has signed in on (`known`), which also
    /// has a place of its own.
    pub async fn hash<T: Send + 'static>(
        &self,
        known: bool,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Error> {
        let permit = match (self.hashing.try_acquire(), known) {
            (Ok(p), _) => p,
            (Err(_), true) => tokio::select! {
                p = self.hashing.acquire() => p,
                p = self.known_lane.acquire() => p,
            }
            .map_err(|_| Error::Internal("password hashing closed".into()))?,
            (Err(_), false) => {
                if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.max_waiting {
                    self.waiting.fetch_sub(1, Ordering::SeqCst);
                    metrics::counter!("tims_password_hashes_shed_total").increment(1);
                    return Err(Error::Busy { retry_after_secs: 2 });
                }
                let p = self.hashing.acquire().await;
                self.waiting.fetch_sub(1, Ordering::SeqCst);
                p.map_err(|_| Error::Internal("password hashing closed".into()))?
            }
        };
        let out = tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| Error::Internal(format!("password hashing stopped: {e}")))?;
        drop(permit);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> LimitsConfig {
        LimitsConfig {
            sms_per_source: 2,
            sms_per_minute: 3,
            passwords_per_source: 2,
            hashes_at_once: 1,
            hashes_waiting: 1,
            hashes_per_source: 8,
        }
    }

    const A: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 1));

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(ALL)
    }

    #[test]
    fn waits_are_told_in_seconds_then_in_whole_minutes() {
        let told = |ms: i64, seconds_below_ms: i64| {
            let secs = wait_secs(ms);
            (texts::format::wait(texts::Lang::En, secs, (seconds_below_ms / SECOND_MS) as u64), secs)
        };
        assert_eq!(told(1, MINUTE_MS), ("1 second".to_string(), 1));
        assert_eq!(told(59_500, MINUTE_MS), ("1 minute".to_string(), 60));
        assert_eq!(told(128_000, 5 * MINUTE_MS), ("128 seconds".to_string(), 128));
        assert_eq!(told(14 * MINUTE_MS + 1, 0), ("15 minutes".to_string(), 841));
    }

    #[test]
    fn one_address_is_limited_without_limiting_another() {
        let l = Limits::new(cfg());
        assert!(l.sms_request(ip("10.0.0.1"), 0).is_ok());
        assert!(l.sms_request(ip("10.0.0.1"), 1).is_ok());
        let Err(Error::TooMany { retry_after_secs, .. }) = l.sms_request(ip("10.0.0.1"), 2) else {
            panic!("a third request from one address is refused");
        };
        assert_eq!(retry_after_secs, 15 * 60);
        assert!(l.sms_request(ip("10.0.0.2"), 3).is_ok(), "another address is not limited");
        assert!(l.sms_request(ip("10.0.0.1"), SMS_WINDOW_MS).is_ok(), "a new window starts afresh");
    }

    #[test]
    fn the_whole_node_is_limited_however_many_addresses_ask() {
        let l = Limits::new(cfg());
        for i in 0..3 {
            assert!(l.sms_request(ip(&format!("10.0.1.{i}")), 0).is_ok());
        }
        assert!(matches!(l.sms_request(ip("10.0.1.9"), 0), Err(Error::TooMany { .. })));
    }

    #[test]
    fn ipv6_addresses_of_one_network_count_together() {
        let l = Limits::new(cfg());
        assert!(l.password_attempt(ip("2001:db8:1:2::1"), 0).is_ok());
        assert!(l.password_attempt(ip("2001:db8:1:2::ffff"), 0).is_ok());
        assert!(l.password_attempt(ip("2001:db8:1:2:aaaa::1"), 0).is_err());
        assert!(l.password_attempt(ip("2001:db8:1:3::1"), 0).is_ok());
    }

    #[tokio::test]
    async fn hashes_beyond_the_waiting_places_are_shed_with_a_retry_time() {
        let l = std::sync::Arc::new(Limits::new(cfg()));
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let rx = std::sync::Arc::new(Mutex::new(rx));
        let running = {
            let (l, rx) = (l.clone(), rx.clone());
            tokio::spawn(
                async move { l.hash(false, move || rx.lock().map(|r| r.recv().is_ok()).unwrap_or(false)).await },
            )
        };
        while l.hashing.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        let waiting = {
            let l = l.clone();
            tokio::spawn(async move { l.hash(false, || true).await })
        };
        while l.waiting.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        assert!(matches!(l.hash(false, || true).await, Err(Error::Busy { retry_after_secs: 2 })));
        assert!(matches!(l.hash(true, || 5).await, Ok(5)), "a known browser has a place of its own");
        tx.send(()).ok();
        assert!(matches!(running.await, Ok(Ok(true))));
        assert!(matches!(waiting.await, Ok(Ok(true))));
        assert!(matches!(l.hash(false, || 7).await, Ok(7)), "a free place is used again");
    }

    #[test]
    fn one_source_has_only_so_many_checks_under_way() {
        let l = Limits::new(LimitsConfig { hashes_per_source: 1, ..cfg() });
        let held = l.source_slot(A).unwrap();
        assert!(matches!(l.source_slot(A), Err(Error::TooMany { .. })));
        assert!(l.source_slot(ip("10.0.0.2")).is_ok(), "another source goes on");
        drop(held);
        assert!(l.source_slot(A).is_ok(), "the place is given back");
    }
}
