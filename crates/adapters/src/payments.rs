//! Taking a payment: a small interface to a payment gateway, with a
//! development payer that settles at once. (M-Pesa comes in a later issue;
//! its callback will settle payments the same way.)
//!
//! Owns the [`Payments`] trait, what a charge request can come back as, and
//! the development payer. It must not know what is paid for (the registry
//! passes a transfer's reference), nor how a settled payment is stored.

use std::sync::atomic::{AtomicU64, Ordering};

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
}

/// Settles every charge at once. Development only.
#[derive(Debug, Default)]
pub struct DevPayer {
    seq: AtomicU64,
}

impl Payments for DevPayer {
    fn charge<'a>(
        &'a self,
        _phone: &'a str,
        amount_cents: i64,
        reference: &'a str,
    ) -> BoxFuture<'a, Result<Charge, PaymentError>> {
        Box::pin(async move {
            if amount_cents <= 0 {
                return Err(PaymentError("nothing to pay".into()));
            }
            let n = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
            Ok(Charge::Settled { provider_ref: format!("DEV-{reference}-{n}") })
        })
    }

    fn name(&self) -> &'static str {
        "development"
    }

    fn is_development(&self) -> bool {
        true
    }
}
