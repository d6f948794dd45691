//! Paying the fee by paybill (M-Pesa C2B), and the payments staff see
//! (issue 14): validation turns away an unknown account number or another
//! amount with Daraja's codes; a confirmation settles the invoice exactly
//! once from whatever phone, and one that cannot settle it is flagged for
//! staff, never lost; the addresses need the configured secret; staff see
//! every attempt with the gateway's raw codes, and a day's report sums
//! what came in that day. Over HTTP, on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Api, TestApp};
use registry::payments::{DevAnswer, DevPayer};
use reqwest::StatusCode;
use serde_json::{Value, json};

const SELLER: (&str, &str) = ("12345678", "+254712345678");
const BUYER: (&str, &str) = ("23456789", "+254723456789");
const OFFICER: (&str, &str) = ("34567890", "+254734567890");
const C2B_SECRET: &str = "a-paybill-secret-long-enough-to-be-unguessable";

fn with_paybill(cfg: &mut tims::Config) {
    common::with_api_client(cfg);
    cfg.mpesa.c2b_secret = Some(tims::Secret::new(C2B_SECRET));
}

fn payer(app: &TestApp) -> &DevPayer {
    app.registry.adapters().payments.as_dev().expect("the development payer")
}

/// A transfer of KDA 001A accepted by the buyer, its STK prompt held:
/// its id, its reference, the buyer's client and the fee.
async fn awaiting_payment(app: &TestApp) -> (String, String, Api, i64) {
    let seller = Api::sign_in(app, "citizen", SELLER.0, SELLER.1).await;
    payer(app).hold(true);
    accepted(app, &seller, "KDA 001A").await
}

/// A transfer of `reg_no` by `seller` to the buyer, accepted: its id, its
/// reference, the buyer's client and the fee.
async fn accepted(app: &TestApp, seller: &Api, reg_no: &str) -> (String, String, Api, i64) {
    let buyer = Api::sign_in(app, "citizen", BUYER.0, BUYER.1).await;
    let (id, reference) = seller.open_transfer(reg_no, BUYER.0).await;
    seller.submit_transfer(app, SELLER.1, &id).await;
    let code = buyer.code(app, BUYER.1, &id, "answer").await;
    let body = json!({"code": code, "postal_address": "P.O. Box 100-00100 Nairobi", "collection_office": "Mombasa"});
    let (s, t) = buyer.post(&format!("/api/v1/transfers/{id}/accept"), body).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(t["state"], "awaiting_payment", "{t}");
    (id, reference, buyer, t["fee"]["amount_cents"].as_i64().unwrap())
}

/// Answer the newest STK prompt as its payer's phone would.
async fn answer_prompt(app: &TestApp, answer: DevAnswer) {
    let prompt = payer(app).asked().pop().unwrap();
    registry::transfers::attempt::answer_dev_prompt(&app.registry, &prompt.provider_ref, answer).await.unwrap();
}

/// A paybill payment as Daraja posts it (the amount a string, in shillings).
fn c2b(trans_id: &str, account: &str, amount_cents: i64) -> Value {
    json!({
        "TransactionType": "Pay Bill", "TransID": trans_id, "TransTime": "20260105113000",
        "TransAmount": format!("{}.{:02}", amount_cents / 100, amount_cents % 100),
        "BusinessShortCode": "600000", "BillRefNumber": account, "InvoiceNumber": "",
        "OrgAccountBalance": "", "ThirdPartyTransID": "", "MSISDN": "254700999888",
        "FirstName": "Wanjiru", "MiddleName": "", "LastName": "Otieno"
    })
}

async fn post(app: &TestApp, path: &str, body: &Value) -> (StatusCode, Value) {
    let r = reqwest::Client::new().post(format!("{}{path}", app.base)).json(body).send().await.unwrap();
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

async fn validate(app: &TestApp, body: &Value) -> (StatusCode, Value) {
    post(app, &format!("/payments/c2b/validation/{C2B_SECRET}"), body).await
}

async fn confirm(app: &TestApp, body: &Value) -> (StatusCode, Value) {
    post(app, &format!("/payments/c2b/confirmation/{C2B_SECRET}"), body).await
}

/// The attempts of a transfer, oldest first: (provider, state, receipt).
async fn attempts(app: &TestApp, id: &str) -> Vec<(String, String, Option<String>)> {
    sqlx::query_as(
        "SELECT provider, state, receipt FROM reg_payment_attempts WHERE transfer_id = $1 ORDER BY attempt_no",
    )
    .bind(id)
    .fetch_all(app.registry.db().pool())
    .await
    .unwrap()
}

async fn validation_takes_the_invoice_and_turns_away_what_is_not_it(app: TestApp) {
    let (_, reference, _, fee) = awaiting_payment(&app).await;
    let account = reference.replace('-', "");
    let (s, a) = validate(&app, &c2b("RKT0000001", &account, fee)).await;
    assert_eq!((s, &a), (StatusCode::OK, &json!({"ResultCode": 0, "ResultDesc": "Accepted"})));
    // Typed in another case, with spaces: the same invoice.
    let typed = format!(" {} {} ", &account[..6].to_lowercase(), &account[6..]);
    let (_, a) = validate(&app, &c2b("RKT0000002", &typed, fee)).await;
    assert_eq!(a["ResultCode"], 0, "{a}");
    let (_, a) = validate(&app, &c2b("RKT0000003", "TR2345623456", fee)).await;
    assert_eq!(a["ResultCode"], "C2B00012", "an unknown account number: {a}");
    let (_, a) = validate(&app, &c2b("RKT0000004", "my car", fee)).await;
    assert_eq!(a["ResultCode"], "C2B00012", "{a}");
    let (_, a) = validate(&app, &c2b("RKT0000005", &account, fee - 100)).await;
    assert_eq!(a["ResultCode"], "C2B00013", "another amount: {a}");
    let none: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM reg_paybill_payments")
        .fetch_one(app.registry.db().pool())
        .await
        .unwrap();
    assert_eq!(none, 0, "validation keeps nothing");
}
on_both!(validation_takes_the_invoice_and_turns_away_what_is_not_it, crate::with_paybill);

async fn a_confirmation_settles_once_from_any_phone_and_a_repeat_changes_nothing(app: TestApp) {
    let (id, reference, buyer, fee) = awaiting_payment(&app).await;
    let body = c2b("RKTQDM7W6S", &reference.replace('-', ""), fee);
    // The same confirmation twice at once: one payment.
    let ((s, a), (s2, _)) = tokio::join!(confirm(&app, &body), confirm(&app, &body));
    assert_eq!((s, &a), (StatusCode::OK, &json!({"ResultCode": 0, "ResultDesc": "Success"})));
    assert_eq!(s2, StatusCode::OK);
    assert_eq!(buyer.transfer_state(&id).await, "in_review");
    let (_, p) = buyer.get(&format!("/api/v1/transfers/{id}/payment")).await;
    assert_eq!((p["state"].as_str(), p["provider_ref"].as_str()), (Some("settled"), Some("RKTQDM7W6S")), "{p}");
    let (s, _) = confirm(&app, &body).await;
    assert_eq!(s, StatusCode::OK, "a repeat is acknowledged");
    assert_eq!(
        attempts(&app, &id).await,
        vec![
            ("development".into(), "pending".into(), None),
            ("mpesa_c2b".into(), "settled".into(), Some("RKTQDM7W6S".into()))
        ]
    );
    let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM reg_paybill_payments WHERE trans_id = 'RKTQDM7W6S'")
        .fetch_one(app.registry.db().pool())
        .await
        .unwrap();
    assert_eq!(kept, 1);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let told = app.sms_to(BUYER.1).iter().filter(|m| m.contains("received")).count();
    assert_eq!(told, 1, "the buyer is told once: {:?}", app.sms_to(BUYER.1));
}
on_both!(a_confirmation_settles_once_from_any_phone_and_a_repeat_changes_nothing, crate::with_paybill);

async fn what_cannot_settle_the_invoice_is_flagged_for_staff_never_lost(app: TestApp) {
    let (id, reference, buyer, fee) = awaiting_payment(&app).await;
    let account = reference.replace('-', "");
    // Another amount: flagged, nothing settled.
    confirm(&app, &c2b("RSHORT0001", &account, fee - 100)).await;
    assert_eq!(buyer.transfer_state(&id).await, "awaiting_payment");
    // The STK prompt is paid; a paybill payment after that is a refund due.
    answer_prompt(&app, DevAnswer::Pay).await;
    assert_eq!(buyer.transfer_state(&id).await, "in_review");
    let (s, _) = confirm(&app, &c2b("RLATE00001", &account, fee)).await;
    assert_eq!(s, StatusCode::OK);
    let got = attempts(&app, &id).await;
    assert_eq!(got[1], ("mpesa_c2b".into(), "flagged".into(), Some("RSHORT0001".into())));
    assert_eq!(got[2], ("mpesa_c2b".into(), "flagged".into(), Some("RLATE00001".into())));
    assert_eq!(got[0].1, "settled", "the STK push settled the fee");
    // An account number no transfer has: kept, with a note for staff.
    let (s, a) = confirm(&app, &c2b("RNOSUCH001", "TR2345623456", fee)).await;
    assert_eq!((s, a["ResultCode"].as_i64()), (StatusCode::OK, Some(0)));
    let (transfer, note): (Option<String>, Option<String>) =
        sqlx::query_as("SELECT transfer_id, note FROM reg_paybill_payments WHERE trans_id = 'RNOSUCH001'")
            .fetch_one(app.registry.db().pool())
            .await
            .unwrap();
    assert_eq!(transfer, None);
    assert!(note.is_some_and(|n| n.contains("refund")));
}
on_both!(what_cannot_settle_the_invoice_is_flagged_for_staff_never_lost, crate::with_paybill);

async fn the_paybill_addresses_need_the_configured_secret(app: TestApp) {
    let (id, reference, buyer, fee) = awaiting_payment(&app).await;
    let body = c2b("RWRONG0001", &reference.replace('-', ""), fee);
    for kind in ["validation", "confirmation"] {
        let (s, _) = post(&app, &format!("/payments/c2b/{kind}/not-the-secret"), &body).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{kind}");
    }
    assert_eq!(buyer.transfer_state(&id).await, "awaiting_payment");
    let (s, _) = post(&app, &format!("/payments/c2b/confirmation/{C2B_SECRET}"), &json!({"TransID": "X"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "not a payment");
}
on_both!(the_paybill_addresses_need_the_configured_secret, crate::with_paybill);

async fn without_a_secret_configured_paybill_payments_are_not_taken(app: TestApp) {
    let (_, reference, _, fee) = awaiting_payment(&app).await;
    let (s, _) = confirm(&app, &c2b("RNOCFG0001", &reference.replace('-', ""), fee)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}
on_both!(without_a_secret_configured_paybill_payments_are_not_taken, crate::common::with_api_client);

async fn staff_see_every_attempt_with_its_raw_codes_and_others_do_not(app: TestApp) {
    let (id, reference, buyer, fee) = awaiting_payment(&app).await;
    answer_prompt(&app, DevAnswer::WrongPin).await;
    confirm(&app, &c2b("RKTQDM7W6S", &reference.replace('-', ""), fee)).await;
    let officer = Api::sign_in(&app, "citizen", OFFICER.0, OFFICER.1).await;
    let (s, l) = officer.get(&format!("/api/v1/transfers/{id}/payments")).await;
    assert_eq!(s, StatusCode::OK, "{l}");
    let list = l["attempts"].as_array().unwrap();
    assert_eq!(list.len(), 2, "{l}");
    assert_eq!((list[0]["attempt_no"].as_i64(), list[0]["state"].as_str()), (Some(1), Some("failed")));
    assert_eq!(list[0]["result_code"], "2001", "the raw code: {l}");
    assert_eq!(list[0]["result_desc"], "The initiator information is invalid.");
    assert_eq!(list[0]["payer_phone_masked"], "07•• ••• 789", "{l}");
    assert_eq!((list[1]["provider"].as_str(), list[1]["state"].as_str()), (Some("mpesa_c2b"), Some("settled")));
    assert_eq!((list[1]["receipt"].as_str(), list[1]["paid_cents"].as_i64()), (Some("RKTQDM7W6S"), Some(fee)));
    assert_eq!(list[1]["result_code"], "0");
    assert!(list[1]["answered_at_ms"].is_i64() && list[1].get("payer_phone").is_none(), "{l}");
    // The buyer, a party, and a stranger are refused.
    let stranger = Api::sign_in(&app, "citizen", "45678901", "+254745678901").await;
    for who in [&buyer, &stranger] {
        let (s, b) = who.get(&format!("/api/v1/transfers/{id}/payments")).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
        assert!(b.to_string().contains("Only the agency's staff"), "{b}");
        let (s, _) = who.get("/api/v1/payments/report?day=2026-01-05").await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
    // Both are in the OpenAPI document, with their answers' schemas.
    let doc: Value = reqwest::get(format!("{}/api/openapi.json", app.base)).await.unwrap().json().await.unwrap();
    for (path, schema) in [("/api/v1/transfers/{id}/payments", "AttemptList"), ("/api/v1/payments/report", "DayReport")]
    {
        let ok = &doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"];
        assert_eq!(ok, &json!(format!("#/components/schemas/{schema}")), "{path}");
    }
}
on_both!(staff_see_every_attempt_with_its_raw_codes_and_others_do_not, crate::with_paybill);

async fn the_day_report_sums_what_came_in_that_day_only(app: TestApp) {
    // 2026-01-05 11:00 in Nairobi: an STK push and a late paybill payment.
    let (_, reference, _, fee) = awaiting_payment(&app).await;
    answer_prompt(&app, DevAnswer::Pay).await;
    confirm(&app, &c2b("RLATE00001", &reference.replace('-', ""), fee)).await;
    confirm(&app, &c2b("RNOSUCH001", "TR2345623456", 5_000)).await;
    // 14 hours on it is the next day in Nairobi (01:00 on the 6th): a
    // second transfer paid by paybill, with another amount first.
    app.advance(14 * 60 * 60 * 1000);
    let officer = Api::sign_in(&app, "citizen", OFFICER.0, OFFICER.1).await;
    // A car the dealer (whose admin is the seller) holds.
    let dealer = Api::sign_in(&app, "citizen", SELLER.0, SELLER.1).await.acting_for("P051234567A");
    let (id2, reference2, _, fee2) = accepted(&app, &dealer, "KDD 100D").await;
    let account2 = reference2.replace('-', "");
    confirm(&app, &c2b("RSHORT0002", &account2, fee2 - 100)).await;
    confirm(&app, &c2b("RNEXT00001", &account2, fee2)).await;
    assert_eq!(attempts(&app, &id2).await.last().unwrap().1, "settled");

    let (s, r) = officer.get("/api/v1/payments/report?day=2026-01-05").await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["settled"], json!([{"provider": "development", "count": 1, "amount_cents": fee}]), "{r}");
    assert_eq!(r["settled_total"], json!({"count": 1, "amount_cents": fee}));
    let flagged = r["flagged"].as_array().unwrap();
    let reasons: Vec<&str> = flagged.iter().map(|f| f["reason"].as_str().unwrap()).collect();
    assert_eq!(reasons, ["refund_due", "unknown_reference"], "{r}");
    assert_eq!((flagged[0]["receipt"].as_str(), flagged[0]["amount_cents"].as_i64()), (Some("RLATE00001"), Some(fee)));
    assert_eq!(
        (flagged[1]["account"].as_str(), flagged[1]["amount_cents"].as_i64()),
        (Some("TR2345623456"), Some(5_000))
    );
    assert_eq!(r["refunds_due"], json!({"count": 1, "amount_cents": fee}));
    assert_eq!(r["received"], json!({"count": 3, "amount_cents": 2 * fee + 5_000}));

    let (_, r) = officer.get("/api/v1/payments/report?day=2026-01-06").await;
    assert_eq!(r["settled"], json!([{"provider": "mpesa_c2b", "count": 1, "amount_cents": fee2}]), "{r}");
    let flagged = r["flagged"].as_array().unwrap();
    assert_eq!(flagged.len(), 1, "{r}");
    assert_eq!(
        (flagged[0]["reason"].as_str(), flagged[0]["amount_cents"].as_i64()),
        (Some("another_amount"), Some(fee2 - 100))
    );
    assert_eq!(r["refunds_due"], json!({"count": 0, "amount_cents": 0}));
    let (s, r) = officer.get("/api/v1/payments/report?day=2026-02-30").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
}
on_both!(the_day_report_sums_what_came_in_that_day_only, crate::with_paybill);

async fn the_pay_page_offers_the_paybill_and_a_developer_can_pay_by_it(app: TestApp) {
    let (id, reference, buyer, fee) = awaiting_payment(&app).await;
    answer_prompt(&app, DevAnswer::Cancel).await;
    let mut b = app.signed_in_as("citizen", BUYER.0, BUYER.1).await;
    assert_eq!(b.follow("/signin").await.status, StatusCode::OK);
    let page = b.get(&format!("/transfers/{id}/pay")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let account = reference.replace('-', "");
    let line = format!("Or pay by paybill: business number 600000, account {account}.");
    assert!(page.body.contains(&line), "{}", page.body);
    assert!(page.body.contains("This is a development number: nothing is paid."), "{}", page.body);

    // Typed as a payer might: in small letters, with the reference's dashes.
    let shillings = (fee / 100).to_string();
    let typed = reference.to_lowercase();
    let r = b.post_reg("/dev/payments/paybill", &[("account", &typed), ("shillings", &shillings)]).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/dev/payments".to_string()));
    assert_eq!(buyer.transfer_state(&id).await, "in_review");
    let got = attempts(&app, &id).await;
    assert_eq!((got[1].0.as_str(), got[1].1.as_str()), ("mpesa_c2b", "settled"), "{got:?}");
}
on_both!(the_pay_page_offers_the_paybill_and_a_developer_can_pay_by_it, crate::common::with_api_client);

/// A statement as the M-Pesa portal exports it, with `lines` (receipt,
/// amount in cents, account) paid in, and a charge paid out.
fn statement(lines: &[(&str, i64, &str)]) -> String {
    let mut csv = String::from(
        "Organization Name:,NATIONAL TRANSPORT AND SAFETY AUTHORITY\r\n\r\nReceipt No.,Completion Time,Details,\
         Transaction Status,Paid In,Withdrawn,Balance,Other Party Info,A/C No.\r\n",
    );
    for (receipt, cents, account) in lines {
        let paid = format!("\"{},{:03}.{:02}\"", cents / 100_000, (cents / 100) % 1_000, cents % 100);
        csv.push_str(&format!(
            "{receipt},06-12-2026 13:34:16,Pay Bill Online,Completed,{paid},,,2547****678 - JANE WANJIRU,{account}\r\n"
        ));
    }
    csv.push_str("RCHARGE001,06-12-2026 23:59:00,Business Charges,Completed,,12.00,,,\r\n");
    csv
}

async fn upload(api: &Api, csv: &str) -> (StatusCode, Value) {
    let r = api.req(reqwest::Method::POST, "/api/v1/payments/statement").body(csv.to_string()).send().await.unwrap();
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

/// The STK prompt's answer never comes (lost while tims was down, before
/// it stored the request's name): the day's statement applies it, once,
/// to the prompt that waited; a line for no transfer is kept for staff;
/// uploading it again, or the late answer coming after all, changes
/// nothing; staff who are a party leave their case to another.
async fn the_statement_applies_a_payment_no_answer_brought_once(app: TestApp) {
    // The buyer is staff too (a party to both transfers below).
    let (db, now) = (app.registry.db(), app.clock_now());
    let role = registry::parties::StaffRole::Officer;
    registry::parties::grant_staff(db, now, domain::AccountType::Citizen, BUYER.0, role, "test").await.unwrap();
    let (id, reference, buyer, fee) = awaiting_payment(&app).await;
    let seller = Api::sign_in(&app, "citizen", SELLER.0, SELLER.1).await;
    let account = reference.replace('-', "");
    let officer = Api::sign_in(&app, "citizen", OFFICER.0, OFFICER.1).await;
    let csv = statement(&[("RST0000001", fee, &account), ("RST0000002", 250_000, "MY CAR")]);
    let (s, b) = upload(&seller, &csv).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "not staff: {b}");
    let (s, r) = upload(&officer, &csv).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!((r["paid_in"].as_i64(), r["skipped"].as_i64(), r["known"].as_i64()), (Some(2), Some(1), Some(0)), "{r}");
    assert_eq!(r["new"][0]["outcome"], "settled", "{r}");
    assert_eq!(r["new"][0]["reference"], reference.as_str());
    assert_eq!((r["new"][1]["outcome"].as_str(), r["new"][1]["line"].as_i64()), (Some("kept_for_staff"), Some(5)));
    assert_eq!(buyer.transfer_state(&id).await, "in_review");
    let one = vec![("development".to_string(), "settled".to_string(), Some("RST0000001".to_string()))];
    assert_eq!(attempts(&app, &id).await, one, "the prompt that waited is the one paid");
    // Again: everything is known, nothing changes.
    let (_, r) = upload(&officer, &csv).await;
    assert_eq!((r["known"].as_i64(), r["new"].as_array().map(Vec::len)), (Some(2), Some(0)), "{r}");
    // Paid as an STK query's answer leaves it, without the receipt: the
    // statement fills it in, and it is the same payment, not a second one.
    sqlx::query("UPDATE reg_payment_attempts SET receipt = NULL, result_desc = 'asked' WHERE transfer_id = $1")
        .bind(&id)
        .execute(app.registry.db().pool())
        .await
        .unwrap();
    let (_, r) = upload(&officer, &csv).await;
    assert_eq!((r["known"].as_i64(), r["new"].as_array().map(Vec::len)), (Some(2), Some(0)), "{r}");
    let desc: String = sqlx::query_scalar("SELECT result_desc FROM reg_payment_attempts WHERE transfer_id = $1")
        .bind(&id)
        .fetch_one(app.registry.db().pool())
        .await
        .unwrap();
    assert_eq!(desc, "asked", "its answer stays as it was");
    // The answer comes after all: the same payment, counted once.
    answer_prompt(&app, DevAnswer::Pay).await;
    assert_eq!(attempts(&app, &id).await, one);
    let (_, p) = buyer.get(&format!("/api/v1/transfers/{id}/payment")).await;
    assert_eq!((p["state"].as_str(), p["provider_ref"].as_str()), (Some("settled"), Some("RST0000001")), "{p}");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let told = app.sms_to(BUYER.1).iter().filter(|m| m.contains("received")).count();
    assert_eq!(told, 1, "the buyer is told once: {:?}", app.sms_to(BUYER.1));
    // A paybill confirmation of a receipt the statement brought: a repeat.
    let (s, _) = confirm(&app, &c2b("RST0000002", "MY CAR", 250_000)).await;
    assert_eq!(s, StatusCode::OK);
    let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM reg_paybill_payments")
        .fetch_one(app.registry.db().pool())
        .await
        .unwrap();
    assert_eq!(kept, 1, "kept once");

    // Staff who are the buyer of a transfer leave its line to another.
    let dealer = seller.acting_for("P051234567A");
    let (id2, reference2, buyer, fee2) = accepted(&app, &dealer, "KDD 100D").await;
    let (_, r) = upload(&buyer, &statement(&[("RST0000003", fee2, &reference2.replace('-', ""))])).await;
    assert_eq!(r["new"][0]["outcome"], "own_case", "{r}");
    assert_eq!(buyer.transfer_state(&id2).await, "awaiting_payment", "nothing changed");
    let (_, r) = upload(&officer, &statement(&[("RST0000003", fee2, &reference2.replace('-', ""))])).await;
    assert_eq!(r["new"][0]["outcome"], "settled", "{r}");

    // Reversals: a payment reversed is never applied, and one tims counted
    // is listed for staff.
    let reversals = format!(
        "Receipt No.,Details,Transaction Status,Paid In,Withdrawn,Reason Type,Linked Transaction ID,A/C No.\n\
         RST0000009,Pay Bill,Completed,500.00,,Pay Utility,,{account}\n\
         RSR0000001,Reversal,Completed,,500.00,Reversal,RST0000009,\n\
         RSR0000002,Reversal,Completed,,{}.00,Reversal,RST0000001,\n",
        fee / 100
    );
    let (s, r) = upload(&officer, &reversals).await;
    assert_eq!(
        (s, r["paid_in"].as_i64(), r["new"].as_array().map(Vec::len)),
        (StatusCode::OK, Some(0), Some(0)),
        "{r}"
    );
    assert_eq!(
        r["reversed"],
        json!([{"receipt": "RST0000009", "counted": false, "reference": null},
               {"receipt": "RST0000001", "counted": true, "reference": reference}]),
        "{r}"
    );

    // What cannot be read is refused with its line, in the uploader's words.
    let (s, b) = upload(&officer, "Receipt No.,Paid In\nRST0000004,lots\n").await;
    assert_eq!((s, b["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("statement")), "{b}");
    let message = b["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("Line 2") && message.contains("\"lots\""), "{message}");
    let (s, b) = upload(&officer, "a,b\n").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b["errors"][0]["message"].as_str().unwrap().contains("Receipt No."), "{b}");
}
on_both!(the_statement_applies_a_payment_no_answer_brought_once, crate::with_paybill);

/// Where the seller pays on submitting, with a platform fee: the paybill
/// takes the invoice's total (not the transfer fee alone) from the seller's
/// side, and the transfer goes on to the buyer.
async fn the_paybill_takes_the_invoice_of_whoever_pays_with_its_platform_fee(app: TestApp) {
    let mut schedule = domain::FeeSchedule::kenya_2018();
    schedule.version = "KE-POLICY".into();
    schedule.effective_from = domain::Date::new(2019, 1, 1).unwrap();
    schedule.policy = domain::fees::PaymentPolicy::agency_online();
    registry::store_fee_schedule(app.registry.db(), &schedule, app.clock_now()).await.unwrap();
    app.registry.reload_rules().await.unwrap();
    let seller = Api::sign_in(&app, "citizen", SELLER.0, SELLER.1).await;
    let (id, reference) = seller.open_transfer("KDA 001A", BUYER.0).await;
    seller.submit_transfer(&app, SELLER.1, &id).await;
    let (_, t) = seller.get(&format!("/api/v1/transfers/{id}")).await;
    assert_eq!(t["state"], "awaiting_seller_payment", "{t}");
    let (fee, total) = (t["fee"]["amount_cents"].as_i64().unwrap(), t["fee"]["total_cents"].as_i64().unwrap());
    assert_eq!(total, fee + 5_000, "{t}");
    let account = reference.replace('-', "");
    let (_, a) = validate(&app, &c2b("RSP0000001", &account, fee)).await;
    assert_eq!(a["ResultCode"], "C2B00013", "the fee without the platform fee is not the invoice: {a}");
    let (_, a) = validate(&app, &c2b("RSP0000001", &account, total)).await;
    assert_eq!(a["ResultCode"], 0, "{a}");
    confirm(&app, &c2b("RSP0000001", &account, total)).await;
    assert_eq!(seller.transfer_state(&id).await, "awaiting_buyer");
    let (payer, amount): (String, i64) = sqlx::query_as(
        "SELECT a.payer_id, a.amount_cents FROM reg_payment_attempts a JOIN reg_transfers t ON t.id = a.transfer_id \
         WHERE t.id = $1 AND a.payer_id = t.seller_id",
    )
    .bind(&id)
    .fetch_one(app.registry.db().pool())
    .await
    .unwrap();
    assert_eq!(amount, total, "the attempt is the seller's, for the invoice ({payer})");
}
on_both!(the_paybill_takes_the_invoice_of_whoever_pays_with_its_platform_fee, crate::with_paybill);
