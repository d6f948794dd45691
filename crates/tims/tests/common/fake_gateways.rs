//! Stand-ins for Daraja and Africa's Talking that speak their formats
//! (`/work/shared/reference/gateways.md`), on one local port, for tests that
//! run the real adapters: an OAuth token; an STK push answered with
//! `ResponseCode` "0" and a `CheckoutRequestID`, whose payer pays a moment
//! later and whose callback is then POSTed to the `CallBackURL` (again, while
//! `redeliver` is on, until the server answers 200); the STK query; and SMS
//! sends answered 201 with a `statusCode` and `messageId` per recipient.
//! It remembers what it was asked and what it answered, for the checks.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

/// A prompt the fake Daraja took.
#[derive(Debug, Clone)]
pub struct Prompt {
    pub checkout_id: String,
    pub amount: i64,
    pub phone: String,
    pub callback_url: String,
    pub account_ref: String,
    /// The payer paid (the receipt), whether or not the callback got through.
    pub receipt: Option<String>,
    /// Times the callback was POSTed, and whether one was answered 200.
    pub callbacks_sent: u32,
    pub callback_taken: bool,
}

/// An SMS the fake Africa's Talking took.
#[derive(Debug, Clone)]
pub struct Sms {
    pub id: String,
    pub to: String,
    pub message: String,
}

#[derive(Default)]
pub struct Inner {
    prompts: Mutex<Vec<Prompt>>,
    sms: Mutex<Vec<Sms>>,
    next: AtomicU64,
    /// Callbacks that did not get a 200 are sent again.
    pub redeliver: AtomicBool,
    /// Payers wait before paying while this is on.
    hold: AtomicBool,
    /// How long each gateway takes to answer, and the payer to pay.
    delay: Duration,
}

/// The two fake gateways, on `base`.
#[derive(Clone)]
pub struct FakeGateways {
    pub base: String,
    pub inner: Arc<Inner>,
}

impl FakeGateways {
    /// Start both on a free port; each answers after `delay`, and a payer
    /// pays `delay` after the prompt was answered.
    pub async fn start(delay: Duration) -> Self {
        let inner = Arc::new(Inner { delay, redeliver: AtomicBool::new(true), ..Inner::default() });
        let app = Router::new()
            .route("/oauth/v1/generate", get(token))
            .route("/mpesa/stkpush/v1/processrequest", post(stk_push))
            .route("/mpesa/stkpushquery/v1/query", post(stk_query))
            .route("/version1/messaging", post(send_sms))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { base, inner }
    }

    pub fn prompts(&self) -> Vec<Prompt> {
        self.inner.prompts.lock().unwrap().clone()
    }

    pub fn sms(&self) -> Vec<Sms> {
        self.inner.sms.lock().unwrap().clone()
    }

    /// Payers wait (`true`) until let go (`false`).
    pub fn hold(&self, on: bool) {
        self.inner.hold.store(on, Ordering::SeqCst);
    }

    pub fn redeliver(&self, on: bool) {
        self.inner.redeliver.store(on, Ordering::SeqCst);
    }

    /// The environment that points `tims serve`'s real adapters here.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("TIMS_MPESA_BASE_URL", self.base.clone()),
            ("TIMS_MPESA_SHORTCODE", "174379".into()),
            ("TIMS_MPESA_PASSKEY", "bench-passkey".into()),
            ("TIMS_MPESA_CONSUMER_KEY", "bench-key".into()),
            ("TIMS_MPESA_CONSUMER_SECRET", "bench-secret".into()),
            ("TIMS_AFRICASTALKING_URL", self.base.clone()),
            ("TIMS_AFRICASTALKING_USERNAME", "sandbox".into()),
            ("TIMS_AFRICASTALKING_API_KEY", "bench-api-key".into()),
        ]
    }
}

async fn token(State(g): State<Arc<Inner>>) -> Json<Value> {
    tokio::time::sleep(g.delay).await;
    Json(json!({ "access_token": "fake-access-token", "expires_in": "3599" }))
}

async fn stk_push(State(g): State<Arc<Inner>>, Json(b): Json<Value>) -> Json<Value> {
    tokio::time::sleep(g.delay).await;
    let n = g.next.fetch_add(1, Ordering::SeqCst);
    let prompt = Prompt {
        checkout_id: format!("ws_CO_0612202600000{n:05}"),
        amount: b["Amount"].as_i64().unwrap_or_default(),
        phone: b["PhoneNumber"].as_str().unwrap_or_default().to_string(),
        callback_url: b["CallBackURL"].as_str().unwrap_or_default().to_string(),
        account_ref: b["AccountReference"].as_str().unwrap_or_default().to_string(),
        receipt: None,
        callbacks_sent: 0,
        callback_taken: false,
    };
    let checkout_id = prompt.checkout_id.clone();
    g.prompts.lock().unwrap().push(prompt);
    tokio::spawn(pay_and_call_back(g.clone(), checkout_id.clone()));
    Json(json!({
        "MerchantRequestID": format!("29115-3462072-{n}"),
        "CheckoutRequestID": checkout_id,
        "ResponseCode": "0",
        "ResponseDescription": "Success. Request accepted for processing",
        "CustomerMessage": "Success. Request accepted for processing",
    }))
}

/// The payer pays (once let go, if held); the callback goes to the `CallBackURL`, again every
/// 200 ms for 60 s while `redeliver` is on and it was not answered 200.
async fn pay_and_call_back(g: Arc<Inner>, checkout_id: String) {
    tokio::time::sleep(g.delay).await;
    while g.hold.load(Ordering::SeqCst) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (url, body) = {
        let mut prompts = g.prompts.lock().unwrap();
        let p = prompts.iter_mut().find(|p| p.checkout_id == checkout_id).unwrap();
        let receipt = format!("TLA{:07}", g.next.fetch_add(1, Ordering::SeqCst));
        p.receipt = Some(receipt.clone());
        let items = json!([
            {"Name": "Amount", "Value": p.amount},
            {"Name": "MpesaReceiptNumber", "Value": receipt},
            {"Name": "Balance"},
            {"Name": "TransactionDate", "Value": 20261206133416_i64},
            {"Name": "PhoneNumber", "Value": p.phone.parse::<i64>().unwrap_or_default()},
        ]);
        let cb = json!({"Body": {"stkCallback": {
            "MerchantRequestID": "29115-3462072-1", "CheckoutRequestID": checkout_id, "ResultCode": 0,
            "ResultDesc": "The service request is processed successfully.", "CallbackMetadata": {"Item": items},
        }}});
        (p.callback_url.clone(), cb)
    };
    let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    for _ in 0..300 {
        let taken = http.post(&url).json(&body).send().await.is_ok_and(|r| r.status() == StatusCode::OK);
        {
            let mut prompts = g.prompts.lock().unwrap();
            let p = prompts.iter_mut().find(|p| p.checkout_id == checkout_id).unwrap();
            p.callbacks_sent += 1;
            p.callback_taken |= taken;
        }
        if taken || !g.redeliver.load(Ordering::SeqCst) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn stk_query(State(g): State<Arc<Inner>>, Json(b): Json<Value>) -> (StatusCode, Json<Value>) {
    tokio::time::sleep(g.delay).await;
    let id = b["CheckoutRequestID"].as_str().unwrap_or_default();
    let paid = g.prompts.lock().unwrap().iter().find(|p| p.checkout_id == id).map(|p| p.receipt.is_some());
    match paid {
        None => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({"requestId": "1", "errorCode": "500.001.1001", "errorMessage": "No such transaction"})),
        ),
        Some(paid) => {
            let (code, desc) = if paid {
                ("0", "The service request is processed successfully.")
            } else {
                ("4999", "The transaction is still under processing")
            };
            let answer = json!({"ResponseCode": "0", "ResponseDescription": "The service request has been accepted successsfully",
                "MerchantRequestID": "29115-3462072-1", "CheckoutRequestID": id, "ResultCode": code, "ResultDesc": desc});
            (StatusCode::OK, Json(answer))
        }
    }
}

async fn send_sms(State(g): State<Arc<Inner>>, Form(f): Form<HashMap<String, String>>) -> (StatusCode, Json<Value>) {
    tokio::time::sleep(g.delay).await;
    let id = format!("ATXid_{}", g.next.fetch_add(1, Ordering::SeqCst));
    let to = f.get("to").cloned().unwrap_or_default();
    let message = f.get("message").cloned().unwrap_or_default();
    g.sms.lock().unwrap().push(Sms { id: id.clone(), to: to.clone(), message });
    let recipient =
        json!({"statusCode": 101, "number": to, "status": "Success", "cost": "KES 0.8000", "messageId": id});
    let data = json!({"SMSMessageData": {"Message": "Sent to 1/1 Total Cost: KES 0.8000", "Recipients": [recipient]}});
    (StatusCode::CREATED, Json(data))
}
