//! Reading the STK callback Daraja posts to `CallBackURL` (what its result
//! codes mean to a payer is [`crate::payments::Failure::from_code`]).

use serde_json::Value;

use super::call::code_of;
use crate::payments::{Callback, Outcome, PaymentError};

/// Read an STK callback:
/// `{"Body":{"stkCallback":{"CheckoutRequestID", "ResultCode", "ResultDesc",
/// "CallbackMetadata":{"Item":[{"Name","Value"}]}}}}`. The metadata comes
/// only with a payment, its items in any order and some without a value;
/// what is missing is left out (`None`), never made up. `Err` for a body
/// that is not a callback.
pub fn parse_stk_callback(body: &[u8]) -> Result<Callback, PaymentError> {
    let bad = |why: &str| PaymentError::NotStarted(format!("not an M-Pesa STK callback: {why}"));
    let v: Value = serde_json::from_slice(body).map_err(|_| bad("not JSON"))?;
    let cb = v.pointer("/Body/stkCallback").ok_or_else(|| bad("no Body.stkCallback"))?;
    let provider_ref = cb
        .get("CheckoutRequestID")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| bad("no CheckoutRequestID"))?
        .to_string();
    let code = code_of(cb.get("ResultCode")).ok_or_else(|| bad("no ResultCode"))?;
    let description = cb.get("ResultDesc").and_then(Value::as_str).unwrap_or_default().to_string();
    if code != "0" {
        return Ok(Callback { provider_ref, outcome: Outcome::Failed { code, description } });
    }
    let items = cb.pointer("/CallbackMetadata/Item").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
    let item = |name: &str| {
        items.iter().find(|i| i.get("Name").and_then(Value::as_str) == Some(name)).and_then(|i| i.get("Value"))
    };
    let outcome = Outcome::Paid {
        receipt: code_of(item("MpesaReceiptNumber")),
        amount_cents: item("Amount").and_then(cents),
        phone: item("PhoneNumber").and_then(phone),
        paid_at: item("TransactionDate").and_then(nairobi_time),
    };
    Ok(Callback { provider_ref, outcome })
}

/// An amount in shillings (`1`, `1.5`, `"200.00"`) in cents; `None` if it is
/// not one (negative, more than two decimals, not a number).
pub(super) fn cents(v: &Value) -> Option<i64> {
    let text = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_string(),
        _ => return None,
    };
    let (whole, frac) = text.split_once('.').unwrap_or((&text, ""));
    let frac = frac.trim_end_matches('0');
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || frac.len() > 2 || !digits(frac) {
        return None;
    }
    let frac_cents: i64 = format!("{frac:0<2}").parse().ok()?;
    whole.parse::<i64>().ok()?.checked_mul(100)?.checked_add(frac_cents)
}

/// A payer's number (`254768130105`, as a number or a string) in E.164;
/// `None` for one that is not a Kenyan mobile number (masked or hashed).
pub(super) fn phone(v: &Value) -> Option<String> {
    let raw = code_of(Some(v))?;
    domain::Phone::parse(&raw).ok().map(|p| p.as_str().to_string())
}

/// M-Pesa's `YYYYMMDDHHmmss` (Nairobi time, a number or a string) as RFC
/// 3339 with Nairobi's offset (`2023-12-10T13:34:16+03:00`); `None` if it
/// is not a real moment.
pub(super) fn nairobi_time(v: &Value) -> Option<String> {
    let s = code_of(Some(v))?;
    if s.len() != 14 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| s[r].parse::<u8>().ok();
    let year: i32 = s[0..4].parse().ok()?;
    let day = domain::Date::new(year, n(4..6)?, n(6..8)?)?;
    let (h, m, sec) = (n(8..10)?, n(10..12)?, n(12..14)?);
    if h > 23 || m > 59 || sec > 59 {
        return None;
    }
    Some(format!("{day}T{h:02}:{m:02}:{sec:02}+03:00"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: Value) -> Result<Callback, PaymentError> {
        parse_stk_callback(v.to_string().as_bytes())
    }

    #[test]
    fn a_payment_is_read_by_item_name_in_any_order_with_items_lacking_a_value() {
        let cb = parse(json!({"Body": {"stkCallback": {
            "MerchantRequestID": "29115-34620561-1",
            "CheckoutRequestID": "ws_CO_191220191020363925",
            "ResultCode": 0,
            "ResultDesc": "The service request is processed successfully.",
            "CallbackMetadata": {"Item": [
                {"Name": "PhoneNumber", "Value": 254768130105u64},
                {"Name": "Balance"},
                {"Name": "TransactionDate", "Value": 20231210133416u64},
                {"Name": "MpesaReceiptNumber", "Value": "RLA0R69NXM"},
                {"Name": "Amount", "Value": 2065},
            ]}
        }}}))
        .unwrap();
        assert_eq!(cb.provider_ref, "ws_CO_191220191020363925");
        assert_eq!(
            cb.outcome,
            Outcome::Paid {
                receipt: Some("RLA0R69NXM".into()),
                amount_cents: Some(206_500),
                phone: Some("+254768130105".into()),
                paid_at: Some("2023-12-10T13:34:16+03:00".into()),
            }
        );
    }

    #[test]
    fn a_failure_comes_without_metadata_and_keeps_its_code_and_text() {
        for code in [json!(1032), json!("1032")] {
            let cb = parse(json!({"Body": {"stkCallback": {
                "MerchantRequestID": "1", "CheckoutRequestID": "ws_CO_1",
                "ResultCode": code, "ResultDesc": "Request cancelled by user"
            }}}))
            .unwrap();
            assert_eq!(
                cb.outcome,
                Outcome::Failed { code: "1032".into(), description: "Request cancelled by user".into() }
            );
        }
    }

    #[test]
    fn numbers_sent_as_strings_are_read_too() {
        let cb = parse(json!({"Body": {"stkCallback": {
            "CheckoutRequestID": "ws_CO_2", "ResultCode": "0", "ResultDesc": "ok",
            "CallbackMetadata": {"Item": [
                {"Name": "Amount", "Value": "1.00"},
                {"Name": "MpesaReceiptNumber", "Value": "RLA0R69NXN"},
                {"Name": "TransactionDate", "Value": "20240229235959"},
                {"Name": "PhoneNumber", "Value": "254712345678"},
            ]}
        }}}))
        .unwrap();
        let Outcome::Paid { amount_cents, phone, paid_at, .. } = cb.outcome else { panic!("paid") };
        assert_eq!(amount_cents, Some(100));
        assert_eq!(phone.as_deref(), Some("+254712345678"));
        assert_eq!(paid_at.as_deref(), Some("2024-02-29T23:59:59+03:00"));
    }

    #[test]
    fn what_is_not_a_callback_is_refused() {
        assert!(parse_stk_callback(b"not json").is_err());
        assert!(parse(json!({"Body": {}})).is_err());
        assert!(parse(json!({"Body": {"stkCallback": {"ResultCode": 0}}})).is_err(), "no CheckoutRequestID");
        assert!(parse(json!({"Body": {"stkCallback": {"CheckoutRequestID": "x"}}})).is_err(), "no ResultCode");
    }

    #[test]
    fn a_payment_without_its_receipt_has_none_rather_than_an_invented_one() {
        let no_receipt = json!({"Body": {"stkCallback": {"CheckoutRequestID": "x", "ResultCode": 0,
            "CallbackMetadata": {"Item": [{"Name": "Amount", "Value": 1}]}}}});
        assert_eq!(
            parse(no_receipt).unwrap().outcome,
            Outcome::Paid { receipt: None, amount_cents: Some(100), phone: None, paid_at: None }
        );
    }

    #[test]
    fn amounts_times_and_numbers_that_are_not_are_left_out() {
        assert_eq!(cents(&json!(1.5)), Some(150));
        assert_eq!(cents(&json!("-1")), None);
        assert_eq!(cents(&json!("1.005")), None);
        assert_eq!(nairobi_time(&json!(20230230120000u64)), None, "no 30 February");
        assert_eq!(phone(&json!("d2f0a1c9e3")), None, "a hashed number");
    }
}
