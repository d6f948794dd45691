//! The SMS gateway: Africa's Talking's bulk SMS API behind [`SmsSender`].
//!
//! One message per request: `POST {base}/version1/messaging`, form-encoded
//! (`username`, `to`, `message`, `from`, `bulkSMSMode=1`, `enqueue=1`), the
//! key in the `apiKey` header and `Accept: application/json` (without it
//! the gateway answers XML). A taken message is answered 201 with, for each
//! recipient, a `statusCode`, a `messageId` and a `cost`.
//!
//! What it answers becomes [`Sent`] or an [`SmsError`]: a recipient code of
//! 403 (invalid number), 404 (unsupported number type) or 406 (the person
//! blocked the sender) is final; anything else that is not a success (no
//! answer in time, 5xx, an answer it cannot read, 401 risk hold, 405 low
//! balance, 500–502, codes it does not know) is worth trying again, so
//! that nothing is lost while the gateway is down or the account is empty.
//! It never logs the key or a message's text.

use std::time::Duration;

use serde::Deserialize;

use crate::BoxFuture;
use crate::sms::{Cost, Sent, SentId, SmsError, SmsSender, SmsTag};

/// How to reach the gateway.
#[derive(Clone)]
pub struct Settings {
    /// `https://api.africastalking.com`, or the sandbox's address; without
    /// a trailing slash or with one.
    pub base_url: String,
    /// The account's username (`sandbox` in the sandbox).
    pub username: String,
    pub api_key: secure::Secret,
    /// The registered sender id or short code (`from`); the account's
    /// default when unset.
    pub sender_id: Option<String>,
    /// Longest wait for the gateway's answer, connecting included.
    pub timeout: Duration,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("base_url", &self.base_url)
            .field("username", &self.username)
            .field("sender_id", &self.sender_id)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// The adapter: a client with timeouts, and the settings.
#[derive(Debug, Clone)]
pub struct AfricasTalking {
    http: reqwest::Client,
    endpoint: String,
    settings: Settings,
}

/// A recipient status code that means the message was taken.
const TAKEN: [i64; 3] = [100, 101, 102];
/// Recipient status codes that sending again cannot change.
const FINAL: [(i64, &str); 3] = [(403, "InvalidPhoneNumber"), (404, "UnsupportedNumberType"), (406, "UserInBlacklist")];

impl AfricasTalking {
    pub fn new(settings: Settings) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .connect_timeout(settings.timeout.min(Duration::from_secs(5)))
            .timeout(settings.timeout)
            .build()?;
        let endpoint = format!("{}/version1/messaging", settings.base_url.trim_end_matches('/'));
        Ok(Self { http, endpoint, settings })
    }

    async fn post(&self, to: &str, body: &str, tag: &SmsTag) -> Result<Sent, SmsError> {
        let mut form = vec![
            ("username", self.settings.username.as_str()),
            ("to", to),
            ("message", body),
            ("bulkSMSMode", "1"),
            ("enqueue", "1"),
        ];
        if let Some(from) = self.settings.sender_id.as_deref().filter(|f| !f.is_empty()) {
            form.push(("from", from));
        }
        let answer = self
            .http
            .post(&self.endpoint)
            .header("apiKey", self.settings.api_key.expose())
            .header(reqwest::header::ACCEPT, "application/json")
            .form(&form)
            .send()
            .await
            .map_err(|e| SmsError::Retry(unreachable(e)))?;
        let status = answer.status();
        let text = answer.text().await.map_err(|e| SmsError::Retry(unreachable(e)))?;
        let (outbox, outbox_id, attempt) = (tag.outbox, tag.outbox_id, tag.attempt);
        if !status.is_success() {
            // Its own words on a refusal (a bad key, a bad username) help
            // the operator; an answer that repeats the message (and so
            // perhaps a code) is not logged.
            let said: String =
                if text.contains(body) { "[not shown]".into() } else { text.chars().take(200).collect() };
            tracing::warn!(
                outbox,
                outbox_id,
                attempt,
                status = status.as_u16(),
                said,
                "SMS gateway refused the request"
            );
            return Err(SmsError::Retry(format!("the gateway answered HTTP {}", status.as_u16())));
        }
        let read = read_answer(&text, to);
        if let Err(e) = &read {
            tracing::warn!(outbox, outbox_id, attempt, error = %e, "SMS gateway did not take the message");
        }
        read
    }
}

fn unreachable(e: reqwest::Error) -> String {
    if e.is_timeout() {
        "the gateway did not answer in time".into()
    } else if e.is_connect() {
        "the gateway could not be reached".into()
    } else {
        // Without the address: it is configuration, not news.
        format!("the gateway's answer did not arrive: {}", e.without_url())
    }
}

#[derive(Debug, Deserialize)]
struct Answer {
    #[serde(rename = "SMSMessageData")]
    data: MessageData,
}

#[derive(Debug, Deserialize)]
struct MessageData {
    #[serde(rename = "Message", default)]
    message: String,
    #[serde(rename = "Recipients", default)]
    recipients: Vec<Recipient>,
}

#[derive(Debug, Deserialize)]
struct Recipient {
    #[serde(rename = "statusCode")]
    status_code: i64,
    #[serde(default)]
    number: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    cost: String,
    #[serde(rename = "messageId", default)]
    message_id: String,
}

/// What an answer of 2xx says about the message to `to`.
fn read_answer(text: &str, to: &str) -> Result<Sent, SmsError> {
    let answer: Answer = serde_json::from_str(text).map_err(|_| {
        let what = if text.trim_start().starts_with('<') { "XML" } else { "something other than its JSON" };
        SmsError::Retry(format!("the gateway answered {what}"))
    })?;
    let data = answer.data;
    let Some(r) = data.recipients.iter().find(|r| r.number == to).or(data.recipients.first()) else {
        let said: String = data.message.chars().take(100).collect();
        return Err(SmsError::Retry(format!("the gateway named no recipient ({said})")));
    };
    if TAKEN.contains(&r.status_code) {
        if r.message_id.is_empty() || r.message_id == "None" {
            return Err(SmsError::Retry("the gateway took the message without an id".into()));
        }
        return Ok(Sent { id: SentId(r.message_id.clone()), cost: Cost::parse(&r.cost) });
    }
    let name = if r.status.is_empty() { "no status" } else { r.status.as_str() };
    match FINAL.iter().find(|(code, _)| *code == r.status_code) {
        Some((code, known)) => {
            Err(SmsError::Final(format!("{code} {}", if r.status.is_empty() { known } else { name })))
        }
        None => Err(SmsError::Retry(format!("the gateway held the message: {} {name}", r.status_code))),
    }
}

impl SmsSender for AfricasTalking {
    fn send<'a>(&'a self, to: &'a str, body: &'a str) -> BoxFuture<'a, Result<Sent, SmsError>> {
        Box::pin(async move { self.post(to, body, &SmsTag::default()).await })
    }

    fn send_tagged<'a>(&'a self, to: &'a str, body: &'a str, tag: &'a SmsTag) -> BoxFuture<'a, Result<Sent, SmsError>> {
        Box::pin(async move { self.post(to, body, tag).await })
    }

    fn is_development(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn answer(code: i64, status: &str, id: &str) -> String {
        format!(
            r#"{{"SMSMessageData":{{"Message":"Sent to 1/1 Total Cost: KES 0.8000","Recipients":[{{"statusCode":{code},"number":"+254712345678","status":"{status}","cost":"KES 0.8000","messageId":"{id}"}}]}}}}"#
        )
    }

    #[test]
    fn a_taken_message_gives_its_id_and_cost() {
        for code in TAKEN {
            let sent = read_answer(&answer(code, "Success", "ATXid_1"), "+254712345678").unwrap();
            assert_eq!(sent.id, SentId("ATXid_1".into()));
            assert_eq!(sent.cost, Some(Cost { currency: "KES".into(), micros: 800_000 }));
        }
    }

    #[test]
    fn each_recipient_code_is_final_or_worth_another_try() {
        for (code, status) in [(403, "InvalidPhoneNumber"), (404, "UnsupportedNumberType"), (406, "UserInBlacklist")] {
            let e = read_answer(&answer(code, status, "None"), "+254712345678").unwrap_err();
            assert_eq!(e, SmsError::Final(format!("{code} {status}")));
        }
        for (code, status) in [
            (401, "RiskHold"),
            (402, "InvalidSenderId"),
            (405, "InsufficientBalance"),
            (407, "CouldNotRoute"),
            (500, "InternalServerError"),
            (501, "GatewayError"),
            (502, "RejectedByGateway"),
            (999, "Unheard"),
        ] {
            let e = read_answer(&answer(code, status, "None"), "+254712345678").unwrap_err();
            assert!(matches!(e, SmsError::Retry(_)), "{code}: {e:?}");
        }
    }

    #[test]
    fn an_answer_it_cannot_read_is_tried_again() {
        for text in [
            "<?xml version=\"1.0\"?><AfricasTalkingResponse/>",
            "{\"SMSMessageData\":",
            "{\"SMSMessageData\":{\"Message\":\"InvalidPhoneNumber\",\"Recipients\":[]}}",
            &answer(101, "Success", ""),
        ] {
            assert!(matches!(read_answer(text, "+254712345678"), Err(SmsError::Retry(_))), "{text}");
        }
    }

    #[test]
    fn the_key_never_shows_in_debug() {
        let s = Settings {
            base_url: "https://api.example".into(),
            username: "tims".into(),
            api_key: secure::Secret::new("atsk_very_secret"),
            sender_id: None,
            timeout: Duration::from_secs(10),
        };
        let at = AfricasTalking::new(s).unwrap();
        assert!(!format!("{at:?}").contains("very_secret"));
        assert_eq!(at.endpoint, "https://api.example/version1/messaging");
    }
}
