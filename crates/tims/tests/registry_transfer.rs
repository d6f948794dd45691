//! The logbook transfer end to end over the JSON API, as the seed tells it:
//! seller, joint owner, financier, buyer, payment, officer, logbook. People
//! sign in at the built-in sign-on and call the registry with its access
//! tokens, over HTTP, on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Api, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

const PDF: &[u8] = b"%PDF-1.4\n% a scanned logbook\n";

const SELLER: (&str, &str) = ("12345678", "+254712345678");
const BUYER: (&str, &str) = ("23456789", "+254723456789");
const OFFICER: (&str, &str) = ("34567890", "+254734567890");
const BANKER: (&str, &str) = ("56789012", "+254756789012");
const RESIDENT: (&str, &str) = ("100200300", "+254110200300");
const BANK_PIN: &str = "P051234569C";
const DEALER_PIN: &str = "P051234567A";
const LOGISTICS_PIN: &str = "P051234571E";

async fn citizen(app: &TestApp, who: (&str, &str)) -> Api {
    Api::sign_in(app, "citizen", who.0, who.1).await
}

/// Seller opens a transfer of `reg_no` to the buyer (individual). Returns
/// the transfer id.
async fn open(seller: &Api, reg_no: &str) -> String {
    let (s, t) = seller
        .post(
            "/api/v1/transfers",
            json!({"registration_number": reg_no, "buyer_type": "individual", "buyer_id_number": BUYER.0}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    t["id"].as_str().unwrap().to_string()
}

/// Seller opens a transfer of `reg_no` to the buyer (individual), uploads the
/// scan and submits with a code. Returns the transfer id.
async fn open_and_submit(app: &TestApp, seller: &Api, reg_no: &str) -> String {
    let id = open(seller, reg_no).await;
    let (s, b) = seller.put_bytes(&format!("/api/v1/transfers/{id}/logbook-scan"), PDF).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let code = seller.code(app, SELLER.1, &id, "submit").await;
    let (s, b) = seller.post(&format!("/api/v1/transfers/{id}/submit"), json!({ "code": code })).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    id
}

async fn buyer_accepts(app: &TestApp, buyer: &Api, id: &str) -> Value {
    let code = buyer.code(app, BUYER.1, id, "answer").await;
    let (s, b) = buyer
        .post(
            &format!("/api/v1/transfers/{id}/accept"),
            json!({"code": code, "postal_address": "P.O. Box 100-00100 Nairobi", "collection_office": "Mombasa"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b
}

async fn the_whole_seed_journey_changes_ownership_and_orders_the_logbook(app: TestApp) {
    let seller = citizen(&app, SELLER).await;
    // Inquiry: the owner sees the whole record, a stranger a limited view.
    let (s, v) = seller.get("/api/v1/vehicles/kcb123b").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["view"], "full");
    assert_eq!(v["owners"].as_array().unwrap().len(), 3, "{v}");
    let buyer = citizen(&app, BUYER).await;
    let (_, lim) = buyer.get("/api/v1/vehicles/KCB%20123B").await;
    assert_eq!(lim["view"], "limited", "{lim}");
    assert!(lim.get("owners").is_none() && lim.get("chassis_number").is_none(), "{lim}");

    // The fee for a 1198cc car is the 1001–1200cc band.
    let (s, q) = seller.get("/api/v1/fees/quote?registration_number=KCB%20123B").await;
    assert_eq!(s, StatusCode::OK, "{q}");
    assert_eq!(q["amount_cents"], 189_000);

    // The bank's admin has used the registry before, so the registry knows
    // whom to tell for the bank.
    let banker = citizen(&app, BANKER).await.acting_for(BANK_PIN);
    let (s, me) = banker.get("/api/v1/me").await;
    assert_eq!(s, StatusCode::OK, "{me}");
    assert_eq!(me["acting_for"]["kra_pin"], BANK_PIN);
    let id = open_and_submit(&app, &seller, "KCB 123B").await;
    let (_, t) = seller.get(&format!("/api/v1/transfers/{id}")).await;
    assert_eq!(t["state"], "awaiting_consents", "{t}");
    // The joint owner is told, and so is the bank, through its admin.
    app.wait_sms_containing(RESIDENT.1, "needs your consent as joint owner").await;
    app.wait_sms_containing(BANKER.1, "needs your consent as financier").await;
    assert_eq!(t["fee"]["amount_cents"], 189_000);
    // The buyer is not asked before every consent is in.
    let (s, _) = buyer.post(&format!("/api/v1/transfers/{id}/codes"), json!({"step": "answer"})).await;
    assert_eq!(s, StatusCode::CONFLICT);

    // The joint owner (a resident) approves with their own code.
    let resident = Api::sign_in(&app, "resident", RESIDENT.0, RESIDENT.1).await;
    let code = resident.code(&app, RESIDENT.1, &id, "consent").await;
    let (s, b) =
        resident.post(&format!("/api/v1/transfers/{id}/consent"), json!({"code": code, "approve": true})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["state"], "awaiting_consents");

    // The financier, through a person acting for the bank, approves too.
    let code = banker.code(&app, BANKER.1, &id, "consent").await;
    let (s, b) = banker.post(&format!("/api/v1/transfers/{id}/consent"), json!({"code": code, "approve": true})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["state"], "awaiting_buyer");
    app.wait_sms_containing(BUYER.1, "is being transferred to you").await;

    // The buyer accepts with a code and details; the development payer
    // settles at once and the transfer joins the officers' queue.
    let accepted = buyer_accepts(&app, &buyer, &id).await;
    assert_eq!(accepted["state"], "in_review", "{accepted}");
    assert!(accepted["payment_ref"].as_str().is_some_and(|r| r.starts_with("DEV-")));

    let officer = citizen(&app, OFFICER).await;
    let (s, q) = officer.get("/api/v1/review-queue").await;
    assert_eq!(s, StatusCode::OK, "{q}");
    let item = q["transfers"].as_array().unwrap().iter().find(|t| t["id"] == id.as_str()).cloned().unwrap();
    assert!(item["review_deadline"].is_string(), "{item}");
    // The operator sees the queue in the metrics: one transfer, queued
    // when the buyer paid (the clock has not moved since).
    app.advance(90_000);
    let metrics = reqwest::get(format!("{}/metrics", app.base)).await.unwrap().text().await.unwrap();
    assert!(metrics.contains("\ntims_review_queue_transfers 1\n"), "{metrics}");
    assert!(metrics.contains("\ntims_review_queue_oldest_age_seconds 90\n"), "{metrics}");
    // The officer sees the scanned logbook beside the record.
    let scan = officer.req(reqwest::Method::GET, &format!("/api/v1/transfers/{id}/logbook-scan")).send().await.unwrap();
    assert_eq!(scan.status(), StatusCode::OK);
    assert_eq!(scan.headers()["content-type"], "application/pdf");
    assert_eq!(scan.bytes().await.unwrap().as_ref(), PDF);

    let (s, done) = officer.post(&format!("/api/v1/transfers/{id}/review"), json!({"decision": "approve"})).await;
    assert_eq!(s, StatusCode::OK, "{done}");
    assert_eq!(done["state"], "approved");
    // Approved on Monday 5 January 2026: ready 7 working days later.
    assert_eq!(done["logbook"]["ready_by"], "2026-01-14", "{done}");
    assert_eq!(done["logbook"]["state"], "printing");
    assert_eq!(done["logbook"]["office"], "Mombasa");
    // Every step is on the timeline with who acted and for whom.
    let actions: Vec<&str> =
        done["timeline"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        [
            "created",
            "logbook_uploaded",
            "seller_submit",
            "consent_approve",
            "consent_approve",
            "buyer_accept",
            "payment_settled",
            "officer_approve"
        ]
    );
    let bank_step = &done["timeline"][4];
    assert_eq!(bank_step["acting_for"], "Harambee Bank Limited", "{bank_step}");
    assert_eq!(bank_step["address"], "127.0.0.1", "the server gives handlers the peer's address: {bank_step}");

    // Ownership changed: the buyer now owns it alone, the old owners see the limited view.
    let (_, v) = buyer.get("/api/v1/vehicles/KCB%20123B").await;
    assert_eq!(v["view"], "full");
    let owners = v["owners"].as_array().unwrap();
    assert_eq!(owners.len(), 1);
    assert_eq!(owners[0]["doc_number"], BUYER.0);
    let (_, v) = seller.get("/api/v1/vehicles/KCB%20123B").await;
    assert_eq!(v["view"], "limited");
    app.wait_sms_containing(SELLER.1, "is approved").await;
    app.wait_sms_containing(BUYER.1, "ready for collection at Mombasa by 14 January 2026").await;

    // The logbook moves on, and only forward.
    let (s, _) = officer.post(&format!("/api/v1/transfers/{id}/logbook"), json!({"state": "collected"})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, b) =
        officer.post(&format!("/api/v1/transfers/{id}/logbook"), json!({"state": "ready_for_collection"})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    app.wait_sms_containing(BUYER.1, "is ready for collection at Mombasa").await;
    let (_, t) = buyer.get(&format!("/api/v1/transfers/{id}")).await;
    assert_eq!(t["logbook"]["state"], "ready_for_collection");

    // The journal holds every change in the order made: each step, and with
    // the approval the hand-over to the buyer and the new logbook.
    let kinds: Vec<String> = sqlx::query_scalar("SELECT kind FROM reg_journal WHERE transfer_id = $1 ORDER BY seq")
        .bind(&id)
        .fetch_all(app.registry.db().pool())
        .await
        .unwrap();
    let at = |k: &str| kinds.iter().position(|x| x == k).unwrap_or_else(|| panic!("no {k} in {kinds:?}"));
    assert_eq!(kinds.iter().filter(|k| *k == "transfer_step").count(), 9, "{kinds:?}");
    assert!(at("owners_set") < at("logbook_ordered"), "{kinds:?}");
}
on_both!(the_whole_seed_journey_changes_ownership_and_orders_the_logbook, crate::common::with_api_client);

async fn decline_cancel_expiry_and_rejection_leave_the_vehicle_with_its_owner(app: TestApp) {
    let seller = citizen(&app, SELLER).await;
    let buyer = citizen(&app, BUYER).await;
    // Decline.
    let id = open_and_submit(&app, &seller, "KDA 001A").await;
    let code = buyer.code(&app, BUYER.1, &id, "answer").await;
    let (s, b) = buyer.post(&format!("/api/v1/transfers/{id}/decline"), json!({ "code": code })).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["state"], "declined");
    app.wait_sms_containing(SELLER.1, "declined").await;
    // Cancel, then a new transfer of the same vehicle is allowed.
    let id = open_and_submit(&app, &seller, "KDA 001A").await;
    let (s, b) = seller.post(&format!("/api/v1/transfers/{id}/cancel"), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["state"], "cancelled");
    // Expiry after 14 days, by the background job.
    let id = open_and_submit(&app, &seller, "KDA 001A").await;
    app.advance(14 * 24 * 3600 * 1000 + 1000);
    let n = registry::transfers::expire_due(&app.registry).await.unwrap();
    assert_eq!(n, 1);
    // Fourteen days on, everyone's tokens have expired too: sign in again.
    let seller = citizen(&app, SELLER).await;
    let buyer = citizen(&app, BUYER).await;
    let (_, b) = seller.get(&format!("/api/v1/transfers/{id}")).await;
    assert_eq!(b["state"], "expired", "{b}");
    app.wait_sms_containing(BUYER.1, "expired").await;
    // Rejection with a reason; a rejection without one is refused.
    let id = open_and_submit(&app, &seller, "KDA 001A").await;
    let t = buyer_accepts(&app, &buyer, &id).await;
    assert_eq!(t["state"], "in_review");
    // Once the buyer has accepted, the seller can no longer cancel.
    let (s, _) = seller.post(&format!("/api/v1/transfers/{id}/cancel"), json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let officer = citizen(&app, OFFICER).await;
    let (s, b) = officer.post(&format!("/api/v1/transfers/{id}/review"), json!({"decision": "reject"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["errors"][0]["field"], "reason");
    let (s, b) = officer
        .post(&format!("/api/v1/transfers/{id}/review"), json!({"decision": "reject", "reason": "Scan unreadable"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["state"], "rejected");
    let (_, v) = seller.get("/api/v1/vehicles/KDA%20001A").await;
    assert_eq!(v["view"], "full");
    assert_eq!(v["transfer_pending"], false);
}
on_both!(decline_cancel_expiry_and_rejection_leave_the_vehicle_with_its_owner, crate::common::with_api_client);

async fn fifty_concurrent_openings_make_one_transfer_and_two_approvals_change_ownership_once(app: TestApp) {
    let seller = citizen(&app, SELLER).await;
    let mut tasks = vec![];
    for _ in 0..50 {
        let s = seller.clone();
        tasks.push(tokio::spawn(async move {
            s.post(
                "/api/v1/transfers",
                json!({"registration_number": "KDA 001A", "buyer_type": "individual", "buyer_id_number": BUYER.0}),
            )
            .await
            .0
        }));
    }
    let mut created = 0;
    for t in tasks {
        match t.await.unwrap() {
            StatusCode::CREATED => created += 1,
            StatusCode::CONFLICT => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(created, 1);
    let (_, list) = seller.get("/api/v1/transfers").await;
    let id = list["transfers"][0]["id"].as_str().unwrap().to_string();
    let (s, _) = seller.post(&format!("/api/v1/transfers/{id}/cancel"), json!({})).await;
    assert_eq!(s, StatusCode::OK);

    let buyer = citizen(&app, BUYER).await;
    let id = open_and_submit(&app, &seller, "KDA 001A").await;
    buyer_accepts(&app, &buyer, &id).await;
    let officer = citizen(&app, OFFICER).await;
    let a = officer.clone();
    let b = officer.clone();
    let path = format!("/api/v1/transfers/{id}/review");
    let (p1, p2) = (path.clone(), path);
    let (r1, r2) = tokio::join!(async move { a.post(&p1, json!({"decision": "approve"})).await.0 }, async move {
        b.post(&p2, json!({"decision": "approve"})).await.0
    });
    let mut statuses = [r1, r2];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
    let (_, v) = buyer.get("/api/v1/vehicles/KDA%20001A").await;
    assert_eq!(v["owners"].as_array().unwrap().len(), 1, "{v}");
    let (_, t) = buyer.get(&format!("/api/v1/transfers/{id}")).await;
    let approvals = t["timeline"].as_array().unwrap().iter().filter(|e| e["action"] == "officer_approve").count();
    assert_eq!(approvals, 1);
}
on_both!(
    fifty_concurrent_openings_make_one_transfer_and_two_approvals_change_ownership_once,
    crate::common::with_api_client
);

async fn transfer_codes_die_after_five_wrong_tries_and_fees_are_never_guessed(app: TestApp) {
    let seller = citizen(&app, SELLER).await;
    let id = open(&seller, "KDA 001A").await;
    seller.put_bytes(&format!("/api/v1/transfers/{id}/logbook-scan"), PDF).await;
    let code = seller.code(&app, SELLER.1, &id, "submit").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        let (s, _) = seller.post(&format!("/api/v1/transfers/{id}/submit"), json!({ "code": wrong })).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    }
    // Dead even for the right code, and asking again does not revive it.
    let (s, b) = seller.post(&format!("/api/v1/transfers/{id}/submit"), json!({ "code": code })).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b["errors"][0]["message"].as_str().unwrap().contains("no longer works"), "{b}");
    let (s, b) = seller.post(&format!("/api/v1/transfers/{id}/codes"), json!({"step": "submit"})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    let (_, t) = seller.get(&format!("/api/v1/transfers/{id}")).await;
    assert_eq!(t["state"], "draft");

    // The schedule prices every band edge it defines and refuses what it does not.
    for (query, cents) in [
        ("class=motor_vehicle&engine_cc=1000", 166_000),
        ("class=motor_vehicle&engine_cc=1001", 189_000),
        ("class=motor_vehicle&engine_cc=3001", 591_500),
        ("class=trailer&trailer_wheels=3", 103_000),
        ("class=trailer&trailer_wheels=6", 189_000),
        ("class=tractor", 103_000),
    ] {
        let (s, q) = seller.get(&format!("/api/v1/fees/quote?{query}")).await;
        assert_eq!((s, q["amount_cents"].as_i64()), (StatusCode::OK, Some(cents)), "{query}: {q}");
    }
    let (s, q) = seller.get("/api/v1/fees/quote?class=trailer&trailer_wheels=4").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{q}");
    assert!(q["detail"].as_str().unwrap().contains("4 wheels"), "{q}");
    let (s, q) = seller.get("/api/v1/fees/quote?class=motor_vehicle").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{q}");
    let (_, all) = seller.get("/api/v1/fees").await;
    assert_eq!(all["schedules"][0]["version"], "KE-2018");
}
on_both!(transfer_codes_die_after_five_wrong_tries_and_fees_are_never_guessed, crate::common::with_api_client);

/// One payment row per transfer stands for the request to the gateway, so a
/// double tap (or two devices) never charges the buyer twice; a request with
/// no answer for two minutes may be made again.
async fn the_fee_is_asked_for_once_however_many_times_pay_is_pressed(app: TestApp) {
    let seller = citizen(&app, SELLER).await;
    let buyer = citizen(&app, BUYER).await;
    let id = open_and_submit(&app, &seller, "KDA 001A").await;
    let accepted = buyer_accepts(&app, &buyer, &id).await;
    assert_eq!(accepted["state"], "in_review", "{accepted}");
    let (s, b) = buyer.post(&format!("/api/v1/transfers/{id}/pay"), json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT, "a paid transfer has nothing to pay: {b}");

    // As if the gateway had failed at acceptance: the transfer waits for
    // payment and the request is marked failed.
    let db = app.registry.db();
    let back = |sql: &'static str| {
        let id = id.clone();
        async move { db.execute_write(sqlx::query(sql).bind(id)).await.unwrap() }
    };
    back("UPDATE reg_transfers SET state = 'awaiting_payment', queued_at = NULL, payment_ref = NULL WHERE id = $1")
        .await;
    back("UPDATE reg_payments SET state = 'failed', provider_ref = NULL, settled_at = NULL WHERE transfer_id = $1")
        .await;

    let mut tasks = vec![];
    for _ in 0..5 {
        let b = buyer.clone();
        let path = format!("/api/v1/transfers/{id}/pay");
        tasks.push(tokio::spawn(async move { b.post(&path, json!({})).await }));
    }
    let mut paid = 0;
    for t in tasks {
        let (s, b) = t.await.unwrap();
        match s {
            StatusCode::OK => {
                assert_eq!(b["state"], "in_review", "{b}");
                paid += 1;
            }
            StatusCode::CONFLICT => {}
            other => panic!("unexpected {other}: {b}"),
        }
    }
    assert_eq!(paid, 1, "exactly one of five presses reaches the gateway");

    // A request still waiting for the payer's answer holds off another until
    // two minutes have passed.
    back("UPDATE reg_transfers SET state = 'awaiting_payment', queued_at = NULL, payment_ref = NULL WHERE id = $1")
        .await;
    back("UPDATE reg_payments SET state = 'pending', settled_at = NULL WHERE transfer_id = $1").await;
    let (s, b) = buyer.post(&format!("/api/v1/transfers/{id}/pay"), json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    assert!(b["detail"].as_str().unwrap().contains("already waiting for your answer"), "{b}");
    app.clock.advance_ms(registry::transfers::PAYMENT_RETRY_AFTER_MS);
    let (s, b) = buyer.post(&format!("/api/v1/transfers/{id}/pay"), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["state"], "in_review", "{b}");
    let (n, state): (i64, String) =
        sqlx::query_as("SELECT COUNT(*), MAX(state) FROM reg_payments WHERE transfer_id = $1")
            .bind(&id)
            .fetch_one(app.registry.db().pool())
            .await
            .unwrap();
    assert_eq!((n, state.as_str()), (1, "settled"));
}
on_both!(the_fee_is_asked_for_once_however_many_times_pay_is_pressed, crate::common::with_api_client);

/// One refusal stops the transfer and the vehicle stays; a scan over 10 MB
/// and a path the API cannot read are refused as problem+json, naming what
/// was wrong, and leave nothing behind.
async fn a_refused_consent_stops_the_transfer_and_bad_requests_are_problems(app: TestApp) {
    let seller = citizen(&app, SELLER).await;
    let id = open(&seller, "KCB 123B").await;

    let mut big = PDF.to_vec();
    big.resize(10 * 1024 * 1024 + 64 * 1024 + 1, b' ');
    let r = seller.req(reqwest::Method::PUT, &format!("/api/v1/transfers/{id}/logbook-scan")).body(big).send().await;
    let r = r.unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], "body", "{p}");
    assert!(p["detail"].as_str().unwrap().contains("at most 10 MB"), "{p}");
    let (_, t) = seller.get(&format!("/api/v1/transfers/{id}")).await;
    assert!(t["logbook_scan"].is_null(), "nothing was stored: {t}");

    let r = seller.req(reqwest::Method::GET, "/api/v1/transfers/%FF").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["status"], 400, "{p}");

    let (s, b) = seller.put_bytes(&format!("/api/v1/transfers/{id}/logbook-scan"), PDF).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let code = seller.code(&app, SELLER.1, &id, "submit").await;
    let (s, b) = seller.post(&format!("/api/v1/transfers/{id}/submit"), json!({ "code": code })).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["state"], "awaiting_consents", "{b}");

    // The joint owner refuses with their code: the transfer ends there, the
    // seller is told, the bank is not asked again and the buyer never is.
    let resident = Api::sign_in(&app, "resident", RESIDENT.0, RESIDENT.1).await;
    let code = resident.code(&app, RESIDENT.1, &id, "consent").await;
    let (s, b) =
        resident.post(&format!("/api/v1/transfers/{id}/consent"), json!({"code": code, "approve": false})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["state"], "consent_refused", "{b}");
    app.wait_sms_containing(SELLER.1, "refused the transfer").await;
    let banker = citizen(&app, BANKER).await.acting_for(BANK_PIN);
    let (s, b) = banker.post(&format!("/api/v1/transfers/{id}/codes"), json!({"step": "consent"})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    let buyer = citizen(&app, BUYER).await;
    let (s, _) = buyer.get(&format!("/api/v1/transfers/{id}")).await;
    assert_eq!(s, StatusCode::OK, "the buyer named may see what became of it");
    let (_, v) = seller.get("/api/v1/vehicles/KCB%20123B").await;
    assert_eq!(v["transfer_pending"], false, "{v}");
    assert_eq!(v["owners"].as_array().unwrap().len(), 3, "{v}");
    // The vehicle is free for a new transfer.
    open(&seller, "KCB 123B").await;
}
on_both!(a_refused_consent_stops_the_transfer_and_bad_requests_are_problems, crate::common::with_api_client);

/// The scan is taken as the body itself or as a multipart form with one file
/// part named `logbook`; another content type, or another part, is refused
/// by name.
async fn the_scan_uploads_as_a_raw_body_or_a_multipart_form(app: TestApp) {
    let seller = citizen(&app, SELLER).await;
    let id = open(&seller, "KDA 001A").await;
    let path = format!("/api/v1/transfers/{id}/logbook-scan");
    let send = |body: reqwest::RequestBuilder| async move {
        let r = body.send().await.unwrap();
        let (status, ct) = (r.status(), r.headers()["content-type"].to_str().unwrap().to_string());
        (status, ct, r.json::<Value>().await.unwrap())
    };

    let form = reqwest::multipart::Form::new().part(
        "logbook",
        reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("scan.pdf").mime_str("application/pdf").unwrap(),
    );
    let (s, _, t) = send(seller.req(reqwest::Method::PUT, &path).multipart(form)).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(t["logbook_scan"], "application/pdf", "{t}");

    let png = [&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A][..], b"a scanned logbook"].concat();
    let (s, _, t) = send(seller.req(reqwest::Method::PUT, &path).header("content-type", "image/png").body(png)).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(t["logbook_scan"], "image/png", "{t}");

    let (s, ct, p) =
        send(seller.req(reqwest::Method::PUT, &path).header("content-type", "text/plain").body(PDF.to_vec())).await;
    assert_eq!((s, ct.as_str()), (StatusCode::UNSUPPORTED_MEDIA_TYPE, "application/problem+json"), "{p}");
    assert!(p["detail"].as_str().unwrap().contains("multipart/form-data"), "{p}");

    let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(PDF.to_vec()));
    let (s, _, p) = send(seller.req(reqwest::Method::PUT, &path).multipart(form)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(p["errors"][0]["field"], "file", "the stray part is named: {p}");
    let twice = reqwest::multipart::Form::new()
        .part("logbook", reqwest::multipart::Part::bytes(PDF.to_vec()))
        .part("logbook", reqwest::multipart::Part::bytes(PDF.to_vec()));
    let (s, _, p) = send(seller.req(reqwest::Method::PUT, &path).multipart(twice)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(p["errors"][0]["field"], "logbook", "{p}");

    let (_, t) = seller.get(&format!("/api/v1/transfers/{id}")).await;
    assert_eq!(t["logbook_scan"], "image/png", "the refused uploads changed nothing: {t}");
}
on_both!(the_scan_uploads_as_a_raw_body_or_a_multipart_form, crate::common::with_api_client);

/// The one refused field of a problem: its name and message.
fn refused(p: &Value) -> (String, String) {
    let e = &p["errors"][0];
    (e["field"].as_str().unwrap_or_default().to_string(), e["message"].as_str().unwrap_or_default().to_string())
}

/// A misspelt field is refused, naming it, rather than ignored; a value of
/// the wrong type is refused naming its field, not its value.
async fn unknown_fields_and_wrong_types_are_refused_naming_the_field(app: TestApp) {
    let seller = citizen(&app, SELLER).await;
    let good = json!({"registration_number": "KDA 001A", "buyer_type": "individual", "buyer_id_number": BUYER.0});

    let mut misspelt = good.clone();
    misspelt["buyer_id_numbr"] = json!("34567890");
    let (s, p) = seller.post("/api/v1/transfers", misspelt).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    let (field, message) = refused(&p);
    assert_eq!(field, "buyer_id_numbr", "{p}");
    assert!(message.starts_with("Unknown field") && message.contains("buyer_id_number"), "{message}");

    let mut wrong_type = good.clone();
    wrong_type["registration_number"] = json!(123);
    let (s, p) = seller.post("/api/v1/transfers", wrong_type).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(refused(&p), ("registration_number".into(), "Expected a string, got integer `123`".into()));

    let mut org_with_id_type = good.clone();
    org_with_id_type["buyer_type"] = json!("company");
    org_with_id_type["buyer_id_number"] = json!(DEALER_PIN);
    org_with_id_type["buyer_id_type"] = json!("citizen");
    let (s, p) = seller.post("/api/v1/transfers", org_with_id_type).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(refused(&p).0, "buyer_id_type", "{p}");

    let (s, p) = seller.acting_for("not a pin").get("/api/v1/me").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(refused(&p).0, "X-Act-For", "{p}");

    let (s, t) = seller.get("/api/v1/transfers").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(t["transfers"], json!([]), "nothing refused was opened");

    let id = open(&seller, "KDA 001A").await;
    let (s, p) = seller.post(&format!("/api/v1/transfers/{id}/codes"), json!({"step": ["submit"]})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(refused(&p).0, "step", "{p}");
    let (s, p) = seller.post(&format!("/api/v1/transfers/{id}/cancel"), json!({"reason": "changed my mind"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(refused(&p).0, "reason", "cancel takes no fields: {p}");
    let (s, p) =
        seller.post(&format!("/api/v1/transfers/{id}/consent"), json!({"code": "123456", "approve": "yes"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(refused(&p), ("approve".into(), "Expected a boolean, got string \"yes\"".into()));
}
on_both!(unknown_fields_and_wrong_types_are_refused_naming_the_field, crate::common::with_api_client);

/// Members of an organisation that owns a vehicle see its whole record,
/// whether or not they act for the organisation just then; others see the
/// limited view. "My vehicles" lists the person's own and, when they act
/// for an organisation, its vehicles too, saying who holds each.
async fn organisation_members_see_its_vehicles_and_my_vehicles_adds_them(app: TestApp) {
    let admin = citizen(&app, SELLER).await; // an admin of Kamau Motors, which holds KDD 100D
    let (s, v) = admin.get("/api/v1/vehicles/KDD%20100D").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["view"], "full", "{v}");
    assert_eq!(v["owners"][0]["name"], "Kamau Motors Limited", "{v}");
    let (_, v) = citizen(&app, BUYER).await.get("/api/v1/vehicles/KDD%20100D").await;
    assert_eq!(v["view"], "limited", "{v}");

    let held = |v: &Value| -> Vec<(String, String)> {
        v["vehicles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| (x["registration_number"].as_str().unwrap().into(), x["held_by"].as_str().unwrap().into()))
            .collect()
    };
    let (_, own) = admin.get("/api/v1/vehicles").await;
    let own = held(&own);
    assert!(own.contains(&("KDA 001A".into(), "you".into())), "{own:?}");
    assert!(own.iter().all(|(r, _)| !r.starts_with("KDD")), "{own:?}");
    let (_, both) = admin.acting_for(DEALER_PIN).get("/api/v1/vehicles").await;
    let both = held(&both);
    assert!(both.contains(&("KDA 001A".into(), "you".into())), "{both:?}");
    assert!(both.contains(&("KDD 100D".into(), "Kamau Motors Limited".into())), "{both:?}");
    let mut sorted = both.clone();
    sorted.sort();
    assert_eq!(both, sorted, "listed by registration number");
}
on_both!(organisation_members_see_its_vehicles_and_my_vehicles_adds_them, crate::common::with_api_client);

/// Walk a list at `path` a page of `limit` at a time; the pages' items,
/// under `key`, and each page's size.
async fn walk(api: &Api, path: &str, key: &str, limit: usize) -> (Vec<Value>, Vec<usize>) {
    let (mut all, mut sizes) = (vec![], vec![]);
    let mut url = format!("{path}?limit={limit}");
    loop {
        let (s, page) = api.get(&url).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        let items = page[key].as_array().unwrap().clone();
        sizes.push(items.len());
        all.extend(items);
        match page["next"].as_str() {
            Some(next) => {
                url = format!(
                    "{path}?limit={limit}&after={}",
                    url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
                );
            }
            None => return (all, sizes),
        }
        assert!(sizes.len() < 50, "the pages never end");
    }
}

/// Make Kamau Motors an owner of `reg_no` too.
async fn held_by_the_dealer_too(app: &TestApp, reg_no: &str) {
    let r = sqlx::query(
        "INSERT INTO reg_vehicle_owners (vehicle_id, party_id, role, since) \
         SELECT v.id, p.id, 'owner', 0 FROM reg_vehicles v, reg_parties p WHERE v.reg_no = $1 AND p.doc_number = $2",
    )
    .bind(reg_no)
    .bind(DEALER_PIN)
    .execute(app.registry.db().pool())
    .await
    .unwrap();
    assert_eq!(r.rows_affected(), 1);
}

/// A dealer's lists come a page at a time: the pages together hold the
/// whole list once, in order; a bad limit or cursor is refused naming the
/// field.
async fn long_lists_come_a_page_at_a_time(app: TestApp) {
    let dealer = citizen(&app, SELLER).await.acting_for(DEALER_PIN);
    // One vehicle held by the person and by the organisation: listed once.
    held_by_the_dealer_too(&app, "KDA 001A").await;
    let (s, whole) = dealer.get("/api/v1/vehicles?limit=200").await;
    assert_eq!(s, StatusCode::OK, "{whole}");
    assert_eq!(whole["next"], Value::Null, "{whole}");
    let whole = whole["vehicles"].as_array().unwrap().clone();
    assert!(whole.len() > 5, "{whole:?}");
    let regs: Vec<&str> = whole.iter().map(|v| v["registration_number"].as_str().unwrap()).collect();
    let mut once = regs.clone();
    once.sort_unstable();
    once.dedup();
    assert_eq!(once, regs, "sorted, each once: {regs:?}");
    let kda = whole.iter().find(|v| v["registration_number"] == "KDA 001A").unwrap();
    assert_eq!(kda["held_by"], "you", "a vehicle held by both is listed as the person's");
    for limit in [1, 2, 3] {
        let (paged, sizes) = walk(&dealer, "/api/v1/vehicles", "vehicles", limit).await;
        assert_eq!(paged, whole, "the pages hold the whole list, once, in order (limit {limit})");
        assert!(sizes.iter().all(|n| *n <= limit), "{sizes:?}");
        assert_eq!(sizes.len(), whole.len().div_ceil(limit), "{sizes:?}");
    }
    let (s, b) = dealer.get("/api/v1/vehicles").await;
    assert_eq!((s, b["vehicles"].as_array().unwrap().len()), (StatusCode::OK, whole.len()), "default limit 50");

    // Transfers, newest first; three opened in the same millisecond and
    // one later, so the cursor must tell ties apart.
    for reg_no in ["KDD 100D", "KDD 200D", "KDD 300D"] {
        open(&dealer, reg_no).await;
    }
    app.advance(1_000);
    let newest = open(&dealer, "KDD 400D").await;
    let (transfers, sizes) = walk(&dealer, "/api/v1/transfers", "transfers", 3).await;
    assert_eq!(sizes, vec![3, 1]);
    assert_eq!(transfers[0]["id"], newest.as_str());
    let mut ids: Vec<&str> = transfers.iter().map(|t| t["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 4, "{transfers:?}");

    for (path, field) in [
        ("/api/v1/vehicles?limit=0", "limit"),
        ("/api/v1/transfers?limit=201", "limit"),
        ("/api/v1/review-queue?limit=ten", "limit"),
        ("/api/v1/vehicles?after=%21%21", "after"),
    ] {
        let (s, p) = dealer.get(path).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {p}");
        assert!(p["errors"].as_array().unwrap().iter().any(|e| e["field"] == field), "{path}: {p}");
    }
    // The officers' queue, oldest first.
    let buyer = citizen(&app, BUYER).await;
    let first = open_and_submit(&app, &dealer, "KDD 500D").await;
    buyer_accepts(&app, &buyer, &first).await;
    app.advance(1_000);
    let second = open_and_submit(&app, &dealer, "KDD 600D").await;
    buyer_accepts(&app, &buyer, &second).await;
    let (queue, sizes) = walk(&citizen(&app, OFFICER).await, "/api/v1/review-queue", "transfers", 1).await;
    assert_eq!(sizes, vec![1, 1]);
    assert_eq!((queue[0]["id"].as_str(), queue[1]["id"].as_str()), (Some(first.as_str()), Some(second.as_str())));

    // A cursor of one list is no use in another.
    let (_, first) = dealer.get("/api/v1/vehicles?limit=1").await;
    let cursor = url::form_urlencoded::byte_serialize(first["next"].as_str().unwrap().as_bytes()).collect::<String>();
    let (s, p) = dealer.get(&format!("/api/v1/transfers?after={cursor}")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
}
on_both!(long_lists_come_a_page_at_a_time, crate::common::with_api_client);

/// Make a person an officer, as `tims staff grant` does. Before they first
/// call the API: the registry keeps who a caller is for a few seconds.
async fn make_officer(app: &TestApp, account_type: domain::AccountType, id_number: &str) {
    let (db, now) = (app.registry.db(), app.clock_now());
    registry::parties::grant_staff(db, now, account_type, id_number, registry::parties::StaffRole::Officer, "test")
        .await
        .unwrap();
}

/// Sign in at the sign-on, then at the registry's pages.
async fn registry_browser(app: &TestApp, account_type: &str, who: (&str, &str)) -> common::Browser {
    let mut b = app.signed_in_as(account_type, who.0, who.1).await;
    let home = b.follow("/signin").await;
    assert!(home.body.contains("Signed in as"), "{}", home.body);
    b
}

const OWN_REVIEW: &str = "You are a party to this transfer, so another officer must review it";
const OWN_LOGBOOK: &str = "You are a party to this transfer, so another officer must update its logbook";

/// Staff may not act on a case they are a party to: an officer who is the
/// seller, the buyer, a joint owner whose consent was needed, or a member of
/// the buying organisation (whomever they act for) is refused the review,
/// on the API and on the pages, which offer them no buttons and say why;
/// the queue marks the transfer for them. An officer with no part in it
/// reviews it and moves its logbook on; the seller-officer may not.
async fn an_officer_may_not_act_on_a_transfer_they_are_a_party_to(app: TestApp) {
    use domain::AccountType::{Citizen, Resident};
    make_officer(&app, Citizen, SELLER.0).await;
    make_officer(&app, Citizen, BUYER.0).await;
    make_officer(&app, Resident, RESIDENT.0).await;
    let seller = citizen(&app, SELLER).await;
    let buyer = citizen(&app, BUYER).await;
    let resident = Api::sign_in(&app, "resident", RESIDENT.0, RESIDENT.1).await;
    let banker = citizen(&app, BANKER).await.acting_for(BANK_PIN);

    // KCB 123B: the seller's, jointly with the resident, financed by the bank.
    let id = open_and_submit(&app, &seller, "KCB 123B").await;
    for (who, phone) in [(&resident, RESIDENT.1), (&banker, BANKER.1)] {
        let code = who.code(&app, phone, &id, "consent").await;
        let (s, b) = who.post(&format!("/api/v1/transfers/{id}/consent"), json!({"code": code, "approve": true})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
    }
    assert_eq!(buyer_accepts(&app, &buyer, &id).await["state"], "in_review");

    // Seller, buyer and joint owner, each an officer: refused on the API.
    let review = format!("/api/v1/transfers/{id}/review");
    for (who, api) in [("seller", &seller), ("buyer", &buyer), ("joint owner", &resident)] {
        let (s, p) = api.post(&review, json!({"decision": "approve"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{who}: {p}");
        assert_eq!(p["detail"], OWN_REVIEW, "{who}: {p}");
        let (s, t) = api.get(&format!("/api/v1/transfers/{id}")).await;
        assert_eq!(s, StatusCode::OK, "{who}: {t}");
        assert_eq!(t["state"], "in_review", "{who}: {t}");
        assert_eq!(t["conflict_of_interest"], OWN_REVIEW, "{who}: {t}");
        assert!(!t["your_roles"].as_array().unwrap().iter().any(|r| r == "officer"), "{who}: {t}");
        // The queue shows it to them, saying why it is another's.
        let (_, q) = api.get("/api/v1/review-queue").await;
        let item = q["transfers"].as_array().unwrap().iter().find(|t| t["id"] == id.as_str()).cloned().unwrap();
        assert_eq!(item["conflict_of_interest"], OWN_REVIEW, "{who}: {item}");
    }
    // The buyer-officer sees the transfer as its buyer: not the seller's scan.
    let scan = format!("/api/v1/transfers/{id}/logbook-scan");
    let r = buyer.req(reqwest::Method::GET, &scan).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["detail"], "You are a party to this transfer, so another officer must check its scanned logbook");

    // And on the pages: no review button, the reason instead,
    // and a form posted anyway refused with it.
    let people = [("seller", "citizen", SELLER), ("buyer", "citizen", BUYER), ("joint owner", "resident", RESIDENT)];
    for (who, account_type, person) in people {
        let mut b = registry_browser(&app, account_type, person).await;
        let page = b.get(&format!("/transfers/{id}")).await;
        assert!(page.body.contains(OWN_REVIEW), "{who}: {}", page.body);
        assert!(!page.body.contains("Review the transfer"), "{who}: {}", page.body);
        let queue = b.get("/review").await;
        assert!(queue.body.contains(OWN_REVIEW), "{who}: {}", queue.body);
        let r = b.post_reg(&format!("/transfers/{id}/review/approve"), &[]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}: {}", r.body);
        assert!(r.body.contains(OWN_REVIEW), "{who}: {}", r.body);
    }

    // An officer with no part in it sees the buttons, and approves.
    let officer = citizen(&app, OFFICER).await;
    let (_, q) = officer.get("/api/v1/review-queue").await;
    let item = q["transfers"].as_array().unwrap().iter().find(|t| t["id"] == id.as_str()).cloned().unwrap();
    assert!(item.get("conflict_of_interest").is_none(), "{item}");
    let mut officer_pages = registry_browser(&app, "citizen", OFFICER).await;
    let page = officer_pages.get(&format!("/transfers/{id}")).await;
    assert!(page.body.contains("Review the transfer") && !page.body.contains(OWN_REVIEW), "{}", page.body);
    let (s, t) = officer.post(&review, json!({"decision": "approve"})).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(t["state"], "approved");
    assert!(t["conflict_of_interest"].is_null(), "{t}");

    // The logbook: the seller-officer may not move it on; the other may.
    let logbook = format!("/api/v1/transfers/{id}/logbook");
    let (s, p) = seller.post(&logbook, json!({"state": "ready_for_collection"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{p}");
    assert_eq!(p["detail"], OWN_LOGBOOK, "{p}");
    let mut seller_pages = registry_browser(&app, "citizen", SELLER).await;
    let r = seller_pages.post_reg(&format!("/transfers/{id}/logbook-next"), &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains(OWN_LOGBOOK), "{}", r.body);
    let (s, t) = officer.post(&logbook, json!({"state": "ready_for_collection"})).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(t["logbook"]["state"], "ready_for_collection");

    // KDA 001A to Savannah Logistics, which the buyer-officer admins: he is
    // refused whether he acts for it or for himself.
    let (s, t) = seller
        .post(
            "/api/v1/transfers",
            json!({"registration_number": "KDA 001A", "buyer_type": "company", "buyer_id_number": LOGISTICS_PIN}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let id = t["id"].as_str().unwrap().to_string();
    let (s, b) = seller.put_bytes(&format!("/api/v1/transfers/{id}/logbook-scan"), PDF).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let code = seller.code(&app, SELLER.1, &id, "submit").await;
    let (s, b) = seller.post(&format!("/api/v1/transfers/{id}/submit"), json!({ "code": code })).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let for_the_company = buyer.acting_for(LOGISTICS_PIN);
    assert_eq!(buyer_accepts(&app, &for_the_company, &id).await["state"], "in_review");
    let review = format!("/api/v1/transfers/{id}/review");
    for (how, api) in [("for himself", &buyer), ("for the company", &for_the_company)] {
        let (s, p) = api.post(&review, json!({"decision": "reject", "reason": "Not mine to judge"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{how}: {p}");
        assert_eq!(p["detail"], OWN_REVIEW, "{how}: {p}");
    }
    let mut buyer_pages = registry_browser(&app, "citizen", BUYER).await;
    let page = buyer_pages.get(&format!("/transfers/{id}")).await;
    assert!(page.body.contains(OWN_REVIEW) && !page.body.contains("Review the transfer"), "{}", page.body);
    let r = buyer_pages
        .post_reg(
            &format!("/transfers/{id}/review/reject"),
            &[("reason_code", "another_reason"), ("reason", "Not mine to judge")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains(OWN_REVIEW), "{}", r.body);
    let (_, t) = officer.get(&format!("/api/v1/transfers/{id}")).await;
    assert_eq!(t["state"], "in_review", "nothing changed: {t}");
}
on_both!(an_officer_may_not_act_on_a_transfer_they_are_a_party_to, crate::common::with_api_client);

/// Every API answer tells caches not to keep it: a transfer record, the
/// scanned logbook, and a refusal alike.
async fn api_answers_tell_caches_not_to_keep_them(app: TestApp) {
    let seller = citizen(&app, SELLER).await;
    let id = open(&seller, "KDA 001A").await;
    let (s, b) = seller.put_bytes(&format!("/api/v1/transfers/{id}/logbook-scan"), PDF).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    for path in [format!("/api/v1/transfers/{id}"), format!("/api/v1/transfers/{id}/logbook-scan")] {
        let r = seller.req(reqwest::Method::GET, &path).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert_eq!(r.headers()["cache-control"], "no-store", "{path}");
    }
    let r = reqwest::get(format!("{}/api/v1/transfers/{id}", app.base)).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(r.headers()["cache-control"], "no-store", "a refusal too");
}
on_both!(api_answers_tell_caches_not_to_keep_them, crate::common::with_api_client);

/// The files in the upload store, in order.
async fn stored_files(app: &TestApp) -> Vec<String> {
    let mut files = app.registry.adapters().store.list("").await.unwrap();
    files.sort();
    files
}

async fn upload_rows(app: &TestApp) -> Vec<(String, String)> {
    sqlx::query_as("SELECT key, state FROM reg_uploads ORDER BY key").fetch_all(app.registry.db().pool()).await.unwrap()
}

async fn scan_key(app: &TestApp, id: &str) -> String {
    sqlx::query_scalar("SELECT logbook_key FROM reg_transfers WHERE id = $1")
        .bind(id)
        .fetch_one(app.registry.db().pool())
        .await
        .unwrap()
}

async fn a_replaced_scan_is_deleted_and_every_stored_file_has_a_row(app: TestApp) {
    let seller = citizen(&app, SELLER).await;
    let id = open(&seller, "KDA 001A").await;
    for _ in 0..3 {
        let (s, b) = seller.put_bytes(&format!("/api/v1/transfers/{id}/logbook-scan"), PDF).await;
        assert_eq!(s, StatusCode::OK, "{b}");
    }
    let key = scan_key(&app, &id).await;
    assert_eq!(stored_files(&app).await, std::slice::from_ref(&key), "only the last scan is kept");
    assert_eq!(upload_rows(&app).await, [(key.clone(), "live".to_string())]);

    // What an interrupted upload leaves: a row whose transaction never
    // came (its file written), and half a file from a crash mid-write.
    let store = &app.registry.adapters().store;
    registry::uploads::begin(&app.registry, &id, "logbooks/cut-off").await.unwrap();
    store.put("logbooks/cut-off", PDF).await.unwrap();
    let part = app.config.data.join("uploads/logbooks/crashed.part");
    std::fs::write(&part, b"%PDF-half").unwrap();
    let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(2 * 3600);
    std::fs::File::options().write(true).open(&part).unwrap().set_modified(two_hours_ago).unwrap();
    assert_eq!(registry::uploads::sweep(&app.registry).await.unwrap(), 1, "the half file goes at once");
    app.advance(2 * 3600 * 1000);
    assert_eq!(registry::uploads::sweep(&app.registry).await.unwrap(), 1, "the unfinished upload after an hour");
    assert_eq!(stored_files(&app).await, std::slice::from_ref(&key));
    assert_eq!(upload_rows(&app).await, [(key, "live".to_string())]);
}
on_both!(a_replaced_scan_is_deleted_and_every_stored_file_has_a_row, crate::common::with_api_client);

/// A scan the store cannot give is a refusal that says why, never a server
/// error, and the transfer cannot be approved until it opens.
async fn a_scan_that_cannot_be_read_is_a_clear_refusal_and_blocks_approval(app: TestApp) {
    let seller = citizen(&app, SELLER).await;
    let buyer = citizen(&app, BUYER).await;
    let id = open_and_submit(&app, &seller, "KDA 001A").await;
    buyer_accepts(&app, &buyer, &id).await;
    let key = scan_key(&app, &id).await;
    app.registry.adapters().store.delete(&key).await.unwrap();
    let officer = citizen(&app, OFFICER).await;
    let (s, b) = officer.get(&format!("/api/v1/transfers/{id}/logbook-scan")).await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    assert!(b["detail"].as_str().unwrap_or_default().contains("missing from the file store"), "{b}");
    let (s, b) = officer.post(&format!("/api/v1/transfers/{id}/review"), json!({"decision": "approve"})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    assert!(b["detail"].as_str().unwrap_or_default().contains("cannot be approved until its scan"), "{b}");
    let (_, t) = officer.get(&format!("/api/v1/transfers/{id}")).await;
    assert_eq!(t["state"], "in_review", "nothing changed");
    // Put back, it opens and the transfer is approved.
    app.registry.adapters().store.put(&key, PDF).await.unwrap();
    let (s, b) = officer.post(&format!("/api/v1/transfers/{id}/review"), json!({"decision": "approve"})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
}
on_both!(a_scan_that_cannot_be_read_is_a_clear_refusal_and_blocks_approval, crate::common::with_api_client);

/// Two nodes on one PostgreSQL database, each with a data folder of its
/// own: a scan uploaded through one is read and approved through the other,
/// because both keep uploads in the S3-compatible store.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_share_uploads_through_object_storage() {
    let Some(s3) = common::S3Server::start().await else { return };
    let Some(a) = TestApp::spawn_with(common::Backend::Postgres, |c| {
        common::with_api_client(c);
        s3.configure(c);
    })
    .await
    else {
        return;
    };
    let b = a.another_node(|_| {}).await;
    let seller_a = citizen(&a, SELLER).await;
    let id = open_and_submit(&a, &seller_a, "KDA 001A").await;
    let buyer_a = citizen(&a, BUYER).await;
    buyer_accepts(&a, &buyer_a, &id).await;
    // The same people, through the other node.
    let seller_b = Api { base: b.base.clone(), ..seller_a.clone() };
    let officer_b = Api { base: b.base.clone(), ..citizen(&a, OFFICER).await };
    for who in [&seller_b, &officer_b] {
        let scan = who.req(reqwest::Method::GET, &format!("/api/v1/transfers/{id}/logbook-scan")).send().await.unwrap();
        assert_eq!(scan.status(), StatusCode::OK);
        assert_eq!(scan.bytes().await.unwrap().as_ref(), PDF);
    }
    let (s, done) = officer_b.post(&format!("/api/v1/transfers/{id}/review"), json!({"decision": "approve"})).await;
    assert_eq!(s, StatusCode::OK, "{done}");
    // The bucket holds the scan and nothing else; neither folder holds any.
    assert_eq!(stored_files(&b).await, [scan_key(&b, &id).await]);
    for node in [&a, &b] {
        assert!(!node.config.data.join("uploads").exists(), "nothing on a node's disk");
    }
}

/// The outbox workers (the sign-on's and the registry's) look for due
/// messages every second. On a SQLite file a pass that finds none commits
/// nothing, so an idle server makes no flush
/// to disk; a pass that sends does commit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_outbox_pass_commits_nothing() {
    let Some(app) = TestApp::spawn(common::Backend::Sqlite).await else { return };
    let db = app.registry.db();
    while registry::outbox::deliver_due(&app.registry).await.unwrap() > 0 {}
    while sso::outbox::deliver_due(&app.app_sso).await.unwrap() > 0 {}
    // The server's workers do their start-up chores (the sign-on's hourly
    // purge among them, which commits) at a moment of their own: a window
    // they write in is measured again. Each window outlasts the workers'
    // one-second tick, so a worker that committed at every tick would fail
    // them all.
    let passes = || async {
        assert_eq!(registry::outbox::deliver_due(&app.registry).await.unwrap(), 0);
        assert_eq!(sso::outbox::deliver_due(&app.app_sso).await.unwrap(), 0);
        assert_eq!(registry::signin::revocation::revoke_due(&app.registry).await.unwrap(), 0);
        assert_eq!(registry::signin::forget_stale_sessions(&app.registry).await.unwrap(), 0);
        assert_eq!(registry::signin::purge_old_sessions(&app.registry).await.unwrap(), 0);
    };
    let mut idle = false;
    for _ in 0..3 {
        let before = db.commits();
        passes().await;
        tokio::time::sleep(std::time::Duration::from_millis(1_300)).await;
        passes().await;
        if db.commits() == before {
            idle = true;
            break;
        }
    }
    assert!(idle, "outbox passes with nothing due committed, again and again");
    let before = db.commits();
    let mut tx = db.begin_write().await.unwrap();
    registry::outbox::enqueue(
        &mut tx,
        "+254700000001",
        "tims: a test message",
        false,
        &Default::default(),
        app.clock_now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    // This pass or the server's own worker sends it; either way the row is
    // marked sent.
    loop {
        registry::outbox::deliver_due(&app.registry).await.unwrap();
        let sent: Option<i64> = sqlx::query_scalar("SELECT sent_at FROM reg_outbox WHERE to_phone = '+254700000001'")
            .fetch_one(db.pool())
            .await
            .unwrap();
        if sent.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(db.commits() >= before + 3, "the message's enqueue, lease and sent mark commit");
    assert_eq!(app.sms_to("+254700000001"), ["tims: a test message"]);
}

/// The registry's periodic jobs, as the server's scheduler runs them, and
/// whether each runs every minute (the others every hour).
const JOBS: [(&str, bool); 7] = [
    ("transfer_expiry", true),
    ("idempotency_purge", true),
    ("stale_session_tokens", true),
    ("session_purge", true),
    ("upload_sweep", true),
    ("payment_reconcile", true),
    ("history_purge", false),
];

/// Each job's runs, by name.
async fn job_runs(app: &TestApp) -> Vec<(String, i64)> {
    sqlx::query_as("SELECT name, runs FROM reg_jobs ORDER BY name").fetch_all(app.registry.db().pool()).await.unwrap()
}

/// The periodic jobs run from the start, each once per interval whichever
/// node looks: a second scheduler on the same database (another node)
/// finds nothing due until the interval is over, and then each job runs
/// once more, on one node or the other. Their runs are counted in /metrics.
async fn the_periodic_jobs_run_once_per_interval_across_nodes(app: TestApp) {
    let mut waited = 0;
    while job_runs(&app).await.len() < JOBS.len() || job_runs(&app).await.iter().any(|(_, n)| *n < 1) {
        assert!(waited < 200, "the jobs did not all run at start: {:?}", job_runs(&app).await);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        waited += 1;
    }
    let metrics = reqwest::get(format!("{}/metrics", app.base)).await.unwrap().text().await.unwrap();
    for (job, _) in JOBS {
        assert!(metrics.contains(&format!("tims_job_runs_total{{job=\"{job}\"}}")), "{job}: {metrics}");
    }
    let other_node = registry::jobs::scheduler();
    assert!(other_node.run_due(&app.registry).await.unwrap().is_empty(), "nothing is due again yet");
    app.advance(60_000);
    // This node's scheduler may get there first; either way, once each.
    other_node.run_due(&app.registry).await.unwrap();
    // A minute on, each minute's job once more; the hourly ones not yet.
    let mut expected: Vec<(String, i64)> =
        JOBS.iter().map(|(j, minute)| (j.to_string(), 1 + i64::from(*minute))).collect();
    expected.sort();
    assert_eq!(job_runs(&app).await, expected);
}
on_both!(the_periodic_jobs_run_once_per_interval_across_nodes);
