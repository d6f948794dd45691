//! M-Pesa through Safaricom's Daraja API: the payment gateway adapter.
//!
//! Owns the conversation with Daraja: the OAuth token (cached, refreshed
//! one at a time), the STK push that prompts a payer (`charge`), the STK
//! query for a request whose callback never came (`query`), and reading what
//! Daraja posts back: the STK callback ([`parse_stk_callback`]) and the C2B
//! validation and confirmation of a paybill payment typed on a phone
//! ([`parse_c2b`]). It must not know what is paid for nor how a payment is
//! stored: the registry passes an invoice reference and a per-attempt
//! callback address, and keeps what comes back.
//!
//! Daraja signs nothing it posts: the callback address carries the
//! attempt's secret, and the registry accepts only a `CheckoutRequestID` it
//! was given and checks the amount against its invoice.
//!
//! A query tells that a request was paid but gives no M-Pesa receipt
//! number (nor amount or payer): `query` answers `Outcome::Paid` with
//! `receipt: None`, never an invented one; the receipt comes with the
//! callback, or from reconciliation. "Still being processed" is `Waiting`.
//! A query that fails otherwise (no answer, another error) is `Unknown`: it
//! never tells that the payer was not prompted.
//!
//! A push refused at the door (a 4xx, a `ResponseCode` other than `"0"`)
//! or that could not connect is `NotStarted`; one whose answer is lost or
//! unreadable, or a 5xx, is `Unknown`, since the payer may have been
//! prompted.

mod c2b;
mod call;
mod callback;
mod stk;
mod token;

use std::sync::Arc;
use std::time::Duration;

pub use c2b::{C2bPayment, C2bRejection, c2b_accept, c2b_confirmation_answer, c2b_reject, parse_c2b};
pub use callback::parse_stk_callback;
pub use secure::Secret;

use crate::BoxFuture;
use crate::payments::{Charge, ChargeRequest, Outcome, PaymentError, Payments};

/// Which kind of shortcode receives the money.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransactionType {
    /// A paybill: `CustomerPayBillOnline`, the shortcode receives.
    PayBill,
    /// A till: `CustomerBuyGoodsOnline`; the shortcode is the store (head
    /// office) number the passkey belongs to, and `till` receives
    /// (`PartyB`).
    BuyGoods { till: String },
}

impl TransactionType {
    /// Daraja's name for it.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::PayBill => "CustomerPayBillOnline",
            Self::BuyGoods { .. } => "CustomerBuyGoodsOnline",
        }
    }
}

/// How to reach Daraja and whose money it is.
#[derive(Debug, Clone)]
pub struct MpesaSettings {
    /// `https://sandbox.safaricom.co.ke` or `https://api.safaricom.co.ke`
    /// (the same paths on both).
    pub base_url: String,
    /// The business shortcode (5 to 7 digits): `BusinessShortCode`, and
    /// part of the password.
    pub shortcode: String,
    pub passkey: Secret,
    pub consumer_key: Secret,
    pub consumer_secret: Secret,
    pub transaction_type: TransactionType,
    /// Longest wait to connect; a request that could not connect was
    /// surely not sent.
    pub connect_timeout: Duration,
    /// Longest wait for a whole answer.
    pub timeout: Duration,
}

impl MpesaSettings {
    /// Settings with the default kind (paybill) and timeouts.
    pub fn new(
        base_url: impl Into<String>,
        shortcode: impl Into<String>,
        passkey: Secret,
        consumer_key: Secret,
        consumer_secret: Secret,
    ) -> Self {
        Self {
            base_url: base_url.into(),
            shortcode: shortcode.into(),
            passkey,
            consumer_key,
            consumer_secret,
            transaction_type: TransactionType::PayBill,
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(30),
        }
    }

    /// What is wrong with these settings, if anything (each problem named).
    pub fn check(&self) -> Result<(), String> {
        let mut problems = vec![];
        let digits = |s: &str| (5..=7).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
        if !(self.base_url.starts_with("https://") || self.base_url.starts_with("http://")) {
            problems.push(format!("the base URL {:?} must start with https:// or http://", self.base_url));
        }
        if !digits(&self.shortcode) {
            problems.push("the shortcode must be 5 to 7 digits".to_string());
        }
        if let TransactionType::BuyGoods { till } = &self.transaction_type
            && !digits(till)
        {
            problems.push("the till number must be 5 to 7 digits".to_string());
        }
        for (name, s) in [
            ("passkey", &self.passkey),
            ("consumer key", &self.consumer_key),
            ("consumer secret", &self.consumer_secret),
        ] {
            if s.expose().trim().is_empty() {
                problems.push(format!("the {name} is empty"));
            }
        }
        if problems.is_empty() { Ok(()) } else { Err(problems.join("; ")) }
    }
}

/// The Daraja adapter. Cheap to share behind an `Arc`; its token is shared
/// by every caller.
#[derive(Debug)]
pub struct Mpesa {
    settings: MpesaSettings,
    /// `base_url` without a trailing slash.
    base: String,
    http: reqwest::Client,
    clock: Arc<dyn db::Clock>,
    token: token::TokenCache,
}

impl Mpesa {
    /// An adapter for these settings, with `clock` for timestamps and the
    /// token's life (the system clock in service, a manual one in tests).
    pub fn new(settings: MpesaSettings, clock: Arc<dyn db::Clock>) -> Result<Self, String> {
        settings.check()?;
        let http = reqwest::Client::builder()
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.timeout)
            // Daraja does not redirect; a redirect is not followed with
            // the credentials.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot make an HTTP client: {e}"))?;
        let base = settings.base_url.trim_end_matches('/').to_string();
        Ok(Self { settings, base, http, clock, token: token::TokenCache::default() })
    }

    pub fn settings(&self) -> &MpesaSettings {
        &self.settings
    }
}

impl Payments for Mpesa {
    fn charge<'a>(&'a self, req: &'a ChargeRequest<'a>) -> BoxFuture<'a, Result<Charge, PaymentError>> {
        Box::pin(self.stk_push(req))
    }

    fn query<'a>(&'a self, provider_ref: &'a str) -> BoxFuture<'a, Result<Outcome, PaymentError>> {
        Box::pin(self.stk_query(provider_ref))
    }

    fn parse_callback(&self, body: &[u8]) -> Result<crate::payments::Callback, PaymentError> {
        parse_stk_callback(body)
    }

    fn name(&self) -> &'static str {
        "mpesa"
    }

    fn is_development(&self) -> bool {
        false
    }

    /// The shortcode, when it is a paybill (a till takes no account number).
    fn paybill(&self) -> Option<&str> {
        match self.settings.transaction_type {
            TransactionType::PayBill => Some(&self.settings.shortcode),
            TransactionType::BuyGoods { .. } => None,
        }
    }
}
