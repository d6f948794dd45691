//! The STK push (M-Pesa Express) that prompts a payer, and its query.

use base64::Engine as _;
use serde_json::{Value, json};

use super::Mpesa;
use super::call::{Answer, Failed, code_of, error_text};
use crate::payments::{Charge, ChargeRequest, Outcome, PaymentError};

const PUSH_PATH: &str = "/mpesa/stkpush/v1/processrequest";
const QUERY_PATH: &str = "/mpesa/stkpushquery/v1/query";

/// Nairobi is UTC+3 all year (no daylight saving).
const NAIROBI_OFFSET_MS: i64 = 3 * 3_600_000;

/// Daraja's error while a prompt is still open: "The transaction is being
/// processed".
const STILL_PROCESSING: &str = "500.001.1001";

/// `YYYYMMDDHHmmss` in Nairobi time.
pub(super) fn timestamp(now_ms: i64) -> String {
    let local = now_ms + NAIROBI_OFFSET_MS;
    let day = domain::Date::from_days_since_epoch(local.div_euclid(86_400_000));
    let secs = local.rem_euclid(86_400_000) / 1000;
    format!("{:04}{:02}{:02}{:02}{:02}{:02}", day.year, day.month, day.day, secs / 3600, secs / 60 % 60, secs % 60)
}

/// base64(shortcode + passkey + timestamp).
pub(super) fn password(shortcode: &str, passkey: &str, timestamp: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{shortcode}{passkey}{timestamp}"))
}

/// The payer's number as Daraja takes it (`2547XXXXXXXX`), from E.164.
fn msisdn(phone: &str) -> Result<String, PaymentError> {
    domain::Phone::parse(phone)
        .map(|p| p.as_str().trim_start_matches('+').to_string())
        .map_err(|_| PaymentError::NotStarted(format!("{phone:?} is not a Kenyan mobile number")))
}

/// Whole shillings, refusing cents and nothing to pay.
fn shillings(amount_cents: i64) -> Result<i64, PaymentError> {
    if amount_cents <= 0 || amount_cents % 100 != 0 {
        return Err(PaymentError::NotStarted(format!(
            "M-Pesa takes whole shillings above nothing, not {amount_cents} cents"
        )));
    }
    Ok(amount_cents / 100)
}

/// Refuse what Daraja would refuse, rather than send it.
fn check_texts(req: &ChargeRequest<'_>) -> Result<(), PaymentError> {
    let r = req.account_ref;
    if r.is_empty() || r.len() > 12 || !r.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(PaymentError::NotStarted(format!(
            "the account reference {r:?} must be 1 to 12 letters and digits"
        )));
    }
    let d = req.description;
    if d.trim().is_empty() || d.chars().count() > 13 || d.chars().any(char::is_control) {
        return Err(PaymentError::NotStarted(format!("the description {d:?} must be 1 to 13 characters")));
    }
    if !(req.callback_url.starts_with("https://") || req.callback_url.starts_with("http://")) {
        return Err(PaymentError::NotStarted("the callback address must be an http(s) URL".into()));
    }
    Ok(())
}

impl Mpesa {
    /// The push's body, its timestamp taken once for `Timestamp` and
    /// `Password`.
    pub(super) fn push_body(&self, req: &ChargeRequest<'_>) -> Result<Value, PaymentError> {
        let amount = shillings(req.amount_cents)?;
        let payer = msisdn(req.phone)?;
        check_texts(req)?;
        let s = &self.settings;
        let ts = timestamp(self.clock.now_ms());
        let party_b = match &s.transaction_type {
            super::TransactionType::PayBill => s.shortcode.as_str(),
            super::TransactionType::BuyGoods { till } => till.as_str(),
        };
        Ok(json!({
            "BusinessShortCode": s.shortcode,
            "Password": password(&s.shortcode, s.passkey.expose(), &ts),
            "Timestamp": ts,
            "TransactionType": s.transaction_type.as_str(),
            "Amount": amount,
            "PartyA": payer,
            "PartyB": party_b,
            "PhoneNumber": payer,
            "CallBackURL": req.callback_url,
            "AccountReference": req.account_ref,
            "TransactionDesc": req.description,
        }))
    }

    /// Prompt the payer.
    #[tracing::instrument(name = "mpesa_stk_push", skip_all, fields(reference = req.account_ref))]
    pub(super) async fn stk_push(&self, req: &ChargeRequest<'_>) -> Result<Charge, PaymentError> {
        let body = self.push_body(req)?;
        let answer = self.call(PUSH_PATH, &body).await.map_err(|f| match f {
            Failed::NotSent(why) => PaymentError::NotStarted(format!("no prompt sent to M-Pesa: {why}")),
            Failed::Lost(why) => PaymentError::Unknown(format!("M-Pesa's answer to the prompt was lost: {why}")),
        })?;
        let result = push_answer(&answer);
        if let Err(e) = &result {
            tracing::warn!(target: "tims::mpesa", status = answer.status, detail = e.detail(), "STK push not accepted");
        }
        result
    }

    /// Ask Daraja what became of the request `checkout_request_id`.
    #[tracing::instrument(name = "mpesa_stk_query", skip(self))]
    pub(super) async fn stk_query(&self, checkout_request_id: &str) -> Result<Outcome, PaymentError> {
        let s = &self.settings;
        let ts = timestamp(self.clock.now_ms());
        let body = json!({
            "BusinessShortCode": s.shortcode,
            "Password": password(&s.shortcode, s.passkey.expose(), &ts),
            "Timestamp": ts,
            "CheckoutRequestID": checkout_request_id,
        });
        let answer = self.call(QUERY_PATH, &body).await.map_err(|f| match f {
            Failed::NotSent(why) => PaymentError::Unknown(format!("no query sent to M-Pesa: {why}")),
            Failed::Lost(why) => PaymentError::Unknown(format!("M-Pesa's answer to a query was lost: {why}")),
        })?;
        query_answer(&answer)
    }
}

/// Daraja's refusal of a push while the payer's phone has a prompt open:
/// `500.001.1001` with "Unable to lock subscriber, a transaction is
/// already in process for the current subscriber". The same code answers
/// a query "being processed", so the words are checked too.
fn subscriber_locked(body: &Value) -> bool {
    let code = code_of(body.get("errorCode"));
    let message = body.get("errorMessage").and_then(Value::as_str).unwrap_or_default().to_ascii_lowercase();
    code.as_deref() == Some(STILL_PROCESSING) && message.contains("lock subscriber")
}

/// What Daraja's answer to a push means.
fn push_answer(a: &Answer) -> Result<Charge, PaymentError> {
    let Some(body) = &a.body else {
        let why = format!("M-Pesa answered HTTP {} with a body that is not JSON", a.status);
        // A 4xx is a refusal at the door; anything else may have prompted.
        return Err(if (400..500).contains(&a.status) && a.status != 408 {
            PaymentError::NotStarted(why)
        } else {
            PaymentError::Unknown(why)
        });
    };
    if subscriber_locked(body) {
        // Another prompt is open on the payer's phone: this one was not
        // sent, and the payer may try again once that one is answered.
        return Err(PaymentError::NotStarted(format!("a prompt is already open on that phone{}", error_text(body))));
    }
    if a.status >= 500 || a.status == 408 {
        return Err(PaymentError::Unknown(format!("M-Pesa answered HTTP {}{}", a.status, error_text(body))));
    }
    if (400..500).contains(&a.status) {
        return Err(PaymentError::NotStarted(format!("M-Pesa refused the prompt{}", error_text(body))));
    }
    let text = |name: &str| body.get(name).and_then(Value::as_str).unwrap_or_default().to_string();
    match code_of(body.get("ResponseCode")).as_deref() {
        Some("0") => match text("CheckoutRequestID") {
            id if !id.is_empty() => Ok(Charge::Pending { provider_ref: id }),
            _ => Err(PaymentError::Unknown("M-Pesa accepted the prompt but gave no CheckoutRequestID".into())),
        },
        Some(code) => {
            Err(PaymentError::NotStarted(format!("M-Pesa refused the prompt: {code} {}", text("ResponseDescription"))))
        }
        None => Err(PaymentError::Unknown(format!("M-Pesa's answer (HTTP {}) has no ResponseCode", a.status))),
    }
}

/// What Daraja's answer to a query means. A payment it confirms has no
/// receipt number, amount or payer: a query's answer carries none.
fn query_answer(a: &Answer) -> Result<Outcome, PaymentError> {
    let Some(body) = &a.body else {
        return Err(PaymentError::Unknown(format!("M-Pesa answered a query with HTTP {}, not JSON", a.status)));
    };
    if body.get("errorCode").and_then(Value::as_str) == Some(STILL_PROCESSING) {
        return Ok(Outcome::Waiting);
    }
    let description = body.get("ResultDesc").and_then(Value::as_str).unwrap_or_default().to_string();
    match code_of(body.get("ResultCode")) {
        Some(code) if code == "0" => {
            Ok(Outcome::Paid { receipt: None, amount_cents: None, phone: None, paid_at: None })
        }
        // "Still under processing", reported by some integrators (not
        // confirmed): waiting is the safe reading, a wrong failure would
        // refuse a payment that goes through.
        Some(code) if code == "4999" => Ok(Outcome::Waiting),
        Some(code) => Ok(Outcome::Failed { code, description }),
        None => {
            Err(PaymentError::Unknown(format!("M-Pesa answered a query with HTTP {}{}", a.status, error_text(body))))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_timestamp_is_nairobi_time() {
        // 2023-12-10 10:34:16 UTC is 13:34:16 in Nairobi.
        assert_eq!(timestamp(1_702_204_456_000), "20231210133416");
        // 22:00 UTC on New Year's Eve is already the new year in Nairobi.
        assert_eq!(timestamp(1_704_060_000_000), "20240101010000");
    }

    #[test]
    fn a_push_refused_because_another_prompt_is_open_was_not_sent() {
        let locked = serde_json::json!({"requestId": "1-2", "errorCode": "500.001.1001",
            "errorMessage": "Unable to lock subscriber, a transaction is already in process for the current subscriber"});
        let a = Answer { status: 500, body: Some(locked) };
        assert!(matches!(push_answer(&a), Err(PaymentError::NotStarted(e)) if e.contains("already open")));
        // Any other 5xx may have prompted the payer.
        let other = serde_json::json!({"requestId": "1-2", "errorCode": "500.001.1001", "errorMessage": "System busy"});
        let a = Answer { status: 500, body: Some(other) };
        assert!(matches!(push_answer(&a), Err(PaymentError::Unknown(_))));
    }

    #[test]
    fn the_password_is_the_shortcode_passkey_and_timestamp_in_base64() {
        assert_eq!(password("174379", "pk", "20231210133416"), "MTc0Mzc5cGsyMDIzMTIxMDEzMzQxNg==");
    }

    #[test]
    fn cents_descriptions_and_references_daraja_would_refuse_are_refused_here() {
        assert!(matches!(shillings(150), Err(PaymentError::NotStarted(_))));
        assert!(matches!(shillings(0), Err(PaymentError::NotStarted(_))));
        assert_eq!(shillings(206_500).ok(), Some(2065));
        assert_eq!(msisdn("+254712345678").ok().as_deref(), Some("254712345678"));
        assert!(msisdn("+255712345678").is_err());
        let ok = ChargeRequest {
            phone: "+254712345678",
            amount_cents: 100,
            account_ref: "TF7K2Q",
            description: "Transfer fee",
            callback_url: "https://tims.example/cb/s",
        };
        assert!(check_texts(&ok).is_ok());
        for bad in [
            ChargeRequest { account_ref: "TF7K2Q-ABCDEF", ..ok.clone() },
            ChargeRequest { account_ref: "TF 7K", ..ok.clone() },
            ChargeRequest { description: "Transfer fee 2025", ..ok.clone() },
            ChargeRequest { description: " ", ..ok.clone() },
        ] {
            assert!(matches!(check_texts(&bad), Err(PaymentError::NotStarted(_))), "{bad:?}");
        }
    }
}
