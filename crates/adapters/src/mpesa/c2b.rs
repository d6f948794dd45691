//! A paybill payment typed on a phone (C2B): what Daraja posts to the
//! validation and confirmation URLs, and what it expects back.

use serde_json::{Value, json};

use super::callback::{cents, nairobi_time, phone};

/// A C2B payment, as Daraja posts it to the validation URL (asking whether
/// to take it) and then to the confirmation URL (it was taken).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct C2bPayment {
    /// `Pay Bill` or `Buy Goods` (as sent; may be empty at validation).
    pub transaction_type: String,
    /// M-Pesa's transaction id, which is the receipt number (`TransID`).
    pub trans_id: String,
    /// When it was paid, as sent (`YYYYMMDDHHmmss`, Nairobi time).
    pub trans_time: String,
    /// The same as RFC 3339 (`2023-12-10T13:34:16+03:00`), when readable.
    pub paid_at: Option<String>,
    pub amount_cents: i64,
    /// The shortcode paid.
    pub business_shortcode: String,
    /// The account number the payer typed (the invoice's reference); empty
    /// for a till.
    pub bill_ref: String,
    /// The payer's number as sent: newer APIs mask or hash it.
    pub msisdn: String,
    /// The payer's number in E.164, when `msisdn` is a plain number.
    pub phone: Option<String>,
    /// The payer's names as M-Pesa has them (any may be empty).
    pub first_name: String,
    pub middle_name: String,
    pub last_name: String,
}

/// Read a C2B validation or confirmation body. `Err` (saying why) for one
/// without a transaction id, an amount, or the shortcode paid.
pub fn parse_c2b(body: &[u8]) -> Result<C2bPayment, String> {
    let v: Value = serde_json::from_slice(body).map_err(|_| "not a C2B payment: not JSON".to_string())?;
    if !v.is_object() {
        return Err("not a C2B payment: not an object".into());
    }
    let text = |name: &str| super::call::code_of(v.get(name)).unwrap_or_default();
    let required = |name: &str| match text(name) {
        s if s.is_empty() => Err(format!("not a C2B payment: no {name}")),
        s => Ok(s),
    };
    let amount = v.get("TransAmount").ok_or("not a C2B payment: no TransAmount")?;
    let amount_cents =
        cents(amount).ok_or_else(|| format!("not a C2B payment: TransAmount {amount} is not an amount"))?;
    let msisdn = text("MSISDN");
    Ok(C2bPayment {
        transaction_type: text("TransactionType"),
        trans_id: required("TransID")?,
        trans_time: text("TransTime"),
        paid_at: v.get("TransTime").and_then(nairobi_time),
        amount_cents,
        business_shortcode: required("BusinessShortCode")?,
        bill_ref: text("BillRefNumber"),
        phone: v.get("MSISDN").and_then(phone),
        msisdn,
        first_name: text("FirstName"),
        middle_name: text("MiddleName"),
        last_name: text("LastName"),
    })
}

/// Why a validation answer turns a C2B payment away; Daraja's codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum C2bRejection {
    /// `C2B00011`
    InvalidMsisdn,
    /// `C2B00012`: no such account number (invoice reference).
    InvalidAccountNumber,
    /// `C2B00013`: not the amount due.
    InvalidAmount,
    /// `C2B00014`
    InvalidKyc,
    /// `C2B00015`
    InvalidShortcode,
    /// `C2B00016`
    Other,
}

impl C2bRejection {
    pub fn code(self) -> &'static str {
        match self {
            Self::InvalidMsisdn => "C2B00011",
            Self::InvalidAccountNumber => "C2B00012",
            Self::InvalidAmount => "C2B00013",
            Self::InvalidKyc => "C2B00014",
            Self::InvalidShortcode => "C2B00015",
            Self::Other => "C2B00016",
        }
    }
}

/// The validation answer that takes the payment.
pub fn c2b_accept() -> Value {
    json!({"ResultCode": 0, "ResultDesc": "Accepted"})
}

/// The validation answer that turns the payment away (the money does not
/// move).
pub fn c2b_reject(why: C2bRejection) -> Value {
    json!({"ResultCode": why.code(), "ResultDesc": "Rejected"})
}

/// The answer to a confirmation (Daraja only needs to hear it arrived).
pub fn c2b_confirmation_answer() -> Value {
    json!({"ResultCode": 0, "ResultDesc": "Success"})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paybill_confirmation_is_read_with_its_amount_in_cents() {
        let body = json!({
            "TransactionType": "Pay Bill", "TransID": "RKTQDM7W6S", "TransTime": "20191122063845",
            "TransAmount": "2065.00", "BusinessShortCode": "600638", "BillRefNumber": "TF7K2Q",
            "InvoiceNumber": "", "OrgAccountBalance": "49197.00", "ThirdPartyTransID": "",
            "MSISDN": "254708374149", "FirstName": "John", "MiddleName": "", "LastName": "Doe"
        });
        let p = parse_c2b(body.to_string().as_bytes()).unwrap();
        assert_eq!((p.trans_id.as_str(), p.amount_cents, p.bill_ref.as_str()), ("RKTQDM7W6S", 206_500, "TF7K2Q"));
        assert_eq!(p.phone.as_deref(), Some("+254708374149"));
        assert_eq!(p.paid_at.as_deref(), Some("2019-11-22T06:38:45+03:00"));
        assert_eq!((p.first_name.as_str(), p.last_name.as_str()), ("John", "Doe"));
    }

    #[test]
    fn a_hashed_number_is_kept_as_sent_without_a_phone() {
        let hashed = "5b2f3c1e9d8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c";
        let body = json!({"TransID": "RKTQDM7W6T", "TransAmount": 10, "BusinessShortCode": 600638,
            "BillRefNumber": "TF7K2Q", "MSISDN": hashed});
        let p = parse_c2b(body.to_string().as_bytes()).unwrap();
        assert_eq!((p.msisdn.as_str(), p.phone), (hashed, None));
        assert_eq!((p.business_shortcode.as_str(), p.amount_cents), ("600638", 1000));
    }

    #[test]
    fn a_body_without_an_id_or_amount_is_refused() {
        assert!(parse_c2b(b"[]").is_err());
        assert!(parse_c2b(json!({"TransAmount": "1", "BusinessShortCode": "600638"}).to_string().as_bytes()).is_err());
        let bad_amount = json!({"TransID": "X", "TransAmount": "ten", "BusinessShortCode": "600638"});
        assert!(parse_c2b(bad_amount.to_string().as_bytes()).unwrap_err().contains("TransAmount"));
    }

    #[test]
    fn validation_answers_take_or_turn_away_with_daraja_codes() {
        assert_eq!(c2b_accept(), json!({"ResultCode": 0, "ResultDesc": "Accepted"}));
        assert_eq!(
            c2b_reject(C2bRejection::InvalidAccountNumber),
            json!({"ResultCode": "C2B00012", "ResultDesc": "Rejected"})
        );
        assert_eq!(c2b_reject(C2bRejection::InvalidAmount)["ResultCode"], "C2B00013");
    }
}
