//! Sending SMS: a small interface, with a development sink that keeps every
//! message so that a person trying tims can read their codes. (The real
//! gateway adapter comes in a later issue.)
//!
//! A send returns the gateway's id for the message ([`SentId`]), so that a
//! delivery report from the gateway can later be matched to what was sent.

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

#[derive(Debug, thiserror::Error)]
#[error("SMS not sent: {0}")]
pub struct SmsError(pub String);

/// What a message is for, kept beside its text, so that whoever reads the
/// development sink (a person or a script) picks the right code without
/// parsing texts. A real gateway has no use for it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SmsTag {
    /// `sign_in`, `verify_phone`, `recover`, `account_recovered`,
    /// `organisation_request`, `organisation_answer`, `transfer_submit`,
    /// `transfer_consent`, `transfer_answer`, `transfer_notice`.
    pub purpose: Option<String>,
    /// What it is about, where there is something: a transfer's reference,
    /// an organisation's KRA PIN.
    pub reference: Option<String>,
}

impl SmsTag {
    pub fn new(purpose: &str, reference: Option<&str>) -> Self {
        Self { purpose: Some(purpose.to_string()), reference: reference.map(str::to_string) }
    }
}

pub trait SmsSender: Send + Sync + std::fmt::Debug {
    /// Deliver `body` to `to` (E.164); the gateway's id for the message.
    fn send<'a>(&'a self, to: &'a str, body: &'a str) -> BoxFuture<'a, Result<SentId, SmsError>>;
    /// Deliver `body` to `to`, knowing what it is for; a gateway sends it
    /// as [`SmsSender::send`] does.
    fn send_tagged<'a>(
        &'a self,
        to: &'a str,
        body: &'a str,
        tag: &'a SmsTag,
    ) -> BoxFuture<'a, Result<SentId, SmsError>> {
        let _ = tag;
        self.send(to, body)
    }
    /// Development adapters are refused in production mode.
    fn is_development(&self) -> bool;
}

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
        tracing::info!(target: "tims::dev_sms", to, purpose, reference, body, "development SMS");
        let at_ms = self.clock.as_ref().map_or(0, |c| c.now_ms());
        let mut all = self.messages.lock().unwrap_or_else(|e| e.into_inner());
        all.push(SentSms {
            id: id.clone(),
            to: to.to_string(),
            body: body.to_string(),
            at_ms,
            purpose: tag.purpose.clone(),
            reference: tag.reference.clone(),
        });
        if all.len() > DEV_SINK_KEEP {
            let excess = all.len() - DEV_SINK_KEEP;
            all.drain(..excess);
        }
        id
    }
}

impl SmsSender for DevSmsSink {
    fn send<'a>(&'a self, to: &'a str, body: &'a str) -> BoxFuture<'a, Result<SentId, SmsError>> {
        Box::pin(async move { Ok(self.keep(to, body, &SmsTag::default())) })
    }

    fn send_tagged<'a>(
        &'a self,
        to: &'a str,
        body: &'a str,
        tag: &'a SmsTag,
    ) -> BoxFuture<'a, Result<SentId, SmsError>> {
        Box::pin(async move { Ok(self.keep(to, body, tag)) })
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
        assert_eq!((kept[0].id.clone(), kept[1].id.clone()), (b, a), "newest first, ids kept");
    }
}
