//! The Daraja adapter against a stand-in gateway speaking Daraja's format:
//! the token's life, the STK push's body and answers, and the query.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use adapters::mpesa::{Mpesa, MpesaSettings, Secret, TransactionType};
use adapters::payments::{Charge, ChargeRequest, Failure, Outcome, PaymentError, Payments};
use base64::Engine as _;
use db::ManualClock;
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// 2023-12-10 10:34:16 UTC: 13:34:16 in Nairobi.
const NOW_MS: i64 = 1_702_204_456_000;
const PASSKEY: &str = "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919";
const PUSH: &str = "/mpesa/stkpush/v1/processrequest";
const QUERY: &str = "/mpesa/stkpushquery/v1/query";

/// Hands out `T1`, `T2`, … with `expires_in` as Daraja sends it (a string).
struct Tokens(AtomicUsize);

impl Respond for Tokens {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        ResponseTemplate::new(200).set_body_json(json!({"access_token": format!("T{n}"), "expires_in": "3599"}))
    }
}

fn settings(base: &str) -> MpesaSettings {
    let mut s = MpesaSettings::new(
        base,
        "174379",
        Secret::new(PASSKEY),
        Secret::new("consumer-key-1"),
        Secret::new("consumer-secret-1"),
    );
    s.timeout = Duration::from_secs(10);
    s
}

/// A gateway that hands out tokens (taking `token_delay` each), and an
/// adapter for it on a manual clock.
async fn gateway(token_delay: Duration) -> (MockServer, Arc<Mpesa>, ManualClock) {
    // Not from wiremock's pool: a dropped server stops listening.
    let server = MockServer::builder().start().await;
    let basic = base64::engine::general_purpose::STANDARD.encode("consumer-key-1:consumer-secret-1");
    Mock::given(method("GET"))
        .and(path("/oauth/v1/generate"))
        .and(query_param("grant_type", "client_credentials"))
        .and(header("Authorization", format!("Basic {basic}")))
        .respond_with(DelayedTokens(Tokens(AtomicUsize::new(0)), token_delay))
        .mount(&server)
        .await;
    let clock = ManualClock::new(NOW_MS);
    let mpesa = Mpesa::new(settings(&server.uri()), Arc::new(clock.clone())).unwrap();
    (server, Arc::new(mpesa), clock)
}

struct DelayedTokens(Tokens, Duration);

impl Respond for DelayedTokens {
    fn respond(&self, r: &Request) -> ResponseTemplate {
        self.0.respond(r).set_delay(self.1)
    }
}

fn accepted(id: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "MerchantRequestID": "29115-34620561-1",
        "CheckoutRequestID": id,
        "ResponseCode": "0",
        "ResponseDescription": "Success. Request accepted for processing",
        "CustomerMessage": "Success. Request accepted for processing"
    }))
}

fn request() -> ChargeRequest<'static> {
    ChargeRequest {
        phone: "+254712345678",
        amount_cents: 206_500,
        account_ref: "TF7K2Q",
        description: "Transfer fee",
        callback_url: "https://tims.example/payments/callback/s3cr3t",
    }
}

async fn requests_to(server: &MockServer, p: &str) -> Vec<Request> {
    server.received_requests().await.unwrap_or_default().into_iter().filter(|r| r.url.path() == p).collect()
}

async fn bearers(server: &MockServer, p: &str) -> Vec<String> {
    requests_to(server, p)
        .await
        .iter()
        .map(|r| r.headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn the_push_sends_daraja_its_fields_with_one_timestamp_for_the_password() {
    let (server, mpesa, _) = gateway(Duration::ZERO).await;
    Mock::given(method("POST")).and(path(PUSH)).respond_with(accepted("ws_CO_1")).mount(&server).await;
    mpesa.charge(&request()).await.unwrap();
    let sent = requests_to(&server, PUSH).await;
    let body: Value = serde_json::from_slice(&sent[0].body).unwrap();
    let password = base64::engine::general_purpose::STANDARD.encode(format!("174379{PASSKEY}20231210133416"));
    assert_eq!(
        body,
        json!({
            "BusinessShortCode": "174379",
            "Password": password,
            "Timestamp": "20231210133416",
            "TransactionType": "CustomerPayBillOnline",
            "Amount": 2065,
            "PartyA": "254712345678",
            "PartyB": "174379",
            "PhoneNumber": "254712345678",
            "CallBackURL": "https://tims.example/payments/callback/s3cr3t",
            "AccountReference": "TF7K2Q",
            "TransactionDesc": "Transfer fee"
        })
    );
    assert_eq!(bearers(&server, PUSH).await, ["Bearer T1"]);
}

#[tokio::test]
async fn a_till_is_paid_as_buy_goods_with_the_till_as_party_b() {
    let server = MockServer::start().await;
    Mock::given(path("/oauth/v1/generate")).respond_with(Tokens(AtomicUsize::new(0))).mount(&server).await;
    Mock::given(method("POST")).and(path(PUSH)).respond_with(accepted("ws_CO_2")).mount(&server).await;
    let mut s = settings(&server.uri());
    s.transaction_type = TransactionType::BuyGoods { till: "5123456".into() };
    let mpesa = Mpesa::new(s, Arc::new(ManualClock::new(NOW_MS))).unwrap();
    mpesa.charge(&request()).await.unwrap();
    let body: Value = serde_json::from_slice(&requests_to(&server, PUSH).await[0].body).unwrap();
    assert_eq!(
        (&body["TransactionType"], &body["BusinessShortCode"], &body["PartyB"]),
        (&json!("CustomerBuyGoodsOnline"), &json!("174379"), &json!("5123456"))
    );
}

#[tokio::test]
async fn an_accepted_push_is_pending_under_its_checkout_request_id() {
    let (server, mpesa, _) = gateway(Duration::ZERO).await;
    Mock::given(method("POST")).and(path(PUSH)).respond_with(accepted("ws_CO_191220191020363925")).mount(&server).await;
    assert_eq!(mpesa.charge(&request()).await, Ok(Charge::Pending { provider_ref: "ws_CO_191220191020363925".into() }));
}

#[tokio::test]
async fn the_token_is_kept_across_calls_and_replaced_shortly_before_it_expires() {
    let (server, mpesa, clock) = gateway(Duration::ZERO).await;
    Mock::given(method("POST")).and(path(PUSH)).respond_with(accepted("ws_CO_1")).mount(&server).await;
    mpesa.charge(&request()).await.unwrap();
    clock.advance_ms(3_000_000);
    mpesa.charge(&request()).await.unwrap();
    // 3599 s, less a minute: past 3539 s a new token is fetched.
    clock.advance_ms(539_000);
    mpesa.charge(&request()).await.unwrap();
    assert_eq!(bearers(&server, PUSH).await, ["Bearer T1", "Bearer T1", "Bearer T2"]);
    assert_eq!(requests_to(&server, "/oauth/v1/generate").await.len(), 2);
}

#[tokio::test]
async fn a_refused_token_is_replaced_and_the_call_sent_again_once() {
    let (server, mpesa, _) = gateway(Duration::ZERO).await;
    let invalid = ResponseTemplate::new(404).set_body_json(json!({
        "requestId": "1459-15094918-1", "errorCode": "404.001.03", "errorMessage": "Invalid Access Token"
    }));
    Mock::given(method("POST"))
        .and(path(PUSH))
        .and(header("Authorization", "Bearer T1"))
        .respond_with(invalid.clone())
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(PUSH))
        .and(header("Authorization", "Bearer T2"))
        .respond_with(accepted("ws_CO_3"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(PUSH))
        .and(header("Authorization", "Bearer T3"))
        .respond_with(invalid)
        .mount(&server)
        .await;
    assert_eq!(mpesa.charge(&request()).await, Ok(Charge::Pending { provider_ref: "ws_CO_3".into() }));
    assert_eq!(bearers(&server, PUSH).await, ["Bearer T1", "Bearer T2"]);

    // T2 is refused now too: one new token (T3), one more try, then no more.
    server.reset().await;
    Mock::given(path("/oauth/v1/generate")).respond_with(Tokens(AtomicUsize::new(2))).mount(&server).await;
    Mock::given(method("POST")).and(path(PUSH)).respond_with(ResponseTemplate::new(401)).mount(&server).await;
    let err = mpesa.charge(&request()).await.unwrap_err();
    assert!(matches!(err, PaymentError::NotStarted(_)), "{err:?}");
    assert_eq!(bearers(&server, PUSH).await, ["Bearer T2", "Bearer T3"]);
}

#[tokio::test]
async fn callers_arriving_together_share_one_token() {
    let (server, mpesa, _) = gateway(Duration::from_millis(200)).await;
    Mock::given(method("POST")).and(path(PUSH)).respond_with(accepted("ws_CO_4")).mount(&server).await;
    Mock::given(method("POST"))
        .and(path(QUERY))
        .respond_with(query_answer(json!(1032), "Cancelled"))
        .mount(&server)
        .await;
    let r = request();
    let (a, b, c, d) = tokio::join!(mpesa.charge(&r), mpesa.charge(&r), mpesa.charge(&r), mpesa.query("ws_CO_4"));
    assert!(a.is_ok() && b.is_ok() && c.is_ok(), "{a:?} {b:?} {c:?}");
    assert!(matches!(d, Ok(Outcome::Failed { .. })), "{d:?}");
    assert_eq!(requests_to(&server, "/oauth/v1/generate").await.len(), 1);
    assert_eq!(bearers(&server, PUSH).await, ["Bearer T1"; 3]);
}

#[tokio::test]
async fn a_refused_push_is_not_started_with_daraja_code_and_text() {
    let (server, mpesa, _) = gateway(Duration::ZERO).await;
    Mock::given(method("POST"))
        .and(path(PUSH))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "requestId": "9458-79414631-1", "errorCode": "400.002.02", "errorMessage": "Bad Request - Invalid PhoneNumber"
        })))
        .mount(&server)
        .await;
    let err = mpesa.charge(&request()).await.unwrap_err();
    assert!(
        matches!(&err, PaymentError::NotStarted(d) if d.contains("400.002.02") && d.contains("Invalid PhoneNumber")),
        "{err:?}"
    );

    server.reset().await;
    Mock::given(path("/oauth/v1/generate")).respond_with(Tokens(AtomicUsize::new(0))).mount(&server).await;
    Mock::given(method("POST"))
        .and(path(PUSH))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"ResponseCode": "1", "ResponseDescription": "Rejected"})),
        )
        .mount(&server)
        .await;
    let err = mpesa.charge(&request()).await.unwrap_err();
    assert!(matches!(&err, PaymentError::NotStarted(d) if d.contains("1 Rejected")), "{err:?}");
}

#[tokio::test]
async fn a_server_error_a_timeout_or_an_unreadable_answer_leaves_the_push_unknown() {
    for answer in [
        ResponseTemplate::new(503).set_body_string("upstream unavailable"),
        ResponseTemplate::new(500).set_body_json(json!({"errorCode": "500.003.02", "errorMessage": "System is busy"})),
        ResponseTemplate::new(200).set_body_string("{\"ResponseCode\": \"0\", "),
        ResponseTemplate::new(200).set_body_json(json!({"CustomerMessage": "?"})),
    ] {
        let (server, mpesa, _) = gateway(Duration::ZERO).await;
        Mock::given(method("POST")).and(path(PUSH)).respond_with(answer).mount(&server).await;
        let err = mpesa.charge(&request()).await.unwrap_err();
        assert!(matches!(err, PaymentError::Unknown(_)), "{err:?}");
    }
}

#[tokio::test]
async fn a_push_whose_answer_does_not_come_in_time_is_unknown() {
    let server = MockServer::builder().start().await;
    Mock::given(path("/oauth/v1/generate")).respond_with(Tokens(AtomicUsize::new(0))).mount(&server).await;
    let slow = accepted("ws_CO_5").set_delay(Duration::from_secs(3));
    Mock::given(method("POST")).and(path(PUSH)).respond_with(slow).mount(&server).await;
    let mut s = settings(&server.uri());
    s.timeout = Duration::from_millis(500);
    let mpesa = Mpesa::new(s, Arc::new(ManualClock::new(NOW_MS))).unwrap();
    let err = mpesa.charge(&request()).await.unwrap_err();
    assert!(matches!(&err, PaymentError::Unknown(d) if d.contains("timed out")), "{err:?}");
}

/// Wait until nothing listens at `addr` (a dropped server stops on its own
/// thread), and its open connections have had a moment to close.
async fn stopped_listening(addr: std::net::SocketAddr) {
    for _ in 0..250 {
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            tokio::time::sleep(Duration::from_millis(50)).await;
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the stand-in gateway at {addr} still listens");
}

#[tokio::test]
async fn a_gateway_that_cannot_be_reached_did_not_prompt_anyone() {
    let (server, mpesa, _) = gateway(Duration::ZERO).await;
    Mock::given(method("POST")).and(path(PUSH)).respond_with(accepted("ws_CO_6")).mount(&server).await;
    mpesa.charge(&request()).await.unwrap();
    // The token is kept; the push itself finds nothing listening.
    let addr = *server.address();
    drop(server);
    stopped_listening(addr).await;
    let err = mpesa.charge(&request()).await.unwrap_err();
    assert!(matches!(err, PaymentError::NotStarted(_)), "{err:?}");

    // Nor can a token be had.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let down = Mpesa::new(settings(&format!("http://127.0.0.1:{port}")), Arc::new(ManualClock::new(NOW_MS))).unwrap();
    let err = down.charge(&request()).await.unwrap_err();
    assert!(matches!(err, PaymentError::NotStarted(_)), "{err:?}");
}

#[tokio::test]
async fn what_daraja_would_refuse_is_not_sent() {
    let (server, mpesa, _) = gateway(Duration::ZERO).await;
    for bad in [
        ChargeRequest { amount_cents: 206_550, ..request() },
        ChargeRequest { amount_cents: 0, ..request() },
        ChargeRequest { account_ref: "TF7K2Q0123456", ..request() },
        ChargeRequest { description: "Transfer of ownership", ..request() },
        ChargeRequest { phone: "+447700900123", ..request() },
    ] {
        assert!(matches!(mpesa.charge(&bad).await, Err(PaymentError::NotStarted(_))), "{bad:?}");
    }
    assert!(server.received_requests().await.unwrap_or_default().is_empty());
}

async fn query_with(answer: ResponseTemplate) -> (Result<Outcome, PaymentError>, Value) {
    let (server, mpesa, _) = gateway(Duration::ZERO).await;
    Mock::given(method("POST")).and(path(QUERY)).respond_with(answer).mount(&server).await;
    let status = mpesa.query("ws_CO_7").await;
    let sent = requests_to(&server, QUERY).await;
    (status, serde_json::from_slice(&sent[0].body).unwrap())
}

fn query_answer(code: Value, desc: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "ResponseCode": "0", "ResponseDescription": "The service request has been accepted successsfully",
        "MerchantRequestID": "22205-34066-1", "CheckoutRequestID": "ws_CO_7",
        "ResultCode": code, "ResultDesc": desc
    }))
}

#[tokio::test]
async fn a_query_names_the_request_and_reads_its_result() {
    let (status, sent) = query_with(query_answer(json!("0"), "The service request is processed successfully.")).await;
    let password = base64::engine::general_purpose::STANDARD.encode(format!("174379{PASSKEY}20231210133416"));
    assert_eq!(
        sent,
        json!({"BusinessShortCode": "174379", "Password": password, "Timestamp": "20231210133416", "CheckoutRequestID": "ws_CO_7"})
    );
    // A query's answer has no receipt number: none is made up.
    assert_eq!(status, Ok(Outcome::Paid { receipt: None, amount_cents: None, phone: None, paid_at: None }));
    for (code, desc) in [
        (json!("1032"), "Request cancelled by user"),
        (json!(1037), "DS timeout user cannot be reached"),
        (json!("9998"), "Something new"),
    ] {
        let (status, _) = query_with(query_answer(code.clone(), desc)).await;
        let code = code.as_str().map_or_else(|| code.to_string(), str::to_string);
        assert_eq!(status, Ok(Outcome::Failed { code, description: desc.into() }));
    }
}

#[tokio::test]
async fn a_query_while_the_prompt_is_open_is_waiting() {
    let processing = ResponseTemplate::new(500).set_body_json(json!({
        "requestId": "ws_CO_7", "errorCode": "500.001.1001", "errorMessage": "The transaction is being processed"
    }));
    assert_eq!(query_with(processing).await.0, Ok(Outcome::Waiting));
    let (status, _) = query_with(ResponseTemplate::new(502).set_body_string("bad gateway")).await;
    assert!(matches!(status, Err(PaymentError::Unknown(_))), "{status:?}");
}

#[tokio::test]
async fn secrets_and_the_token_never_show_in_debug_output() {
    let (server, mpesa, _) = gateway(Duration::ZERO).await;
    Mock::given(method("POST")).and(path(PUSH)).respond_with(accepted("ws_CO_8")).mount(&server).await;
    mpesa.charge(&request()).await.unwrap();
    let shown = format!("{mpesa:?}");
    for secret in [PASSKEY, "consumer-key-1", "consumer-secret-1", "T1"] {
        assert!(!shown.contains(secret), "{secret} shown in {shown}");
    }
    assert!(!mpesa.is_development());
}

#[tokio::test]
async fn the_adapter_reads_daraja_callbacks() {
    let (_server, mpesa, _) = gateway(Duration::ZERO).await;
    let body = json!({"Body": {"stkCallback": {
        "MerchantRequestID": "1", "CheckoutRequestID": "ws_CO_9", "ResultCode": 2001,
        "ResultDesc": "The initiator information is invalid."
    }}});
    let cb = mpesa.parse_callback(body.to_string().as_bytes()).unwrap();
    assert_eq!(cb.provider_ref, "ws_CO_9");
    let Outcome::Failed { code, .. } = &cb.outcome else { panic!("{:?}", cb.outcome) };
    assert_eq!(Failure::from_code(code), Failure::WrongPin, "the payer is told in plain words");
    assert!(mpesa.parse_callback(b"{}").is_err());
}
