//! The officer's review (issue 13): the review that shows the scan beside
//! every field it is checked against, to officers with no part in the
//! transfer only; rejection with a reason from the list; a transfer
//! returned for a new scan, resubmitted by the seller without paying
//! again; approval after a confirmation. Over the JSON API and the pages,
//! on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Api, Browser, TestApp};
use reqwest::StatusCode;
use serde_json::json;

const PDF: &[u8] = b"%PDF-1.4\n% a scanned logbook\n";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR a colour scan";
const SELLER: (&str, &str) = ("12345678", "+254712345678");
const BUYER: (&str, &str) = ("23456789", "+254723456789");
const OFFICER: (&str, &str) = ("34567890", "+254734567890");

/// A transfer of KDA 001A from the seller to `buyer_id`, submitted,
/// accepted and paid: in the officers' queue. Returns its id.
async fn in_review(app: &TestApp, seller: &Api, buyer: &Api, buyer_who: (&str, &str)) -> String {
    let body = json!({"registration_number": "KDA 001A", "buyer_type": "individual", "buyer_id_number": buyer_who.0});
    let (s, t) = seller.post("/api/v1/transfers", body).await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let id = t["id"].as_str().unwrap().to_string();
    let (s, b) = seller.put_bytes(&format!("/api/v1/transfers/{id}/logbook-scan"), PDF).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let code = seller.code(app, SELLER.1, &id, "submit").await;
    let (s, b) = seller.post(&format!("/api/v1/transfers/{id}/submit"), json!({ "code": code })).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let code = buyer.code(app, buyer_who.1, &id, "answer").await;
    let accept = json!({"code": code, "postal_address": "P.O. Box 100-00100 Nairobi", "collection_office": "Mombasa"});
    let (s, b) = buyer.post(&format!("/api/v1/transfers/{id}/accept"), accept).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["state"], "in_review", "{b}");
    id
}

/// Sign in at the sign-on, then at the registry through its sign-in page.
async fn registry_browser(app: &TestApp, who: (&str, &str)) -> Browser {
    let mut b = app.signed_in(who.0, who.1).await;
    let home = b.follow("/signin").await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    b
}

async fn payments(app: &TestApp, id: &str) -> (i64, i64) {
    sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN state = 'settled' THEN 1 ELSE 0 END), 0) FROM reg_payments \
         WHERE transfer_id = $1",
    )
    .bind(id)
    .fetch_one(app.registry.db().pool())
    .await
    .unwrap()
}

async fn the_review_shows_the_record_the_scan_is_checked_against_to_officers_with_no_part_in_it(app: TestApp) {
    let seller = Api::sign_in(&app, "citizen", SELLER.0, SELLER.1).await;
    let buyer = Api::sign_in(&app, "citizen", BUYER.0, BUYER.1).await;
    let officer = Api::sign_in(&app, "citizen", OFFICER.0, OFFICER.1).await;
    let id = in_review(&app, &seller, &buyer, BUYER).await;
    let (s, r) = officer.get(&format!("/api/v1/transfers/{id}/review")).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let v = &r["vehicle"];
    assert_eq!(v["registration_number"], "KDA 001A");
    assert_eq!(v["chassis_number"], "JTDKB20U300000000");
    assert_eq!(v["engine_number"], "EN1000000");
    assert_eq!(v["logbook_serial"], "LB10000000");
    assert_eq!((v["make"].as_str(), v["model"].as_str()), (Some("Toyota"), Some("Axio")));
    assert_eq!(
        (v["body"].as_str(), v["colour"].as_str(), v["year"].as_i64()),
        (Some("Saloon"), Some("Silver"), Some(2016))
    );
    assert_eq!(v["engine_cc"], 1490);
    assert_eq!(r["owners"].as_array().unwrap().len(), 1, "{r}");
    assert_eq!(r["owners"][0]["doc_number"], SELLER.0);
    assert_eq!(r["owners"][0]["role"], "owner");
    assert_eq!(r["seller"]["doc_number"], SELLER.0);
    assert_eq!((r["buyer"]["doc_type"].as_str(), r["buyer"]["doc_number"].as_str()), (Some("citizen"), Some(BUYER.0)));
    assert_eq!(r["scan"]["content_type"], "application/pdf");
    assert_eq!(r["scan"]["href"], format!("/api/v1/transfers/{id}/logbook-scan"));
    assert!(r["payment_ref"].is_string(), "{r}");
    // Not for the parties, nor for anyone else who is not staff.
    for who in [&seller, &buyer] {
        let (s, b) = who.get(&format!("/api/v1/transfers/{id}/review")).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    }

    // On the page: every field beside the scan, embedded and to open full size.
    let mut desk = registry_browser(&app, OFFICER).await;
    let page = desk.get(&format!("/transfers/{id}/review")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for field in [
        "KDA 001A",
        "JTDKB20U300000000",
        "EN1000000",
        "LB10000000",
        "Toyota",
        "Axio",
        "Saloon",
        "Silver",
        "2016",
        "1,490 cc",
        BUYER.0,
        SELLER.0,
        "National ID",
    ] {
        assert!(page.body.contains(field), "no {field} on the review page: {}", page.body);
    }
    assert!(page.body.contains(&format!("<iframe src=\"/transfers/{id}/review/scan\"")), "{}", page.body);
    let scan = desk.get(&format!("/transfers/{id}/review/scan")).await;
    assert_eq!(scan.status, StatusCode::OK);
    assert_eq!(scan.headers["content-type"], "application/pdf");
    let csp = scan.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'self'"), "only our own pages may frame it: {csp}");
    assert!(page.body.contains(&format!("href=\"/transfers/{id}/scan\"")), "{}", page.body);
    assert!(page.body.contains(&format!("href=\"/transfers/{id}/review/approve\"")), "{}", page.body);
    assert!(page.body.contains(&format!("href=\"/transfers/{id}/review/reject\"")), "{}", page.body);
    // Its layout is the shared stylesheet's (a wider page, the desk), and
    // so is the rejection form's.
    assert!(page.body.contains(r#"<body class="registry wide">"#) && page.body.contains(r#"<div class="desk">"#));
    let reject = desk.get(&format!("/transfers/{id}/review/reject")).await;
    for page in [&page, &reject] {
        assert!(!page.body.contains("<style") && !page.body.contains("style="), "{}", page.body);
    }
    for class in [".wide main{", ".desk{", ".decide .approve{", ".radio input{"] {
        assert!(pagekit::STYLESHEET.contains(class), "no {class} in the stylesheet");
    }
    // A party to the transfer gets the usual refusal, and so does the seller.
    let mut seller_pages = registry_browser(&app, SELLER).await;
    let page = seller_pages.get(&format!("/transfers/{id}/review")).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
    assert!(!page.body.contains("JTDKB20U300000000"), "{}", page.body);
}
on_both!(
    the_review_shows_the_record_the_scan_is_checked_against_to_officers_with_no_part_in_it,
    crate::common::with_api_client
);

async fn an_officer_who_is_a_party_to_the_transfer_may_not_review_it(app: TestApp) {
    let seller = Api::sign_in(&app, "citizen", SELLER.0, SELLER.1).await;
    let officer = Api::sign_in(&app, "citizen", OFFICER.0, OFFICER.1).await;
    // The officer buys the seller's car: another officer must review it.
    let id = in_review(&app, &seller, &officer, OFFICER).await;
    let (s, b) = officer.get(&format!("/api/v1/transfers/{id}/review")).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    assert!(b["detail"].as_str().unwrap().contains("another officer must review it"), "{b}");
    let mut desk = registry_browser(&app, OFFICER).await;
    let page = desk.get(&format!("/transfers/{id}/review")).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
    let r = desk.post_reg(&format!("/transfers/{id}/review/approve"), &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let (_, t) = officer.get(&format!("/api/v1/transfers/{id}")).await;
    assert_eq!(t["state"], "in_review", "{t}");
}
on_both!(an_officer_who_is_a_party_to_the_transfer_may_not_review_it, crate::common::with_api_client);

async fn a_scan_rejection_returns_the_transfer_and_the_seller_resubmits_without_paying_again(app: TestApp) {
    let seller = Api::sign_in(&app, "citizen", SELLER.0, SELLER.1).await;
    let buyer = Api::sign_in(&app, "citizen", BUYER.0, BUYER.1).await;
    let officer = Api::sign_in(&app, "citizen", OFFICER.0, OFFICER.1).await;
    let id = in_review(&app, &seller, &buyer, BUYER).await;
    assert_eq!(payments(&app, &id).await, (1, 1));
    let (_, before) = seller.get(&format!("/api/v1/transfers/{id}")).await;
    let review = format!("/api/v1/transfers/{id}/review");
    let (s, b) = officer.post(&review, json!({"decision": "reject", "reason_code": "blurry"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["errors"][0]["field"], "reason_code", "{b}");
    let body = json!({"decision": "reject", "reason_code": "photocopy", "reason": "Black and white"});
    let (s, t) = officer.post(&review, body).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(t["state"], "returned_for_scan", "{t}");
    assert_eq!((t["reason_code"].as_str(), t["reason"].as_str()), (Some("photocopy"), Some("Black and white")));
    assert!(t["expires_at_ms"].as_i64().unwrap() > app.clock_now(), "the seller has time to resubmit: {t}");
    let sms = app.wait_sms_containing(SELLER.1, "needs a new logbook scan").await;
    assert!(sms.contains("a copy, not a colour scan of the original") && sms.contains("no new fee"), "{sms}");
    let sms = app.wait_sms_containing(BUYER.1, "went back to the seller").await;
    assert!(sms.contains("Your fee stays paid"), "{sms}");
    // Nothing to pay, and the review is not open while the seller works.
    let (s, b) = buyer.post(&format!("/api/v1/transfers/{id}/pay"), json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    let (s, _) = officer.get(&review).await;
    assert_eq!(s, StatusCode::CONFLICT);
    // Not without a new scan: neither a code nor the resubmission.
    let (s, b) = seller.post(&format!("/api/v1/transfers/{id}/codes"), json!({"step": "submit"})).await;
    assert_eq!((s, b["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("logbook")), "{b}");
    let (s, b) = seller.post(&format!("/api/v1/transfers/{id}/submit"), json!({"code": "123456"})).await;
    assert_eq!((s, b["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("logbook")), "{b}");
    // Only the seller uploads it.
    let (s, _) = buyer.put_bytes(&format!("/api/v1/transfers/{id}/logbook-scan"), PNG).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, b) = seller.put_bytes(&format!("/api/v1/transfers/{id}/logbook-scan"), PNG).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["state"], "returned_for_scan", "an upload leaves it where it is: {b}");
    // The number the code went to is masked as the pages mask it.
    let seen = app.sms_to(SELLER.1).len();
    let (s, sent) = seller.post(&format!("/api/v1/transfers/{id}/codes"), json!({"step": "submit"})).await;
    assert_eq!((s, sent["sent_to"].as_str()), (StatusCode::ACCEPTED, Some("07•• ••• 678")), "{sent}");
    let code = app.next_code(SELLER.1, seen).await;
    app.advance(60_000);
    let (s, t) = seller.post(&format!("/api/v1/transfers/{id}/submit"), json!({ "code": code })).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(t["state"], "in_review", "{t}");
    assert!(t["queued_at_ms"].as_i64() > before["queued_at_ms"].as_i64(), "at the back of the queue: {t}");
    assert_eq!(payments(&app, &id).await, (1, 1), "no second payment");
    assert_eq!(t["consents"], before["consents"]);
    assert_eq!(t["postal_address"], before["postal_address"], "the buyer's acceptance stands");
    let steps: Vec<&str> = t["timeline"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(steps.ends_with(&["officer_return", "logbook_uploaded", "seller_resubmit"]), "{steps:?}");
    let (s, r) = officer.get(&review).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["scan"]["content_type"], "image/png");
    assert_eq!(r["earlier_return"]["reason_code"], "photocopy", "{r}");
    let (s, t) = officer.post(&review, json!({"decision": "approve"})).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(t["state"], "approved", "{t}");
    let (_, v) = buyer.get("/api/v1/vehicles/KDA%20001A").await;
    assert_eq!(v["view"], "full", "the buyer owns it now: {v}");
}
on_both!(
    a_scan_rejection_returns_the_transfer_and_the_seller_resubmits_without_paying_again,
    crate::common::with_api_client
);

async fn a_reason_not_about_the_scan_ends_the_transfer_and_a_returned_one_still_expires(app: TestApp) {
    let seller = Api::sign_in(&app, "citizen", SELLER.0, SELLER.1).await;
    let buyer = Api::sign_in(&app, "citizen", BUYER.0, BUYER.1).await;
    let officer = Api::sign_in(&app, "citizen", OFFICER.0, OFFICER.1).await;
    let id = in_review(&app, &seller, &buyer, BUYER).await;
    let review = format!("/api/v1/transfers/{id}/review");
    // Another reason needs the officer's words, beside the field.
    let (s, b) = officer.post(&review, json!({"decision": "reject", "reason_code": "another_reason"})).await;
    assert_eq!((s, b["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reason")), "{b}");
    let long = "x".repeat(501);
    let (s, b) = officer.post(&review, json!({"decision": "reject", "reason_code": "photocopy", "reason": long})).await;
    assert_eq!((s, b["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reason")), "{b}");
    let (s, t) = officer.post(&review, json!({"decision": "reject", "reason_code": "seller_named_as_buyer"})).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(t["state"], "rejected", "{t}");
    let sms = app.wait_sms_containing(BUYER.1, "was rejected").await;
    assert!(sms.contains("the seller is named as the buyer"), "{sms}");
    let (_, v) = seller.get("/api/v1/vehicles/KDA%20001A").await;
    assert_eq!(v["transfer_pending"], false, "{v}");

    // A returned transfer the seller never resubmits expires like any other.
    let id = in_review(&app, &seller, &buyer, BUYER).await;
    let body = json!({"decision": "reject", "reason_code": "another_vehicles_logbook"});
    let (s, t) = officer.post(&format!("/api/v1/transfers/{id}/review"), body).await;
    assert_eq!((s, t["state"].as_str()), (StatusCode::OK, Some("returned_for_scan")), "{t}");
    app.advance(13 * 24 * 3600 * 1000);
    assert_eq!(registry::transfers::expire_due(&app.registry).await.unwrap(), 0, "not before its time");
    app.advance(24 * 3600 * 1000 + 1000);
    assert_eq!(registry::transfers::expire_due(&app.registry).await.unwrap(), 1);
    let state: String = sqlx::query_scalar("SELECT state FROM reg_transfers WHERE id = $1")
        .bind(&id)
        .fetch_one(app.registry.db().pool())
        .await
        .unwrap();
    assert_eq!(state, "expired");
}
on_both!(
    a_reason_not_about_the_scan_ends_the_transfer_and_a_returned_one_still_expires,
    crate::common::with_api_client
);

async fn on_the_pages_a_rejection_needs_a_reason_from_the_list_and_approval_a_confirmation(app: TestApp) {
    let seller = Api::sign_in(&app, "citizen", SELLER.0, SELLER.1).await;
    let buyer = Api::sign_in(&app, "citizen", BUYER.0, BUYER.1).await;
    let id = in_review(&app, &seller, &buyer, BUYER).await;
    let mut desk = registry_browser(&app, OFFICER).await;
    let reject = format!("/transfers/{id}/review/reject");
    let page = desk.get(&reject).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for (i, reason) in [
        "another vehicle's logbook",
        "colour scan of the original",
        "defaced or altered",
        "not a logbook",
        "seller is named as the buyer",
        "Another reason",
    ]
    .iter()
    .enumerate()
    {
        assert!(page.body.replace("&#39;", "'").contains(reason), "reason {i} ({reason}) missing: {}", page.body);
    }
    // No reason chosen: back to the form, the error beside the radios.
    let r = desk.post_reg(&reject, &[("reason", "some words")]).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, reject.clone()));
    let page = desk.get(&reject).await;
    assert!(page.body.contains("<title>Error: "), "{}", page.body);
    assert!(page.body.contains("id=\"reason_code-error\""), "{}", page.body);
    assert!(page.body.contains(">some words</textarea>"), "what was typed is kept: {}", page.body);
    // Another reason without words: the error beside the text, the choice kept.
    let r = desk.post_reg(&reject, &[("reason_code", "another_reason"), ("reason", " ")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = desk.get(&reject).await;
    assert!(page.body.contains("id=\"reason-error\""), "{}", page.body);
    assert!(page.body.contains("value=\"another_reason\" checked"), "{}", page.body);
    assert!(!page.body.contains("id=\"reason_code-error\""), "{}", page.body);
    // Once seen, the errors are gone.
    let page = desk.get(&reject).await;
    assert!(!page.body.contains("<title>Error: "), "{}", page.body);
    // A reason about the scan returns it to the seller.
    let r = desk.post_reg(&reject, &[("reason_code", "unrelated_file"), ("reason", "A photo of a cat")]).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, format!("/transfers/{id}?notice=review-returned")));
    let (_, t) = seller.get(&format!("/api/v1/transfers/{id}")).await;
    assert_eq!((t["state"].as_str(), t["reason"].as_str()), (Some("returned_for_scan"), Some("A photo of a cat")));

    // The transfer's page tells each party why, and what to do.
    let mut seller_pages = registry_browser(&app, SELLER).await;
    let page = seller_pages.get(&format!("/transfers/{id}")).await;
    let body = page.body.replace("&#39;", "'");
    assert!(body.contains("The file is not a logbook: A photo of a cat"), "{body}");
    assert!(body.contains("Upload a new colour scan of the original logbook"), "{body}");
    assert!(body.contains(&format!("href=\"/transfers/{id}/resubmit\"")), "{body}");
    // The seller's home page lists it among what waits for them.
    let home = seller_pages.get("/").await;
    assert!(home.body.contains("Upload a new scan of the logbook of"), "{}", home.body);
    assert!(home.body.contains(&format!("href=\"/transfers/{id}/upload\"")), "{}", home.body);
    let mut buyer_pages = registry_browser(&app, BUYER).await;
    let page = buyer_pages.get(&format!("/transfers/{id}")).await;
    assert!(page.body.contains("the fee stays paid"), "{}", page.body);
    assert!(!page.body.contains(&format!("/transfers/{id}/resubmit")), "{}", page.body);
    // The seller resubmits on the pages: a new scan, then the code.
    let resubmit = format!("/transfers/{id}/resubmit");
    let page = seller_pages.get(&resubmit).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("The file is not a logbook: A photo of a cat"), "{}", page.body);
    assert!(page.body.contains(&format!("href=\"/transfers/{id}/upload\"")), "{}", page.body);
    assert!(!page.body.contains("Resubmit the transfer</button>"), "not before a new scan: {}", page.body);
    let r = seller_pages.post_reg_file(&format!("/transfers/{id}/upload"), "logbook", PNG).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, resubmit.clone()), "on to the resubmission");
    let page = seller_pages.get(&resubmit).await;
    assert!(page.body.contains("Uploaded (PNG)"), "{}", page.body);
    let seen = app.sms_to(SELLER.1).len();
    let r = seller_pages.post_reg(&resubmit, &[("step", "code")]).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, format!("{resubmit}?sent=1")));
    let code = app.next_code(SELLER.1, seen).await;
    let r = seller_pages.post_reg(&resubmit, &[("code", "000000")]).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, resubmit.clone()));
    let page = seller_pages.get(&resubmit).await;
    assert!(page.body.contains("id=\"code-error\""), "{}", page.body);
    let r = seller_pages.post_reg(&resubmit, &[("code", &code)]).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, format!("/transfers/{id}?notice=resubmitted")));
    assert_eq!(payments(&app, &id).await, (1, 1), "no second payment");

    // Approval asks first; only the confirmation approves.
    let approve = format!("/transfers/{id}/review/approve");
    let page = desk.get(&approve).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Are you sure?") && page.body.contains("KDA 001A"), "{}", page.body);
    let (_, t) = seller.get(&format!("/api/v1/transfers/{id}")).await;
    assert_eq!(t["state"], "in_review", "seeing the question approves nothing");
    let r = desk.post_reg(&approve, &[]).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, format!("/transfers/{id}?notice=review-approved")));
    let (_, t) = seller.get(&format!("/api/v1/transfers/{id}")).await;
    assert_eq!(t["state"], "approved", "{t}");
    // Decided, the review is closed.
    let page = desk.get(&format!("/transfers/{id}/review")).await;
    assert_eq!(page.status, StatusCode::CONFLICT, "{}", page.body);
    // The new logbook's steps, each confirmed on its own page.
    let logbook = format!("/transfers/{id}/logbook");
    let page = desk.get(&logbook).await;
    assert!(page.body.contains("printed and at Mombasa for collection?"), "{}", page.body);
    let r = desk.post_reg(&logbook, &[]).await;
    assert_eq!(r.location(), format!("/transfers/{id}?notice=logbook-recorded"));
    app.wait_sms_containing(BUYER.1, "ready for collection at Mombasa").await;
    let page = desk.get(&logbook).await;
    assert!(page.body.contains("Has the buyer collected the new logbook"), "{}", page.body);
    assert_eq!(desk.post_reg(&logbook, &[]).await.status, StatusCode::SEE_OTHER);
    let (_, t) = seller.get(&format!("/api/v1/transfers/{id}")).await;
    assert_eq!(t["logbook"]["state"], "collected", "{t}");
    assert_eq!(desk.get(&logbook).await.status, StatusCode::CONFLICT, "nothing more to record");
    let mut seller_pages = registry_browser(&app, SELLER).await;
    assert_eq!(seller_pages.get(&logbook).await.status, StatusCode::FORBIDDEN, "staff only");
}
on_both!(
    on_the_pages_a_rejection_needs_a_reason_from_the_list_and_approval_a_confirmation,
    crate::common::with_api_client
);

async fn a_reason_not_about_the_scan_ends_the_transfer_from_the_page(app: TestApp) {
    let seller = Api::sign_in(&app, "citizen", SELLER.0, SELLER.1).await;
    let buyer = Api::sign_in(&app, "citizen", BUYER.0, BUYER.1).await;
    let id = in_review(&app, &seller, &buyer, BUYER).await;
    let mut desk = registry_browser(&app, OFFICER).await;
    let reject = format!("/transfers/{id}/review/reject");
    let words = "The buyer's ID number belongs to someone else";
    let r = desk.post_reg(&reject, &[("reason_code", "another_reason"), ("reason", words)]).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, format!("/transfers/{id}?notice=review-rejected")));
    let (_, t) = seller.get(&format!("/api/v1/transfers/{id}")).await;
    assert_eq!((t["state"].as_str(), t["reason_code"].as_str()), (Some("rejected"), Some("another_reason")), "{t}");
    assert_eq!(t["reason"], words);
    let sms = app.wait_sms_containing(SELLER.1, "was rejected").await;
    assert!(sms.contains("see the officer's reason on the transfer's page"), "{sms}");
    // Nothing is left to resubmit.
    let mut seller_pages = registry_browser(&app, SELLER).await;
    let page = seller_pages.get(&format!("/transfers/{id}/resubmit")).await;
    assert_eq!(page.status, StatusCode::CONFLICT, "{}", page.body);
}
on_both!(a_reason_not_about_the_scan_ends_the_transfer_from_the_page, crate::common::with_api_client);
