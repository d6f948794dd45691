//! Sending SMS: a small interface, with a development sink that keeps every
//! message so that a person trying tims can read their codes. (The real
//! gateway adapter comes in a later issue.)

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use serde::Serialize;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

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
    /// Deliver `body` to `to` (E.164).
    fn send<'a>(&'a self, to: &'a str, body: &'a str) -> BoxFuture<'a, Result<(), SmsError>>;
    /// Deliver `body` to `to`, knowing what it is for; a gateway sends it
    /// as [`SmsSender::send`] does.
    fn send_tagged<'a>(&'a self, to: &'a str, body: &'a str, tag: &'a SmsTag) -> BoxFuture<'a, Result<(), SmsError>> {
        let _ = tag;
        self.send(to, body)
    }
    /// Development adapters are refused in production mode.
    fn is_development(&self) -> bool;
}

#[derive(Debug, Clone, Serialize)]
pub struct SentSms {
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
}

const DEV_SINK_KEEP: usize = 1000;

impl DevSmsSink {
    pub fn new(clock: Arc<dyn db::Clock>) -> Self {
        Self { messages: Mutex::new(Vec::new()), clock: Some(clock) }
    }

    /// Messages, newest first, optionally only those to one number.
    pub fn messages(&self, to: Option<&str>) -> Vec<SentSms> {
        let all = self.messages.lock().unwrap_or_else(|e| e.into_inner());
        all.iter().rev().filter(|m| to.is_none_or(|t| m.to == t)).cloned().collect()
    }

    fn keep(&self, to: &str, body: &str, tag: &SmsTag) {
        // Printing the text is this adapter's purpose (codes included); the
        // production check keeps it away from real people.
        let (purpose, reference) = (tag.purpose.as_deref(), tag.reference.as_deref());
        tracing::info!(target: "tims::dev_sms", to, purpose, reference, body, "development SMS");
        let at_ms = self.clock.as_ref().map_or(0, |c| c.now_ms());
        let mut all = self.messages.lock().unwrap_or_else(|e| e.into_inner());
        all.push(SentSms {
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
    }
}

impl SmsSender for DevSmsSink {
    fn send<'a>(&'a self, to: &'a str, body: &'a str) -> BoxFuture<'a, Result<(), SmsError>> {
        Box::pin(async move {
            self.keep(to, body, &SmsTag::default());
            Ok(())
        })
    }

    fn send_tagged<'a>(&'a self, to: &'a str, body: &'a str, tag: &'a SmsTag) -> BoxFuture<'a, Result<(), SmsError>> {
        Box::pin(async move {
            self.keep(to, body, tag);
            Ok(())
        })
    }

    fn is_development(&self) -> bool {
        true
    }
}
