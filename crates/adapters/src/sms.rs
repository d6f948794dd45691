//! Sending SMS: a small interface, with a development sink that keeps every
//! message so that a person trying tims can read their codes, and the real
//! gateway's adapter beside it (`africastalking`).
//!
//! A send answers what the gateway took ([`Sent`]: its id for the message,
//! which its delivery reports name, and what the message cost), or why it
//! did not ([`SmsError`]): worth trying again, refused for good, or held
//! back by the send-rate limit. The outbox decides what to do with each.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde::Serialize;

pub use crate::BoxFuture;

/// The gateway's id for a message it accepted; its delivery report names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct SentId(pub String);

impl std::fmt::Display for SentId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a message cost, as the gateway counts it: a currency and an amount
/// in millionths of its unit (the gateway answers with four decimals, and
/// one SMS costs less than a cent's worth of rounding would tell).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cost {
    pub currency: String,
    pub micros: i64,
}

impl Cost {
    /// Reads the gateway's `KES 0.8000`; `None` for anything else (a
    /// missing or zero cost is no cost).
    pub fn parse(text: &str) -> Option<Self> {
        let (currency, amount) = text.trim().split_once(' ')?;
        let (whole, frac) = amount.trim().split_once('.').unwrap_or((amount.trim(), ""));
        if currency.is_empty() || !currency.bytes().all(|b| b.is_ascii_uppercase()) || frac.len() > 6 {
            return None;
        }
        let whole: i64 = whole.parse().ok().filter(|w| *w >= 0)?;
        let frac_micros: i64 =
            if frac.is_empty() { 0 } else { frac.parse::<i64>().ok()? * 10_i64.pow(6 - frac.len() as u32) };
        let micros = whole.checked_mul(1_000_000)?.checked_add(frac_micros)?;
        (micros > 0).then(|| Self { currency: currency.to_string(), micros })
    }
}

/// What the gateway took: its id for the message and, when it said, the
/// cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub id: SentId,
    pub cost: Option<Cost>,
}

impl Sent {
    /// A message taken at no cost that was told (the development sink).
    pub fn free(id: SentId) -> Self {
        Self { id, cost: None }
    }
}

/// Why a message was not sent. The texts say what happened and never carry
/// the message or a key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmsError {
    /// Not sent this time, and worth trying again later: the gateway could
    /// not be reached or did not answer in time, answered 5xx or something
    /// unreadable, or held the message back (low balance, a risk hold).
    #[error("SMS not sent: {0}")]
    Retry(String),
    /// The gateway refused this message for good (an invalid number, a
    /// number type it cannot reach, a number that blocked the sender):
    /// sending it again cannot help.
    #[error("SMS refused: {0}")]
    Final(String),
    /// Not tried: the send-rate limit holds it back until `at_ms`.
    #[error("SMS held back by the send-rate limit")]
    Later { at_ms: i64 },
}

/// What a message is for, kept beside its text, so that whoever reads the
/// development sink (a person or a script) picks the right code without
/// parsing texts; and which outbox row it is, so that a retried send is
/// recognisable in the logs. A real gateway does not send any of it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SmsTag {
    /// `sign_in`, `verify_phone`, `recover`, `account_recovered`,
    /// `organisation_request`, `organisation_answer`, `transfer_submit`,
    /// `transfer_consent`, `transfer_answer`, `transfer_notice`.
    pub purpose: Option<String>,
    /// What it is about, where there is something: a transfer's reference,
    /// an organisation's KRA PIN.
    pub reference: Option<String>,
    /// The outbox it comes from and its row there (set by the outbox).
    pub outbox: Option<&'static str>,
    pub outbox_id: Option<i64>,
    /// Which attempt this is at sending the row: 1 for the first.
    pub attempt: i64,
}

impl SmsTag {
    pub fn new(purpose: &str, reference: Option<&str>) -> Self {
        Self { purpose: Some(purpose.to_string()), reference: reference.map(str::to_string), ..Self::default() }
    }
}

pub trait SmsSender: Send + Sync + std::fmt::Debug {
    /// Deliver `body` to `to` (E.164); what the gateway took.
    fn send<'a>(&'a self, to: &'a str, body: &'a str) -> BoxFuture<'a, Result<Sent, SmsError>>;
    /// Deliver `body` to `to`, knowing what it is for; a gateway sends it
    /// as [`SmsSender::send`] does.
    fn send_tagged<'a>(&'a self, to: &'a str, body: &'a str, tag: &'a SmsTag) -> BoxFuture<'a, Result<Sent, SmsError>> {
        let _ = tag;
        self.send(to, body)
    }
    /// Development adapters are refused in production mode.
    fn is_development(&self) -> bool;
    /// How many messages an outbox may have out to this gateway at once.
    fn max_in_flight(&self) -> usize {
        DEFAULT_IN_FLIGHT
    }
}

/// Messages out to a gateway at once, unless its settings say otherwise:
/// at a one-second round trip, 64 a second, three times the default
/// send rate (`throttle::Limits`).
pub const DEFAULT_IN_FLIGHT: usize = 64;

#[derive(Debug, Clone, Serialize)]
pub struct SentSms {
    /// The id this sink gave the message (`dev-1`, `dev-2`, …).
    pub id: SentId,
    pub to: String,
    pub body: String,
    pub at_ms: i64,
    /// What it is for (see [`SmsTag::purpose`]); `null` if unknown.
    pub purpose: Option<String>,
    /// What it is about (see [`SmsTag::reference`]); `null` if nothing.
    pub reference: Option<String>,
    /// The outbox row it was sent from (`sso_outbox`, `reg_outbox`) and the
    /// attempt: a retried send shows the same row again.
    pub outbox: Option<&'static str>,
    pub outbox_id: Option<i64>,
    pub attempt: i64,
}

/// Keeps every message in memory (the newest thousand) and prints it to the
/// log. Never used in production: its whole point is to show codes.
#[derive(Debug, Default)]
pub struct DevSmsSink {
    messages: Mutex<Vec<SentSms>>,
    clock: Option<Arc<dyn db::Clock>>,
    seq: AtomicU64,
}

const DEV_SINK_KEEP: usize = 1000;

impl DevSmsSink {
    pub fn new(clock: Arc<dyn db::Clock>) -> Self {
        Self { messages: Mutex::new(Vec::new()), clock: Some(clock), seq: AtomicU64::new(0) }
    }

    /// Messages, newest first, optionally only those to one number.
    pub fn messages(&self, to: Option<&str>) -> Vec<SentSms> {
        let all = self.messages.lock().unwrap_or_else(|e| e.into_inner());
        all.iter().rev().filter(|m| to.is_none_or(|t| m.to == t)).cloned().collect()
    }

    fn keep(&self, to: &str, body: &str, tag: &SmsTag) -> SentId {
        let id = SentId(format!("dev-{}", self.seq.fetch_add(1, Ordering::Relaxed) + 1));
        // Printing the text is this adapter's purpose (codes included); the
        // production check keeps it away from real people.
        let (purpose, reference) = (tag.purpose.as_deref(), tag.reference.as_deref());
        let (outbox, outbox_id, attempt) = (tag.outbox, tag.outbox_id, tag.attempt);
        tracing::info!(target: "tims::dev_sms", to, purpose, reference, outbox, outbox_id, attempt, body, "development SMS");
        let at_ms = self.clock.as_ref().map_or(0, |c| c.now_ms());
        let mut all = self.messages.lock().unwrap_or_else(|e| e.into_inner());
        all.push(SentSms {
            id: id.clone(),
            to: to.to_string(),
            body: body.to_string(),
            at_ms,
            purpose: tag.purpose.clone(),
            reference: tag.reference.clone(),
            outbox: tag.outbox,
            outbox_id: tag.outbox_id,
            attempt: tag.attempt,
        });
        if all.len() > DEV_SINK_KEEP {
            let excess = all.len() - DEV_SINK_KEEP;
            all.drain(..excess);
        }
        id
    }
}

impl SmsSender for DevSmsSink {
    fn send<'a>(&'a self, to: &'a str, body: &'a str) -> BoxFuture<'a, Result<Sent, SmsError>> {
        Box::pin(async move { Ok(Sent::free(self.keep(to, body, &SmsTag::default()))) })
    }

    fn send_tagged<'a>(&'a self, to: &'a str, body: &'a str, tag: &'a SmsTag) -> BoxFuture<'a, Result<Sent, SmsError>> {
        Box::pin(async move { Ok(Sent::free(self.keep(to, body, tag))) })
    }

    fn is_development(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[tokio::test]
    async fn the_development_sink_gives_each_message_its_own_id() {
        let sink = DevSmsSink::default();
        let a = sink.send("+254700000001", "one").await.unwrap();
        let b = sink.send_tagged("+254700000001", "two", &SmsTag::new("sign_in", None)).await.unwrap();
        assert_ne!(a, b);
        let kept = sink.messages(None);
        assert_eq!((kept[0].id.clone(), kept[1].id.clone()), (b.id, a.id), "newest first, ids kept");
    }

    #[test]
    fn a_cost_is_read_in_millionths_of_its_currency() {
        assert_eq!(Cost::parse("KES 0.8000"), Some(Cost { currency: "KES".into(), micros: 800_000 }));
        assert_eq!(Cost::parse("KES 12"), Some(Cost { currency: "KES".into(), micros: 12_000_000 }));
        assert_eq!(Cost::parse("UGX 25.5"), Some(Cost { currency: "UGX".into(), micros: 25_500_000 }));
        for nothing in ["0", "KES 0.0000", "", "KES", "kes 1", "KES -1", "KES 0.1234567", "KES x"] {
            assert_eq!(Cost::parse(nothing), None, "{nothing:?}");
        }
    }
}
