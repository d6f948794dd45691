//! Taking a payment: a small interface to a payment gateway, with a
//! development payer that settles at once. (M-Pesa comes in a later issue;
//! its callback will settle payments the same way.)
//!
//! Owns the [`Payments`] trait, what a charge request can come back as, and
//! the development payer. It must not know what is paid for (the registry
//! passes a transfer's reference), nor how a settled payment is stored.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::BoxFuture;

#[derive(Debug, thiserror::Error)]
#[error("payment not started: {0}")]
pub struct PaymentError(pub String);

/// What the gateway said to a charge request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Charge {
    /// Paid already; the gateway's reference.
    Settled { provider_ref: String },
    /// Asked of the payer (an STK push); the gateway will call back.
    Pending { provider_ref: String },
}

pub trait Payments: Send + Sync + std::fmt::Debug {
    /// Ask `phone` (E.164) to pay `amount_cents` for `reference`.
    fn charge<'a>(
        &'a self,
        phone: &'a str,
        amount_cents: i64,
        reference: &'a str,
    ) -> BoxFuture<'a, Result<Charge, PaymentError>>;
    fn name(&self) -> &'static str;
    fn is_development(&self) -> bool;
    /// The development payer behind this interface, if it is one (to read
    /// what it was asked; tests and development only).
    fn as_dev(&self) -> Option<&DevPayer> {
        None
    }
}

/// A charge a development payer was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asked {
    pub phone: String,
    pub amount_cents: i64,
    pub reference: String,
}

/// Settles every charge at once, or, while held, answers that the payer
/// was asked (as an STK push does) and leaves the settling to whoever plays
/// the gateway's callback. Records what it was asked. Development only.
#[derive(Debug, Default)]
pub struct DevPayer {
    seq: AtomicU64,
    hold: AtomicBool,
    asked: Mutex<Vec<Asked>>,
}

impl DevPayer {
    /// Every charge asked for so far, oldest first.
    pub fn asked(&self) -> Vec<Asked> {
        self.asked.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// While `hold` is true, charges wait (pending) instead of settling.
    pub fn hold(&self, hold: bool) {
        self.hold.store(hold, Ordering::Relaxed);
    }
}

impl Payments for DevPayer {
    fn charge<'a>(
        &'a self,
        phone: &'a str,
        amount_cents: i64,
        reference: &'a str,
    ) -> BoxFuture<'a, Result<Charge, PaymentError>> {
        Box::pin(async move {
            if amount_cents <= 0 {
                return Err(PaymentError("nothing to pay".into()));
            }
            let asked = Asked { phone: phone.to_string(), amount_cents, reference: reference.to_string() };
            self.asked.lock().unwrap_or_else(|e| e.into_inner()).push(asked);
            let n = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
            let provider_ref = format!("DEV-{reference}-{n}");
            if self.hold.load(Ordering::Relaxed) {
                Ok(Charge::Pending { provider_ref })
            } else {
                Ok(Charge::Settled { provider_ref })
            }
        })
    }

    fn name(&self) -> &'static str {
        "development"
    }

    fn is_development(&self) -> bool {
        true
    }

    fn as_dev(&self) -> Option<&DevPayer> {
        Some(self)
    }
}
