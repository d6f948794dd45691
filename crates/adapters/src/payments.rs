//! Taking a payment: a small interface to a payment gateway, and a
//! development payer that settles at once or holds its prompts for a
//! developer to answer.
//!
//! Owns the [`Payments`] trait, what a charge request can come back as,
//! what a gateway says of a payment later (its callback, or an answer to a
//! query), and the development payer. It must not know what is paid for
//! (the registry passes an invoice reference and a per-attempt callback
//! address), nor how a payment is stored. A gateway that issues its own
//! invoices and signs its notifications (a government payment platform)
//! fits as one more adapter: [`Payments::parse_callback`] is where its
//! signature is checked.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::BoxFuture;

/// A charge could not be asked for, or its answer was lost.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    /// The gateway surely did not prompt the payer (refused the request,
    /// or could not be reached at all): another attempt may start at once.
    #[error("payment not started: {0}")]
    NotStarted(String),
    /// The request may have reached the gateway (a timeout, a reply that
    /// could not be read): the payer may be prompted. The attempt waits
    /// for its callback or a query.
    #[error("payment request's outcome unknown: {0}")]
    Unknown(String),
}

impl PaymentError {
    /// A plain description, for the log and for staff (no secrets).
    pub fn detail(&self) -> &str {
        match self {
            Self::NotStarted(s) | Self::Unknown(s) => s,
        }
    }
}

/// What to ask a payer for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChargeRequest<'a> {
    /// The payer's number, E.164 (`+254712345678`).
    pub phone: &'a str,
    /// Whole shillings, in cents (a gateway that takes only shillings
    /// refuses anything else).
    pub amount_cents: i64,
    /// The invoice's reference, at most 12 letters and digits: shown on the
    /// payer's phone and typed as a paybill account number.
    pub account_ref: &'a str,
    /// What it is for, at most 13 characters.
    pub description: &'a str,
    /// Where the gateway sends its answer: carries this attempt's secret.
    pub callback_url: &'a str,
}

/// What the gateway said to a charge request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Charge {
    /// Paid already (the development payer); the gateway's reference, which
    /// is also the receipt.
    Settled { provider_ref: String },
    /// The payer was asked (an STK push); the gateway will call back, and
    /// `provider_ref` (M-Pesa's `CheckoutRequestID`) names the request in
    /// the callback and in a query.
    Pending { provider_ref: String },
}

/// What became of a payment request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Paid: the gateway's receipt number (M-Pesa's `MpesaReceiptNumber`;
    /// a query's answer has none), what was paid and from which number,
    /// when the gateway gave them.
    Paid { receipt: Option<String>, amount_cents: Option<i64>, phone: Option<String>, paid_at: Option<String> },
    /// Will not be paid: the gateway's result code and its text, kept
    /// as they came (M-Pesa: 1032 cancelled, 1037 no answer, 1 too little
    /// money, 2001 wrong PIN).
    Failed { code: String, description: String },
    /// The gateway has no answer yet.
    Waiting,
}

/// Why a payment failed, in the words a payer understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The payer cancelled the prompt.
    Cancelled,
    /// The phone did not answer in time (off, out of reach, or ignored).
    NoAnswer,
    /// The PIN typed was wrong.
    WrongPin,
    /// Too little money in the account.
    TooLittleMoney,
    /// Anything else.
    Other,
}

impl Failure {
    /// M-Pesa's result codes (1032 cancelled, 1037 and 1019 no answer in
    /// time, 2001 wrong PIN, 1 too little money); any other is `Other`.
    pub fn from_code(code: &str) -> Self {
        match code.trim() {
            "1032" => Self::Cancelled,
            "1037" | "1019" => Self::NoAnswer,
            "2001" => Self::WrongPin,
            "1" => Self::TooLittleMoney,
            _ => Self::Other,
        }
    }

    /// Its name in the API: `cancelled`, `no_answer`, `wrong_pin`,
    /// `too_little_money` or `other`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cancelled => "cancelled",
            Self::NoAnswer => "no_answer",
            Self::WrongPin => "wrong_pin",
            Self::TooLittleMoney => "too_little_money",
            Self::Other => "other",
        }
    }
}

/// A gateway's callback, read: which request it is about and its outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Callback {
    pub provider_ref: String,
    pub outcome: Outcome,
}

pub trait Payments: Send + Sync + std::fmt::Debug {
    /// Ask the payer to pay.
    fn charge<'a>(&'a self, req: &'a ChargeRequest<'a>) -> BoxFuture<'a, Result<Charge, PaymentError>>;
    /// Ask the gateway what became of a request whose callback never came.
    fn query<'a>(&'a self, provider_ref: &'a str) -> BoxFuture<'a, Result<Outcome, PaymentError>>;
    /// Read a callback's body, in this gateway's format (and check its
    /// signature, for a gateway that signs). `Err` for a body that is not one.
    fn parse_callback(&self, body: &[u8]) -> Result<Callback, PaymentError>;
    fn name(&self) -> &'static str;
    fn is_development(&self) -> bool;
    /// The business number a payer can pay an invoice to by typing its
    /// reference as the account number (a paybill), if this gateway takes
    /// such payments.
    fn paybill(&self) -> Option<&str> {
        None
    }
    /// The development payer behind this interface, if it is one (to read
    /// and answer its prompts; tests and development only).
    fn as_dev(&self) -> Option<&DevPayer> {
        None
    }
}

/// A charge a development payer was asked for, and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asked {
    pub phone: String,
    pub amount_cents: i64,
    pub reference: String,
    pub description: String,
    pub callback_url: String,
    /// The development payer's name for the request.
    pub provider_ref: String,
    /// What the developer (or the payer, when not held) answered; `Waiting`
    /// while held.
    pub outcome: Outcome,
}

/// Settles every charge at once, or, while held, answers that the payer
/// was asked (as an STK push does) and waits for a developer to answer the
/// prompt ([`DevPayer::answer`]). Records what it was asked. Development
/// only.
#[derive(Debug, Default)]
pub struct DevPayer {
    seq: AtomicU64,
    hold: AtomicBool,
    asked: Mutex<Vec<Asked>>,
}

/// The development payer's paybill number: Daraja's sandbox shortcode,
/// so that no one mistakes it for the agency's.
pub const DEV_PAYBILL: &str = "600000";

/// Prompts the development payer keeps (the newest).
const DEV_KEEP: usize = 500;

/// How a developer can answer a held prompt, as a phone would.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DevAnswer {
    Pay,
    Cancel,
    NoAnswer,
    WrongPin,
    TooLittleMoney,
}

impl DevAnswer {
    /// From its name in a form (`pay`, `cancel`, `no_answer`, `wrong_pin`,
    /// `too_little`).
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pay" => Self::Pay,
            "cancel" => Self::Cancel,
            "no_answer" => Self::NoAnswer,
            "wrong_pin" => Self::WrongPin,
            "too_little" => Self::TooLittleMoney,
            _ => return None,
        })
    }

    /// What M-Pesa would say: the outcome, with M-Pesa's codes.
    fn outcome(self, asked: &Asked) -> Outcome {
        let failed =
            |code: &str, description: &str| Outcome::Failed { code: code.into(), description: description.into() };
        match self {
            Self::Pay => Outcome::Paid {
                receipt: Some(format!("DEV{}", asked.provider_ref.trim_start_matches("DEV-").replace('-', ""))),
                amount_cents: Some(asked.amount_cents),
                phone: Some(asked.phone.clone()),
                paid_at: None,
            },
            Self::Cancel => failed("1032", "Request cancelled by user"),
            Self::NoAnswer => failed("1037", "DS timeout user cannot be reached"),
            Self::WrongPin => failed("2001", "The initiator information is invalid."),
            Self::TooLittleMoney => failed("1", "The balance is insufficient for the transaction."),
        }
    }
}

impl DevPayer {
    /// Every charge asked for so far (the newest [`DEV_KEEP`]), oldest first.
    pub fn asked(&self) -> Vec<Asked> {
        self.asked.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// While `hold` is true, charges wait (pending) for an answer instead of
    /// settling.
    pub fn hold(&self, hold: bool) {
        self.hold.store(hold, Ordering::Relaxed);
    }

    /// Whether charges are held for an answer.
    pub fn holding(&self) -> bool {
        self.hold.load(Ordering::Relaxed)
    }

    /// Answer the held prompt `provider_ref` as its payer would: the
    /// callback the gateway would send, for the caller to deliver. `None`
    /// when there is no such prompt or it was answered already.
    pub fn answer(&self, provider_ref: &str, answer: DevAnswer) -> Option<(Asked, Callback)> {
        let mut all = self.asked.lock().unwrap_or_else(|e| e.into_inner());
        let asked = all.iter_mut().find(|a| a.provider_ref == provider_ref && a.outcome == Outcome::Waiting)?;
        asked.outcome = answer.outcome(asked);
        let callback = Callback { provider_ref: provider_ref.to_string(), outcome: asked.outcome.clone() };
        Some((asked.clone(), callback))
    }

    fn find(&self, provider_ref: &str) -> Option<Asked> {
        let all = self.asked.lock().unwrap_or_else(|e| e.into_inner());
        all.iter().find(|a| a.provider_ref == provider_ref).cloned()
    }
}

/// The development payer's callback, as JSON: what a developer's script
/// or a test posts to an attempt's callback address.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct DevCallback {
    provider_ref: String,
    /// "0" paid, "" no answer yet, anything else failed (M-Pesa's codes).
    result_code: String,
    result_desc: Option<String>,
    receipt: Option<String>,
    amount_cents: Option<i64>,
    phone: Option<String>,
}

impl DevPayer {
    /// A callback in the development payer's format, to post to an
    /// attempt's callback address.
    pub fn callback_body(callback: &Callback) -> Vec<u8> {
        let (result_code, result_desc, receipt, amount_cents, phone) = match &callback.outcome {
            Outcome::Paid { receipt, amount_cents, phone, .. } => {
                ("0".to_string(), None, receipt.clone(), *amount_cents, phone.clone())
            }
            Outcome::Failed { code, description } => (code.clone(), Some(description.clone()), None, None, None),
            Outcome::Waiting => (String::new(), None, None, None, None),
        };
        let body = DevCallback {
            provider_ref: callback.provider_ref.clone(),
            result_code,
            result_desc,
            receipt,
            amount_cents,
            phone,
        };
        serde_json::to_vec(&body).unwrap_or_default()
    }
}

impl Payments for DevPayer {
    fn charge<'a>(&'a self, req: &'a ChargeRequest<'a>) -> BoxFuture<'a, Result<Charge, PaymentError>> {
        Box::pin(async move {
            if req.amount_cents <= 0 {
                return Err(PaymentError::NotStarted("nothing to pay".into()));
            }
            let n = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
            let provider_ref = format!("DEV-{}-{n}", req.account_ref);
            let held = self.holding();
            let mut asked = Asked {
                phone: req.phone.to_string(),
                amount_cents: req.amount_cents,
                reference: req.account_ref.to_string(),
                description: req.description.to_string(),
                callback_url: req.callback_url.to_string(),
                provider_ref: provider_ref.clone(),
                outcome: Outcome::Waiting,
            };
            if !held {
                asked.outcome = DevAnswer::Pay.outcome(&asked);
            }
            let mut all = self.asked.lock().unwrap_or_else(|e| e.into_inner());
            all.push(asked);
            if all.len() > DEV_KEEP {
                let excess = all.len() - DEV_KEEP;
                all.drain(..excess);
            }
            if held { Ok(Charge::Pending { provider_ref }) } else { Ok(Charge::Settled { provider_ref }) }
        })
    }

    fn query<'a>(&'a self, provider_ref: &'a str) -> BoxFuture<'a, Result<Outcome, PaymentError>> {
        Box::pin(async move {
            self.find(provider_ref)
                .map(|a| a.outcome)
                .ok_or_else(|| PaymentError::NotStarted(format!("no such request: {provider_ref}")))
        })
    }

    /// The development payer's own callback format ([`DevPayer::callback_body`]).
    fn parse_callback(&self, body: &[u8]) -> Result<Callback, PaymentError> {
        let b: DevCallback =
            serde_json::from_slice(body).map_err(|e| PaymentError::NotStarted(format!("not a callback: {e}")))?;
        let outcome = match b.result_code.as_str() {
            "0" => Outcome::Paid { receipt: b.receipt, amount_cents: b.amount_cents, phone: b.phone, paid_at: None },
            "" => Outcome::Waiting,
            _ => Outcome::Failed { code: b.result_code, description: b.result_desc.unwrap_or_default() },
        };
        Ok(Callback { provider_ref: b.provider_ref, outcome })
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

    fn paybill(&self) -> Option<&str> {
        Some(DEV_PAYBILL)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn req<'a>(reference: &'a str) -> ChargeRequest<'a> {
        ChargeRequest {
            phone: "+254712345678",
            amount_cents: 206_500,
            account_ref: reference,
            description: "Transfer fee",
            callback_url: "http://localhost/payments/callback/s",
        }
    }

    #[tokio::test]
    async fn a_held_prompt_waits_until_answered_and_is_answered_once() {
        let payer = DevPayer::default();
        payer.hold(true);
        let r = req("TF7K2Q");
        let Charge::Pending { provider_ref } = payer.charge(&r).await.unwrap() else { panic!("held") };
        assert_eq!(payer.query(&provider_ref).await.unwrap(), Outcome::Waiting);
        let (_, cb) = payer.answer(&provider_ref, DevAnswer::Cancel).unwrap();
        assert_eq!(
            cb.outcome,
            Outcome::Failed { code: "1032".into(), description: "Request cancelled by user".into() }
        );
        assert!(payer.answer(&provider_ref, DevAnswer::Pay).is_none(), "an answered prompt is not answered again");
        assert_eq!(payer.query(&provider_ref).await.unwrap(), cb.outcome);
        let read = payer.parse_callback(&DevPayer::callback_body(&cb)).unwrap();
        assert_eq!(read, cb, "a callback reads back as it was written");
    }

    #[tokio::test]
    async fn an_unheld_charge_is_paid_at_once_with_a_receipt() {
        let payer = DevPayer::default();
        let r = req("TF7K2Q");
        let Charge::Settled { provider_ref } = payer.charge(&r).await.unwrap() else { panic!("settled") };
        let Outcome::Paid { receipt, amount_cents, .. } = payer.query(&provider_ref).await.unwrap() else {
            panic!("paid")
        };
        assert!(receipt.as_deref().is_some_and(|r| r.starts_with("DEV")), "{receipt:?}");
        assert_eq!(amount_cents, Some(206_500));
    }
}
