//! Payment attempts and the gateway's answers: each request recorded before
//! the gateway is asked, the callback reached only through the attempt's
//! own address, a repeated, late or mismatched callback changing nothing it
//! should not, another amount flagged for staff, two taps making one
//! prompt, and the reconciliation job settling or giving up on what had no
//! callback; over HTTP, on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Api, TestApp};
use registry::payments::{Callback, DevAnswer, DevPayer, Outcome};
use reqwest::StatusCode;
use serde_json::{Value, json};

const SELLER: (&str, &str) = ("12345678", "+254712345678");
const BUYER: (&str, &str) = ("23456789", "+254723456789");

fn payer(app: &TestApp) -> &DevPayer {
    app.registry.adapters().payments.as_dev().expect("the development payer")
}

/// A transfer of KDA 001A accepted by the buyer with the payment held (the
/// prompt waits for an answer); its id, the buyer's client, and the fee.
async fn awaiting_payment(app: &TestApp) -> (String, Api, i64) {
    let seller = Api::sign_in(app, "citizen", SELLER.0, SELLER.1).await;
    let buyer = Api::sign_in(app, "citizen", BUYER.0, BUYER.1).await;
    let (id, _) = seller.open_transfer("KDA 001A", BUYER.0).await;
    seller.submit_transfer(app, SELLER.1, &id).await;
    let code = buyer.code(app, BUYER.1, &id, "answer").await;
    let body = json!({"code": code, "postal_address": "P.O. Box 100-00100 Nairobi", "collection_office": "Mombasa"});
    payer(app).hold(true);
    let (s, t) = buyer.post(&format!("/api/v1/transfers/{id}/accept"), body).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(t["state"], "awaiting_payment", "{t}");
    (id, buyer, t["fee"]["amount_cents"].as_i64().unwrap())
}

/// The newest prompt: its name at the gateway and its callback's path.
fn newest_prompt() -> impl Fn(&TestApp) -> (String, String) {
    |app| {
        let asked = payer(app).asked().pop().expect("a prompt");
        let path = asked.callback_url.split_once("/payments/callback/").map(|(_, s)| s.to_string()).unwrap();
        (asked.provider_ref, format!("/payments/callback/{path}"))
    }
}

async fn post_callback(app: &TestApp, path: &str, cb: &Callback) -> (StatusCode, Value) {
    let r = reqwest::Client::new()
        .post(format!("{}{path}", app.base))
        .header("content-type", "application/json")
        .body(DevPayer::callback_body(cb))
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

fn paid(provider_ref: &str, amount_cents: i64, receipt: &str) -> Callback {
    let outcome = Outcome::Paid {
        receipt: Some(receipt.into()),
        amount_cents: Some(amount_cents),
        phone: Some(BUYER.1.into()),
        paid_at: None,
    };
    Callback { provider_ref: provider_ref.into(), outcome }
}

fn failed(provider_ref: &str, code: &str) -> Callback {
    Callback {
        provider_ref: provider_ref.into(),
        outcome: Outcome::Failed { code: code.into(), description: "x".into() },
    }
}

/// The attempts of a transfer, oldest first: (number, state, receipt).
async fn attempts(app: &TestApp, id: &str) -> Vec<(i64, String, Option<String>)> {
    sqlx::query_as(
        "SELECT attempt_no, state, receipt FROM reg_payment_attempts WHERE transfer_id = $1 ORDER BY attempt_no",
    )
    .bind(id)
    .fetch_all(app.registry.db().pool())
    .await
    .unwrap()
}

/// "payment received" SMS to the buyer.
fn receipts_told(app: &TestApp) -> usize {
    app.sms_to(BUYER.1).iter().filter(|m| m.contains("received")).count()
}

async fn a_callback_settles_once_and_its_repeat_changes_nothing(app: TestApp) {
    let (id, buyer, fee) = awaiting_payment(&app).await;
    let (provider_ref, path) = newest_prompt()(&app);
    assert_eq!(attempts(&app, &id).await, vec![(1, "pending".into(), None)], "recorded before the gateway answered");

    let (s, b) = post_callback(&app, &path, &paid(&provider_ref, fee, "RLA0R69NXM")).await;
    assert_eq!((s, b["ResultCode"].as_i64()), (StatusCode::OK, Some(0)), "{b}");
    assert_eq!(buyer.transfer_state(&id).await, "in_review");
    let (s, _) = post_callback(&app, &path, &paid(&provider_ref, fee, "RLA0R69NXM")).await;
    assert_eq!(s, StatusCode::OK, "a repeat is acknowledged");
    let (s, _) = post_callback(&app, &path, &failed(&provider_ref, "1037")).await;
    assert_eq!(s, StatusCode::OK, "a late failure is acknowledged");
    assert_eq!(attempts(&app, &id).await, vec![(1, "settled".into(), Some("RLA0R69NXM".into()))]);
    let (_, p) = buyer.get(&format!("/api/v1/transfers/{id}/payment")).await;
    assert_eq!((p["state"].as_str(), p["provider_ref"].as_str()), (Some("settled"), Some("RLA0R69NXM")), "{p}");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(receipts_told(&app), 1, "told once: {:?}", app.sms_to(BUYER.1));
}
on_both!(a_callback_settles_once_and_its_repeat_changes_nothing, crate::common::with_api_client);

async fn a_callback_reaches_only_its_own_attempt(app: TestApp) {
    let (id, buyer, fee) = awaiting_payment(&app).await;
    let (provider_ref, path) = newest_prompt()(&app);
    let (s, _) = post_callback(&app, "/payments/callback/not-a-secret-we-gave", &paid(&provider_ref, fee, "R1")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = post_callback(&app, &path, &paid("ws_CO_another_request", fee, "R2")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "a callback naming another request than its address");
    let r = reqwest::Client::new().post(format!("{}{path}", app.base)).body("not json").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(buyer.transfer_state(&id).await, "awaiting_payment");
    assert_eq!(attempts(&app, &id).await, vec![(1, "pending".into(), None)]);
}
on_both!(a_callback_reaches_only_its_own_attempt, crate::common::with_api_client);

async fn another_amount_is_flagged_for_staff_never_accepted(app: TestApp) {
    let (id, buyer, fee) = awaiting_payment(&app).await;
    let (provider_ref, path) = newest_prompt()(&app);
    let (s, _) = post_callback(&app, &path, &paid(&provider_ref, fee - 100, "RSHORT0001")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(buyer.transfer_state(&id).await, "awaiting_payment", "not settled");
    assert_eq!(attempts(&app, &id).await, vec![(1, "flagged".into(), Some("RSHORT0001".into()))]);
}
on_both!(another_amount_is_flagged_for_staff_never_accepted, crate::common::with_api_client);

async fn a_failed_payment_says_why_and_a_retry_is_one_more_prompt(app: TestApp) {
    let (id, buyer, fee) = awaiting_payment(&app).await;
    let (first, path) = newest_prompt()(&app);
    post_callback(&app, &path, &failed(&first, "2001")).await;
    let (_, p) = buyer.get(&format!("/api/v1/transfers/{id}/payment")).await;
    assert_eq!(
        (p["state"].as_str(), p["failure"].as_str(), p["can_pay"].as_bool()),
        (Some("failed"), Some("wrong_pin"), Some(true)),
        "{p}"
    );

    // Two taps at once: one prompt.
    let before = payer(&app).asked().len();
    let pay_path = format!("/api/v1/transfers/{id}/pay");
    let pay = || buyer.post(&pay_path, json!({}));
    let ((s1, _), (s2, _)) = tokio::join!(pay(), pay());
    let mut got = [s1, s2];
    got.sort();
    assert_eq!(got, [StatusCode::OK, StatusCode::CONFLICT]);
    assert_eq!(payer(&app).asked().len(), before + 1, "one prompt");
    let (second, second_path) = newest_prompt()(&app);

    post_callback(&app, &second_path, &paid(&second, fee, "RSECOND001")).await;
    assert_eq!(buyer.transfer_state(&id).await, "in_review");
    // The first request, failed, is paid after all (the payer tried again
    // on the phone): the fee is paid already, so it is flagged for a refund.
    post_callback(&app, &path, &paid(&first, fee, "RFIRST0001")).await;
    let got = attempts(&app, &id).await;
    assert_eq!(
        got,
        vec![(1, "flagged".into(), Some("RFIRST0001".into())), (2, "settled".into(), Some("RSECOND001".into()))]
    );
}
on_both!(a_failed_payment_says_why_and_a_retry_is_one_more_prompt, crate::common::with_api_client);

async fn what_had_no_callback_is_asked_about_and_settled(app: TestApp) {
    let (id, buyer, _) = awaiting_payment(&app).await;
    let (provider_ref, _) = newest_prompt()(&app);
    let reconcile = || registry::transfers::reconcile::reconcile_due(&app.registry);
    assert_eq!(reconcile().await.unwrap(), 0, "too early to ask");
    app.advance(61_000);
    assert_eq!(reconcile().await.unwrap(), 0, "the gateway has no answer yet");
    // The payer pays; the callback is lost; the next question finds it paid.
    payer(&app).answer(&provider_ref, DevAnswer::Pay).unwrap();
    assert_eq!(reconcile().await.unwrap(), 0, "asked a minute ago: not again yet");
    app.advance(61_000);
    assert_eq!(reconcile().await.unwrap(), 1);
    assert_eq!(buyer.transfer_state(&id).await, "in_review");
    assert_eq!(attempts(&app, &id).await[0].1, "settled");
}
on_both!(what_had_no_callback_is_asked_about_and_settled, crate::common::with_api_client);

async fn a_prompt_never_answered_is_given_up_on_visibly(app: TestApp) {
    let (id, _, _) = awaiting_payment(&app).await;
    for _ in 0..16 {
        app.advance(61_000);
        registry::transfers::reconcile::reconcile_due(&app.registry).await.unwrap();
    }
    assert_eq!(attempts(&app, &id).await[0].1, "abandoned");
    let buyer = Api::sign_in(&app, "citizen", BUYER.0, BUYER.1).await; // the earlier token has expired
    let (_, p) = buyer.get(&format!("/api/v1/transfers/{id}/payment")).await;
    assert_eq!((p["failure"].as_str(), p["can_pay"].as_bool()), (Some("no_answer"), Some(true)), "{p}");
    // A callback that comes after all still settles it.
    let (provider_ref, path) = newest_prompt()(&app);
    let (s, _) = post_callback(&app, &path, &paid(&provider_ref, attempts_fee(&app, &id).await, "RLATE00001")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(buyer.transfer_state(&id).await, "in_review");
}
on_both!(a_prompt_never_answered_is_given_up_on_visibly, crate::common::with_api_client);

async fn attempts_fee(app: &TestApp, id: &str) -> i64 {
    sqlx::query_scalar("SELECT amount_cents FROM reg_payment_attempts WHERE transfer_id = $1 AND attempt_no = 1")
        .bind(id)
        .fetch_one(app.registry.db().pool())
        .await
        .unwrap()
}

async fn a_developer_answers_prompts_as_the_payers_phone_would(app: TestApp) {
    let (id, buyer, _) = awaiting_payment(&app).await;
    let mut b = app.signed_in_as("citizen", BUYER.0, BUYER.1).await;
    assert_eq!(b.follow("/signin").await.status, StatusCode::OK);
    let page = b.get("/dev/payments").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Prompts are held until you answer them here."), "{}", page.body);
    assert!(page.body.contains("0723 456 789") && page.body.contains(r#"value="wrong_pin""#), "{}", page.body);

    let (provider_ref, _) = newest_prompt()(&app);
    let r = b.post_reg("/dev/payments/answer", &[("prompt", &provider_ref), ("answer", "cancel")]).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/dev/payments".to_string()));
    let (_, p) = buyer.get(&format!("/api/v1/transfers/{id}/payment")).await;
    assert_eq!(p["failure"].as_str(), Some("cancelled"), "{p}");
    let wait = b.get(&format!("/transfers/{id}/payment")).await;
    assert!(wait.body.contains("cancelled on the phone"), "{}", wait.body);
    // Answered once only.
    b.post_reg("/dev/payments/answer", &[("prompt", &provider_ref), ("answer", "pay")]).await;
    assert_eq!(buyer.transfer_state(&id).await, "awaiting_payment");

    // Prompts paid at once again: the next payment goes straight through.
    let r = b.post_reg("/dev/payments/hold", &[("hold", "no")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(!payer(&app).holding());
    let (s, _) = buyer.post(&format!("/api/v1/transfers/{id}/pay"), json!({})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(buyer.transfer_state(&id).await, "in_review");
}
on_both!(a_developer_answers_prompts_as_the_payers_phone_would, crate::common::with_api_client);

async fn nobody_can_keep_prompting_another_persons_number(app: TestApp) {
    let (id, buyer, _) = awaiting_payment(&app).await;
    let (first, path) = newest_prompt()(&app);
    post_callback(&app, &path, &failed(&first, "1032")).await;
    let pay_path = format!("/api/v1/transfers/{id}/pay");
    // Five to a stranger's number, each cancelled: five unpaid.
    for _ in 0..5 {
        let (s, b) = buyer.post(&pay_path, json!({"phone": "0700 999 888"})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (r, path) = newest_prompt()(&app);
        post_callback(&app, &path, &failed(&r, "1032")).await;
    }
    let (s, b) = buyer.post(&pay_path, json!({"phone": "0700 999 888"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b.to_string().contains("phone") && b.to_string().contains("Use another number"), "{b}");
    // The buyer's own number still works; the stranger's frees up within the hour.
    let (s, b) = buyer.post(&pay_path, json!({})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
}
on_both!(nobody_can_keep_prompting_another_persons_number, crate::common::with_api_client);
