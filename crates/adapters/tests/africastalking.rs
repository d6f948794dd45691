//! The Africa's Talking adapter against a stand-in gateway on a local port
//! that speaks the real format: what it sends, and what it makes of each
//! kind of answer.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use adapters::africastalking::{AfricasTalking, Settings};
use adapters::sms::{Cost, SentId, SmsError, SmsSender, SmsTag};
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;

/// What the stand-in answers, and what it was sent.
#[derive(Clone, Default)]
struct Gateway {
    answer: Arc<Mutex<(u16, &'static str, String, u64)>>,
    seen: Arc<Mutex<Vec<(HeaderMap, HashMap<String, String>)>>>,
}

impl Gateway {
    fn answers(&self, status: u16, content_type: &'static str, body: &str, delay_ms: u64) {
        *self.answer.lock().unwrap() = (status, content_type, body.to_string(), delay_ms);
    }
}

async fn messaging(
    State(g): State<Gateway>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    g.seen.lock().unwrap().push((headers, form));
    let (status, content_type, body, delay_ms) = g.answer.lock().unwrap().clone();
    tokio::time::sleep(Duration::from_millis(delay_ms)).await;
    (StatusCode::from_u16(status).unwrap(), [(header::CONTENT_TYPE, content_type)], body).into_response()
}

async fn start() -> (Gateway, AfricasTalking) {
    let g = Gateway::default();
    let app = axum::Router::new().route("/version1/messaging", post(messaging)).with_state(g.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let at = AfricasTalking::new(Settings {
        base_url: format!("http://127.0.0.1:{port}/"),
        username: "tims".into(),
        api_key: secure::Secret::new("atsk_test_key"),
        sender_id: Some("NTSA".into()),
        timeout: Duration::from_millis(500),
    })
    .unwrap();
    (g, at)
}

const TO: &str = "+254712345678";

fn recipient(code: i64, status: &str, id: &str) -> String {
    format!(
        r#"{{"SMSMessageData":{{"Message":"Sent to 1/1 Total Cost: KES 0.8000","Recipients":[{{"statusCode":{code},"number":"{TO}","status":"{status}","cost":"KES 0.8000","messageId":"{id}"}}]}}}}"#
    )
}

#[tokio::test]
async fn a_taken_message_is_posted_in_the_gateways_form_and_gives_its_id_and_cost() {
    let (g, at) = start().await;
    g.answers(201, "application/json", &recipient(101, "Success", "ATXid_5e1"), 0);
    let tag = SmsTag { outbox: Some("sso_outbox"), outbox_id: Some(7), attempt: 1, ..SmsTag::new("sign_in", None) };
    let sent = at.send_tagged(TO, "Your code is 123456 & more", &tag).await.unwrap();
    assert_eq!(sent.id, SentId("ATXid_5e1".into()));
    assert_eq!(sent.cost, Some(Cost { currency: "KES".into(), micros: 800_000 }));
    let seen = g.seen.lock().unwrap();
    let (headers, form) = &seen[0];
    assert_eq!(headers.get("apikey").unwrap(), "atsk_test_key");
    assert_eq!(headers.get(header::ACCEPT).unwrap(), "application/json");
    assert!(
        headers.get(header::CONTENT_TYPE).unwrap().to_str().unwrap().starts_with("application/x-www-form-urlencoded")
    );
    let want = [
        ("username", "tims"),
        ("to", TO),
        ("message", "Your code is 123456 & more"),
        ("from", "NTSA"),
        ("bulkSMSMode", "1"),
        ("enqueue", "1"),
    ];
    for (k, v) in want {
        assert_eq!(form.get(k).map(String::as_str), Some(v), "{k}");
    }
    assert_eq!(form.len(), want.len(), "nothing else is sent: {form:?}");
}

#[tokio::test]
async fn an_invalid_number_is_refused_for_good() {
    let (g, at) = start().await;
    g.answers(201, "application/json", &recipient(403, "InvalidPhoneNumber", "None"), 0);
    assert_eq!(at.send(TO, "hello").await, Err(SmsError::Final("403 InvalidPhoneNumber".into())));
    g.answers(201, "application/json", &recipient(406, "UserInBlacklist", "None"), 0);
    assert_eq!(at.send(TO, "hello").await, Err(SmsError::Final("406 UserInBlacklist".into())));
}

#[tokio::test]
async fn a_gateway_that_is_down_slow_short_of_credit_or_unreadable_is_tried_again() {
    let (g, at) = start().await;
    let cases = [
        (503, "text/plain", "Service Unavailable".to_string(), 0, "HTTP 503"),
        (500, "application/json", "{}".to_string(), 0, "HTTP 500"),
        (401, "text/plain", "The supplied authentication is invalid".to_string(), 0, "HTTP 401"),
        (201, "application/json", recipient(101, "Success", "ATXid_late"), 1_500, "in time"),
        (201, "application/json", recipient(405, "InsufficientBalance", "None"), 0, "405 InsufficientBalance"),
        (201, "application/json", recipient(401, "RiskHold", "None"), 0, "401 RiskHold"),
        (201, "application/json", recipient(502, "RejectedByGateway", "None"), 0, "502 RejectedByGateway"),
        (201, "application/json", "{\"SMSMessageData\": {\"Recipients\": [{\"statusC".to_string(), 0, "JSON"),
        (
            201,
            "application/xml",
            "<?xml version=\"1.0\"?><AfricasTalkingResponse><SMSMessageData/></AfricasTalkingResponse>".to_string(),
            0,
            "XML",
        ),
    ];
    for (status, content_type, body, delay_ms, says) in cases {
        g.answers(status, content_type, &body, delay_ms);
        match at.send(TO, "hello").await {
            Err(SmsError::Retry(why)) => assert!(why.contains(says), "{status} {says}: {why}"),
            other => panic!("{status} {says}: {other:?}"),
        }
    }
    // Nothing of the key or the text in what the outbox keeps or logs.
    g.answers(503, "text/plain", "no", 0);
    let e = at.send(TO, "Your code is 123456").await.unwrap_err().to_string();
    assert!(!e.contains("atsk_test_key") && !e.contains("123456"), "{e}");
}

#[tokio::test]
async fn a_gateway_that_cannot_be_reached_is_tried_again() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let at = AfricasTalking::new(Settings {
        base_url: format!("http://127.0.0.1:{port}"),
        username: "tims".into(),
        api_key: secure::Secret::new("k"),
        sender_id: None,
        timeout: Duration::from_millis(500),
    })
    .unwrap();
    assert!(matches!(at.send(TO, "hello").await, Err(SmsError::Retry(_))));
}
