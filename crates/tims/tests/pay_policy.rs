//! Who pays and when, as the fee schedule's policy says: the buyer on
//! accepting or the seller on submitting, each end to end over the API; the
//! platform fee's tiers on the invoice; and what becomes of a paid fee when
//! the transfer then ends without a change of owner.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Api, TestApp};
use domain::fees::{EndRule, OnEnd, PaymentPolicy, PlatformTier};
use domain::{Date, FeeSchedule};
use reqwest::StatusCode;
use serde_json::{Value, json};

const SELLER: (&str, &str) = ("12345678", "+254712345678");
const BUYER: (&str, &str) = ("23456789", "+254723456789");
const OFFICER: (&str, &str) = ("34567890", "+254734567890");

async fn citizen(app: &TestApp, who: (&str, &str)) -> Api {
    Api::sign_in(app, "citizen", who.0, who.1).await
}

/// Put a schedule with `policy` in force (the seed's fees, a later edition).
async fn in_force(app: &TestApp, policy: PaymentPolicy) {
    let mut s = FeeSchedule::kenya_2018();
    s.version = "KE-POLICY".into();
    s.effective_from = Date::new(2019, 1, 1).unwrap();
    s.policy = policy;
    registry::store_fee_schedule(app.registry.db(), &s, app.clock_now()).await.unwrap();
    app.registry.reload_rules().await.unwrap();
}

fn seller_pays() -> PaymentPolicy {
    PaymentPolicy::agency_online()
}

/// Open a transfer of KDA 001A to the buyer and submit it; its id and view.
async fn open_and_submit(app: &TestApp, seller: &Api) -> (String, Value) {
    let (id, _) = seller.open_transfer("KDA 001A", BUYER.0).await;
    let (s, b) = seller.put_bytes(&format!("/api/v1/transfers/{id}/logbook-scan"), b"%PDF-1.4\n% scan\n").await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let code = seller.code(app, SELLER.1, &id, "submit").await;
    let (s, b) = seller.post(&format!("/api/v1/transfers/{id}/submit"), json!({ "code": code })).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    (id, b)
}

async fn accept(app: &TestApp, buyer: &Api, id: &str) -> Value {
    let code = buyer.code(app, BUYER.1, id, "answer").await;
    let body = json!({"code": code, "postal_address": "P.O. Box 100-00100 Nairobi", "collection_office": "Mombasa"});
    let (s, b) = buyer.post(&format!("/api/v1/transfers/{id}/accept"), body).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b
}

async fn payment_row(app: &TestApp, id: &str) -> (String, i64, String) {
    sqlx::query_as("SELECT state, amount_cents, payer_id FROM reg_payments WHERE transfer_id = $1")
        .bind(id)
        .fetch_one(app.registry.db().pool())
        .await
        .unwrap()
}

async fn the_seller_pays_on_submitting_before_the_buyer_is_asked(app: TestApp) {
    in_force(&app, seller_pays()).await;
    let seller = citizen(&app, SELLER).await;
    let buyer = citizen(&app, BUYER).await;
    let (id, t) = open_and_submit(&app, &seller).await;
    assert_eq!(t["state"], "awaiting_seller_payment", "{t}");
    let fee = t["fee"]["amount_cents"].as_i64().unwrap();
    assert!(fee >= 100_000, "{t}");
    assert_eq!(t["fee"]["platform_fee_cents"], 5_000, "KES 50 on a fee of KES 1,000 or more");
    assert_eq!(t["fee"]["total_cents"], fee + 5_000);
    assert_eq!(t["fee"]["payer"], "seller_at_submission");
    // The seller's list of what waits for them says to pay.
    let (_, a) = seller.get("/api/v1/me/actions").await;
    let mine = a["actions"].as_array().unwrap().iter().find(|x| x["id"] == id.as_str()).cloned();
    assert_eq!(mine.as_ref().map(|x| x["action"].clone()), Some(json!("pay")), "{a}");
    assert_eq!(mine.map(|x| x["fee_cents"].clone()), Some(json!(fee + 5_000)), "what the seller is asked for: {a}");
    let asked = |app: &TestApp| app.sms_to(BUYER.1).iter().any(|m| m.contains("being transferred to you"));
    assert!(!asked(&app), "the buyer is not asked before the fee is paid");
    // The invoice has both lines; only the seller pays.
    let (_, p) = seller.get(&format!("/api/v1/transfers/{id}/payment")).await;
    assert_eq!((p["fee_cents"].as_i64(), p["platform_fee_cents"].as_i64()), (Some(fee), Some(5_000)), "{p}");
    assert_eq!(p["amount_cents"], fee + 5_000);
    assert_eq!(p["can_pay"], true);
    let (s, b) = buyer.post(&format!("/api/v1/transfers/{id}/pay"), json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    // The pay page shows both lines, and the buyer's page says they pay nothing.
    let mut pages = app.signed_in_as("citizen", SELLER.0, SELLER.1).await;
    assert!(pages.follow("/signin").await.body.contains("Signed in as"));
    let pay = pages.get(&format!("/transfers/{id}/pay")).await;
    for line in ["Transfer fee", "Platform fee", "KES 50", "the buyer and anyone else on the logbook are asked"] {
        assert!(pay.body.contains(line), "{line}: {}", pay.body);
    }
    let (s, b) = seller.post(&format!("/api/v1/transfers/{id}/pay"), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["state"], "awaiting_buyer", "{b}");
    let seller_party: String = sqlx::query_scalar("SELECT seller_id FROM reg_transfers WHERE id = $1")
        .bind(&id)
        .fetch_one(app.registry.db().pool())
        .await
        .unwrap();
    assert_eq!(payment_row(&app, &id).await, ("settled".into(), fee + 5_000, seller_party));
    app.wait_sms_containing(SELLER.1, "received").await;
    app.wait_sms_containing(BUYER.1, "being transferred to you").await;
    let receipt = pages.get(&format!("/transfers/{id}/receipt")).await;
    assert!(receipt.body.contains("Platform fee") && receipt.body.contains("KES 50"), "{}", receipt.body);
    // The buyer is asked now, and pays nothing: accepting sends it to review.
    let (_, v) = buyer.get(&format!("/api/v1/transfers/{id}")).await;
    assert_eq!(v["fee"]["buyer_pays"], false, "{v}");
    let t = accept(&app, &buyer, &id).await;
    assert_eq!(t["state"], "in_review", "{t}");
    app.wait_sms_containing(SELLER.1, "It now goes to the agency for review").await;
    let officer = citizen(&app, OFFICER).await;
    let (s, b) = officer.post(&format!("/api/v1/transfers/{id}/review"), json!({"decision": "approve"})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["state"], "approved");
}
on_both!(the_seller_pays_on_submitting_before_the_buyer_is_asked, crate::common::with_api_client);

async fn the_buyer_pays_on_accepting_with_the_platform_fee_on_the_invoice(app: TestApp) {
    let tiers =
        vec![PlatformTier { min_cents: 100_000, fee_cents: 5_000 }, PlatformTier { min_cents: 0, fee_cents: 1_000 }];
    in_force(&app, PaymentPolicy { platform_fee: tiers, ..PaymentPolicy::default() }).await;
    let seller = citizen(&app, SELLER).await;
    let buyer = citizen(&app, BUYER).await;
    let (id, t) = open_and_submit(&app, &seller).await;
    assert_eq!(t["state"], "awaiting_buyer", "{t}");
    assert_eq!(t["fee"]["payer"], "buyer_at_acceptance");
    let fee = t["fee"]["amount_cents"].as_i64().unwrap();
    let t = accept(&app, &buyer, &id).await;
    assert_eq!(t["state"], "in_review", "the development payer settles at once: {t}");
    let buyer_party: String = sqlx::query_scalar("SELECT buyer_id FROM reg_transfers WHERE id = $1")
        .bind(&id)
        .fetch_one(app.registry.db().pool())
        .await
        .unwrap();
    assert_eq!(payment_row(&app, &id).await, ("settled".into(), fee + 5_000, buyer_party));
    // A schedule with no policy (the seed's) charges the fee alone, as before.
    let (_, p) = buyer.get(&format!("/api/v1/transfers/{id}/payment")).await;
    assert_eq!(p["amount_cents"], fee + 5_000, "{p}");
}
on_both!(the_buyer_pays_on_accepting_with_the_platform_fee_on_the_invoice, crate::common::with_api_client);

async fn without_a_policy_the_buyer_pays_the_fee_alone(app: TestApp) {
    let seller = citizen(&app, SELLER).await;
    let buyer = citizen(&app, BUYER).await;
    let (id, t) = open_and_submit(&app, &seller).await;
    assert_eq!((t["fee"]["platform_fee_cents"].as_i64(), t["state"].as_str()), (Some(0), Some("awaiting_buyer")));
    let fee = t["fee"]["amount_cents"].as_i64().unwrap();
    accept(&app, &buyer, &id).await;
    assert_eq!(payment_row(&app, &id).await.1, fee);
}
on_both!(without_a_policy_the_buyer_pays_the_fee_alone, crate::common::with_api_client);

/// Put a seller-pays schedule in force whose rule on every ending is `rule`.
async fn every_ending(app: &TestApp, rule: EndRule) {
    let on_end = OnEnd { declined: rule, cancelled: rule, expired: rule, rejected: rule };
    in_force(app, PaymentPolicy { on_end, ..seller_pays() }).await;
}

/// Open, submit and pay (as the seller) a transfer of KDA 001A; a payment
/// kept from the last one may have paid for it already.
async fn paid(app: &TestApp, seller: &Api) -> String {
    let (id, t) = open_and_submit(app, seller).await;
    if t["state"] == "awaiting_seller_payment" {
        let (s, b) = seller.post(&format!("/api/v1/transfers/{id}/pay"), json!({})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(b["state"], "awaiting_buyer", "{b}");
    }
    id
}

/// Each ending in turn (declined, cancelled, rejected, expired) after the
/// seller paid, and the SMS the seller got each time; the transfers' ids.
async fn end_each_way(app: &TestApp, sms: &str) -> Vec<String> {
    let seller = citizen(app, SELLER).await;
    let buyer = citizen(app, BUYER).await;
    let mut ids = vec![];
    // Declined.
    let id = paid(app, &seller).await;
    let code = buyer.code(app, BUYER.1, &id, "answer").await;
    let (s, b) = buyer.post(&format!("/api/v1/transfers/{id}/decline"), json!({ "code": code })).await;
    assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("declined")), "{b}");
    ids.push(id);
    // Cancelled.
    let id = paid(app, &seller).await;
    let (s, b) = seller.post(&format!("/api/v1/transfers/{id}/cancel"), json!({})).await;
    assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("cancelled")), "{b}");
    ids.push(id);
    // Rejected by an officer.
    let id = paid(app, &seller).await;
    assert_eq!(accept(app, &buyer, &id).await["state"], "in_review");
    let officer = citizen(app, OFFICER).await;
    let body = json!({"decision": "reject", "reason_code": "seller_named_as_buyer"});
    let (s, b) = officer.post(&format!("/api/v1/transfers/{id}/review"), body).await;
    assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("rejected")), "{b}");
    ids.push(id);
    // Expired, unanswered (a quarter of an hour on: three codes a number
    // per 15 minutes).
    app.advance(16 * 60 * 1000);
    let seller = citizen(app, SELLER).await;
    let id = paid(app, &seller).await;
    app.advance(14 * 24 * 3600 * 1000 + 1000);
    assert_eq!(registry::transfers::expire_due(&app.registry).await.unwrap(), 1);
    ids.push(id);
    let told = || app.sms_to(SELLER.1).iter().filter(|m| m.contains(sms)).count();
    for _ in 0..100 {
        if told() >= 4 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(told(), 4, "the payer is told what happens to their money each time");
    ids
}

async fn under_refund_by_staff_each_ending_makes_a_refund_due_that_only_staff_with_no_part_record(app: TestApp) {
    // The buyer is staff too, and a party to the transfer.
    let (db, now) = (app.registry.db(), app.clock_now());
    let officer = registry::parties::StaffRole::Officer;
    registry::parties::grant_staff(db, now, domain::AccountType::Citizen, BUYER.0, officer, "test").await.unwrap();
    every_ending(&app, EndRule::RefundByStaff).await;
    let ids = end_each_way(&app, "will be refunded to you").await;
    for id in &ids {
        assert_eq!(payment_row(&app, id).await.0, "refund_due", "{id}");
    }
    let (seller, buyer) = (citizen(&app, SELLER).await, citizen(&app, BUYER).await);
    let officer = citizen(&app, OFFICER).await;
    let path = format!("/api/v1/transfers/{}/refund", ids[0]);
    let (s, b) = seller.post(&path, json!({"reference": "RFD123"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "not staff: {b}");
    let (s, b) = buyer.post(&path, json!({"reference": "RFD123"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "staff, but a party to it: {b}");
    assert!(b["detail"].as_str().unwrap().contains("another officer must refund its fee"), "{b}");
    let (s, b) = officer.post(&path, json!({"reference": " "})).await;
    assert_eq!((s, b["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reference")), "{b}");
    let (s, b) = officer.post(&path, json!({"reference": "rfd-123"})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["state"], "refunded", "{b}");
    assert_eq!(payment_row(&app, &ids[0]).await.0, "refunded");
    app.wait_sms_containing(SELLER.1, "Refund reference RFD-123").await;
    let (s, b) = officer.post(&path, json!({"reference": "RFD124"})).await;
    assert_eq!(s, StatusCode::CONFLICT, "refunded once: {b}");
}
on_both!(
    under_refund_by_staff_each_ending_makes_a_refund_due_that_only_staff_with_no_part_record,
    crate::common::with_api_client
);

async fn under_keep_for_resubmission_each_ending_keeps_the_payment(app: TestApp) {
    every_ending(&app, EndRule::KeepForResubmission).await;
    // The seller paid once: the payment kept on each ending paid for the
    // next transfer of the vehicle to the same buyer, and is kept again.
    let ids = end_each_way(&app, "is not charged again").await;
    let payments = || async {
        let q = sqlx::query_as::<_, (String, String)>("SELECT transfer_id, state FROM reg_payments");
        q.fetch_all(app.registry.db().pool()).await.unwrap()
    };
    assert_eq!(payments().await, [(ids[3].clone(), "kept".to_string())]);
    let officer = citizen(&app, OFFICER).await;
    let (s, b) = officer.post(&format!("/api/v1/transfers/{}/refund", ids[3]), json!({"reference": "R1"})).await;
    assert_eq!(s, StatusCode::CONFLICT, "nothing is due back: {b}");
    // And once more, through to review.
    let seller = citizen(&app, SELLER).await;
    let (id, t) = open_and_submit(&app, &seller).await;
    assert_eq!(t["state"], "awaiting_buyer", "{t}");
    assert_eq!(payment_row(&app, &id).await.0, "settled");
    let buyer = citizen(&app, BUYER).await;
    assert_eq!(accept(&app, &buyer, &id).await["state"], "in_review");
    assert_eq!(payments().await, [(id, "settled".to_string())], "one payment paid for them all");
}
on_both!(under_keep_for_resubmission_each_ending_keeps_the_payment, crate::common::with_api_client);

/// A kept payment pays only for the invoice it was: once the fee has
/// changed (here the platform fee), the new transfer asks for its own fee
/// and the kept one becomes a refund due, of which the payer is told.
async fn a_kept_payment_that_no_longer_matches_the_fee_is_refunded_not_used(app: TestApp) {
    every_ending(&app, EndRule::KeepForResubmission).await;
    let (seller, buyer) = (citizen(&app, SELLER).await, citizen(&app, BUYER).await);
    let first = paid(&app, &seller).await;
    let code = buyer.code(&app, BUYER.1, &first, "answer").await;
    let (s, b) = buyer.post(&format!("/api/v1/transfers/{first}/decline"), json!({ "code": code })).await;
    assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("declined")), "{b}");
    assert_eq!(payment_row(&app, &first).await.0, "kept");
    // A later schedule charges another platform fee.
    let mut s = FeeSchedule::kenya_2018();
    s.version = "KE-POLICY-2".into();
    s.effective_from = Date::new(2020, 1, 1).unwrap();
    let on_end = OnEnd::default();
    s.policy = PaymentPolicy {
        platform_fee: vec![PlatformTier { min_cents: 0, fee_cents: 7_000 }],
        on_end: OnEnd { declined: EndRule::KeepForResubmission, ..on_end },
        ..seller_pays()
    };
    registry::store_fee_schedule(app.registry.db(), &s, app.clock_now()).await.unwrap();
    app.registry.reload_rules().await.unwrap();
    let (id, t) = open_and_submit(&app, &seller).await;
    assert_eq!(t["state"], "awaiting_seller_payment", "the new invoice is asked for: {t}");
    assert_eq!(t["fee"]["platform_fee_cents"], 7_000, "{t}");
    assert_eq!(payment_row(&app, &first).await.0, "refund_due", "the kept payment is due back");
    app.wait_sms_containing(SELLER.1, "will be refunded to you").await;
    let (s, b) = seller.post(&format!("/api/v1/transfers/{id}/pay"), json!({})).await;
    assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("awaiting_buyer")), "{b}");
}
on_both!(a_kept_payment_that_no_longer_matches_the_fee_is_refunded_not_used, crate::common::with_api_client);
