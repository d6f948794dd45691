//! The SMS gateway end to end: tims configured with Africa's Talking (a
//! stand-in on a local port that speaks its format), its outbox worker
//! sending through it, and the gateway's delivery reports coming back to
//! `/sms/reports/{secret}`; on SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use common::{Backend, TestApp};

/// Runs a story that starts its own app once on SQLite and once on
/// PostgreSQL (the gateway's address goes into the configuration, so the
/// common `on_both!` cannot start it).
macro_rules! on_each_backend {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                super::$name(super::Backend::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                super::$name(super::Backend::Postgres).await;
            }
        }
    };
}

const SECRET: &str = "a-report-secret-of-more-than-thirty-two-characters";

/// The stand-in gateway: takes every message, naming them `ATXid_1`,
/// `ATXid_2`, … in turn; or, while `down`, answers 503.
#[derive(Clone, Default)]
struct Gateway {
    taken: Arc<Mutex<Vec<HashMap<String, String>>>>,
    down: Arc<AtomicBool>,
}

async fn messaging(State(g): State<Gateway>, Form(form): Form<HashMap<String, String>>) -> (StatusCode, String) {
    if g.down.load(Ordering::SeqCst) {
        return (StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable".into());
    }
    let mut taken = g.taken.lock().unwrap();
    let to = form.get("to").cloned().unwrap_or_default();
    taken.push(form);
    let id = format!("ATXid_{}", taken.len());
    let body = format!(
        r#"{{"SMSMessageData":{{"Message":"Sent to 1/1 Total Cost: KES 0.8000","Recipients":[{{"statusCode":101,"number":"{to}","status":"Success","cost":"KES 0.8000","messageId":"{id}"}}]}}}}"#
    );
    (StatusCode::CREATED, body)
}

async fn gateway() -> (Gateway, String) {
    let g = Gateway::default();
    let app = axum::Router::new().route("/version1/messaging", post(messaging)).with_state(g.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (g, url)
}

async fn with_gateway(backend: Backend) -> Option<(TestApp, Gateway)> {
    let (g, url) = gateway().await;
    let app = TestApp::spawn_with(backend, |c| {
        c.sms.africastalking_url = Some(url);
        c.sms.africastalking_username = Some("tims".into());
        c.sms.africastalking_api_key = Some(tims::Secret::new("atsk_test"));
        c.sms.sender_id = Some("NTSA".into());
        c.sms.report_secret = Some(tims::Secret::new(SECRET));
    })
    .await?;
    Some((app, g))
}

/// Queue a registry message.
async fn queue(app: &TestApp, to: &str, body: &str) {
    let mut tx = app.registry.db().begin_write().await.unwrap();
    registry::outbox::enqueue(&mut tx, to, body, false, &Default::default(), app.clock_now()).await.unwrap();
    tx.commit().await.unwrap();
}

/// Queue a registry message and wait until the gateway has taken it; its
/// gateway id.
async fn sent(app: &TestApp, to: &str, body: &str) -> String {
    queue(app, to, body).await;
    taken(app, to).await
}

/// Wait until the gateway has taken the message to `to`; its gateway id.
async fn taken(app: &TestApp, to: &str) -> String {
    for _ in 0..200 {
        registry::outbox::deliver_due(&app.registry).await.unwrap();
        let id: Option<String> = sqlx::query_scalar("SELECT gateway_id FROM reg_outbox WHERE to_phone = $1")
            .bind(to)
            .fetch_one(app.registry.db().pool())
            .await
            .unwrap();
        if let Some(id) = id {
            return id;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the message to {to} was never taken");
}

async fn status_of(app: &TestApp, to: &str) -> (String, Option<String>) {
    sqlx::query_as("SELECT status, failure_reason FROM reg_outbox WHERE to_phone = $1")
        .bind(to)
        .fetch_one(app.registry.db().pool())
        .await
        .unwrap()
}

async fn report(app: &TestApp, secret: &str, fields: &[(&str, &str)]) -> StatusCode {
    reqwest::Client::new()
        .post(format!("{}/sms/reports/{secret}", app.base))
        .form(fields)
        .send()
        .await
        .unwrap()
        .status()
}

async fn delivery_reports_follow_each_message(backend: Backend) {
    let Some((app, gateway)) = with_gateway(backend).await else { return };
    let id = sent(&app, "+254700000101", "tims: your logbook is ready").await;
    assert_eq!(id, "ATXid_1");
    let form = gateway.taken.lock().unwrap()[0].clone();
    assert_eq!(form.get("from").map(String::as_str), Some("NTSA"));
    assert_eq!(form.get("message").map(String::as_str), Some("tims: your logbook is ready"));
    assert_eq!(status_of(&app, "+254700000101").await, ("sent".into(), None));

    let fields = [("id", "ATXid_1"), ("status", "Success"), ("phoneNumber", "+254700000101"), ("networkCode", "63902")];
    assert_eq!(report(&app, "a-wrong-secret", &fields).await, StatusCode::NOT_FOUND);
    assert_eq!(status_of(&app, "+254700000101").await.0, "sent", "a wrong secret changes nothing");
    assert_eq!(report(&app, SECRET, &[("id", "ATXid_1")]).await, StatusCode::BAD_REQUEST);
    assert_eq!(report(&app, SECRET, &fields).await, StatusCode::OK);
    assert_eq!(status_of(&app, "+254700000101").await.0, "delivered");

    // An id no message has is answered and kept aside.
    let unknown = [("id", "ATXid_none"), ("status", "Failed"), ("failureReason", "UserDoesNotExist")];
    assert_eq!(report(&app, SECRET, &unknown).await, StatusCode::OK);

    // A report that comes before the gateway's answer is written waits for it.
    let early = [("id", "ATXid_2"), ("status", "Failed"), ("failureReason", "DeliveryFailure"), ("retryCount", "1")];
    assert_eq!(report(&app, SECRET, &early).await, StatusCode::OK);
    assert_eq!(sent(&app, "+254700000102", "tims: a notice").await, "ATXid_2");
    assert_eq!(status_of(&app, "+254700000102").await, ("failed".into(), Some("DeliveryFailure".into())));

    let metrics = reqwest::get(format!("{}/metrics", app.base)).await.unwrap().text().await.unwrap();
    for counter in
        ["tims_sms_sent_total", "tims_sms_delivered_total", "tims_sms_failed_total", "tims_sms_spend_micros_total"]
    {
        assert!(metrics.contains(counter), "{counter} in /metrics");
    }
}

on_each_backend!(delivery_reports_follow_each_message);

async fn nothing_is_lost_while_the_gateway_is_down(backend: Backend) {
    let Some((app, gateway)) = with_gateway(backend).await else { return };
    gateway.down.store(true, Ordering::SeqCst);
    let db = app.registry.db();
    queue(&app, "+254700000103", "tims: a notice").await;
    let row = || async {
        let r: (String, i64, Option<String>) =
            sqlx::query_as("SELECT status, attempts, last_error FROM reg_outbox WHERE to_phone = '+254700000103'")
                .fetch_one(db.pool())
                .await
                .unwrap();
        r
    };
    for _ in 0..200 {
        registry::outbox::deliver_due(&app.registry).await.unwrap();
        // The attempt is counted when the row is leased, and its error
        // written once the gateway answered (here or by the app's worker).
        if row().await.2.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (status, attempts, error) = row().await;
    assert_eq!((status.as_str(), attempts), ("queued", 1));
    assert_eq!(error.as_deref(), Some("the gateway answered HTTP 503"));
    // Back up: after its pause the message goes out.
    gateway.down.store(false, Ordering::SeqCst);
    app.advance(2_000);
    assert_eq!(taken(&app, "+254700000103").await, "ATXid_1");
    assert_eq!(row().await.0, "sent");
}

on_each_backend!(nothing_is_lost_while_the_gateway_is_down);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_report_secret_there_is_no_report_address() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    assert_eq!(report(&app, "", &[("id", "x"), ("status", "Success")]).await, StatusCode::NOT_FOUND);
    assert_eq!(report(&app, SECRET, &[("id", "x"), ("status", "Success")]).await, StatusCode::NOT_FOUND);
}

async fn staff_see_a_numbers_messages_but_never_a_code(app: TestApp) {
    let citizen = common::Api::sign_in(&app, "citizen", "12345678", "+254712345678").await;
    let officer = common::Api::sign_in(&app, "citizen", "34567890", "+254734567890").await;
    let (s, b) = officer.get("/api/v1/staff/sms?phone=0712%20345%20678").await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["phone"], "+254712345678");
    let messages = b["messages"].as_array().unwrap();
    let codes: Vec<&serde_json::Value> = messages.iter().filter(|m| m["purpose"] == "sign_in").collect();
    assert!(!codes.is_empty(), "{b}");
    for m in codes {
        assert!(m["body"].is_null(), "a code's text is never shown: {m}");
        assert_eq!(m["status"], "sent", "{m}");
        assert!(m["gateway_id"].as_str().unwrap().starts_with("dev-"), "{m}");
    }
    assert!(!b.to_string().contains("Your tims sign-in code is"), "{b}");

    let (s, _) = citizen.get("/api/v1/staff/sms?phone=0712345678").await;
    assert_eq!(s, StatusCode::FORBIDDEN, "for staff only");
    for ask in ["?phone=12", "", "?limit=5"] {
        let (s, b) = officer.get(&format!("/api/v1/staff/sms{ask}")).await;
        assert_eq!((s, b["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("phone")), "{b}");
        assert_eq!(b["errors"][0]["message"], "Enter a Kenyan mobile number, like 0712 345 678");
    }
    let anonymous = reqwest::get(format!("{}/api/v1/staff/sms?phone=0712345678", app.base)).await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

on_both!(staff_see_a_numbers_messages_but_never_a_code, crate::common::with_api_client);

/// The hourly purge removes SMS and buyer lookups older than they are kept,
/// never a message still queued, and keeps what is younger.
async fn old_history_is_purged_and_the_queue_never_is(app: TestApp) {
    let (db, now) = (app.registry.db().pool(), app.clock_now());
    let old = now - registry::outbox::KEEP_SMS_MS - 1_000;
    for (to, status, at) in
        [("+254700000201", "sent", old), ("+254700000202", "queued", old), ("+254700000203", "sent", now)]
    {
        sqlx::query(
            "INSERT INTO reg_outbox (to_phone, body, secret, created_at, available_at, status, status_at) \
             VALUES ($1, 'x', 0, $2, $4, $3, $2)",
        )
        .bind(to)
        .bind(at)
        .bind(status)
        // The queued one waits for a retry tomorrow (the worker leaves it).
        .bind(now + 86_400_000)
        .execute(db)
        .await
        .unwrap();
    }
    let person: String =
        sqlx::query_scalar("SELECT id FROM reg_parties WHERE kind = 'person' LIMIT 1").fetch_one(db).await.unwrap();
    for (id, at) in [("lookup-old", now - registry::outbox::KEEP_LOOKUPS_MS - 1_000), ("lookup-new", now)] {
        sqlx::query(
            "INSERT INTO reg_buyer_lookups (id, person_id, acting_for, doc_type, doc_number, outcome, at) \
             VALUES ($1, $2, $2, 'national_id', '12345678', 'found', $3)",
        )
        .bind(id)
        .bind(&person)
        .bind(at)
        .execute(db)
        .await
        .unwrap();
    }
    assert_eq!(registry::outbox::purge_history(&app.registry).await.unwrap(), 2);
    let left: Vec<String> =
        sqlx::query_scalar("SELECT to_phone FROM reg_outbox ORDER BY to_phone").fetch_all(db).await.unwrap();
    assert_eq!(left, ["+254700000202", "+254700000203"], "the queued one stays, however old");
    let lookups: Vec<String> = sqlx::query_scalar("SELECT id FROM reg_buyer_lookups").fetch_all(db).await.unwrap();
    assert_eq!(lookups, ["lookup-new"]);
    assert_eq!(registry::outbox::purge_history(&app.registry).await.unwrap(), 0, "nothing more");
}

on_both!(old_history_is_purged_and_the_queue_never_is);
