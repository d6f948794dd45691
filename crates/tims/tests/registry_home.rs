//! The buyer's payment step (the number to prompt, the page that waits for
//! the payer, the receipt), the home page's "needs your action", searching
//! the long lists, an organisation's vehicles, and the help page with the
//! fee table; over HTTP, on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Api, Browser, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

const SELLER: (&str, &str) = ("12345678", "+254712345678");
const BUYER: (&str, &str) = ("23456789", "+254723456789");
const OFFICER: (&str, &str) = ("34567890", "+254734567890");
const OTHER: (&str, &str) = ("45678901", "+254745678901");
const RESIDENT: (&str, &str) = ("100200300", "+254110200300");
const DEALER_PIN: &str = "P051234567A";
const LOGISTICS_PIN: &str = "P051234571E";

async fn open(seller: &Api, reg_no: &str, buyer: &str) -> (String, String) {
    seller.open_transfer(reg_no, buyer).await
}

async fn submit(app: &TestApp, seller: &Api, id: &str) {
    seller.submit_transfer(app, SELLER.1, id).await
}

/// The buyer accepts over the API, which asks for the fee from the buyer's
/// own number at once (as it always has); here the payer lets that request
/// fail, so the transfer awaits payment for the payment pages. Returns the
/// transfer and how many charges the development payer had been asked for.
async fn accept(app: &TestApp, buyer: &Api, id: &str) -> (Value, usize) {
    let code = buyer.code(app, BUYER.1, id, "answer").await;
    let body = json!({"code": code, "postal_address": "P.O. Box 100-00100 Nairobi", "collection_office": "Mombasa"});
    payer(app).hold(true);
    let (s, t) = buyer.post(&format!("/api/v1/transfers/{id}/accept"), body).await;
    payer(app).hold(false);
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(t["state"], "awaiting_payment", "{t}");
    let (_, provider_ref) = payer_and_ref(app, id).await;
    assert!(registry::transfers::payment_failed(&app.registry, id, &provider_ref).await.unwrap());
    (t, payer(app).asked().len())
}

/// Sign in at the sign-on, then at the registry through its sign-in page.
async fn registry_browser(app: &TestApp, who: (&str, &str)) -> Browser {
    let account_type = if who == RESIDENT { "resident" } else { "citizen" };
    let mut b = app.signed_in_as(account_type, who.0, who.1).await;
    let home = b.follow("/signin").await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    b
}

fn payer(app: &TestApp) -> &registry::payments::DevPayer {
    app.registry.adapters().payments.as_dev().expect("the development payer")
}

/// The payment row's payer, for playing the gateway's callback.
async fn payer_and_ref(app: &TestApp, id: &str) -> (String, String) {
    sqlx::query_as("SELECT payer_id, provider_ref FROM reg_payments WHERE transfer_id = $1")
        .bind(id)
        .fetch_one(app.registry.db().pool())
        .await
        .unwrap()
}

async fn the_buyer_pays_from_another_number_and_gets_a_receipt(app: TestApp) {
    let seller = Api::sign_in(&app, "citizen", SELLER.0, SELLER.1).await;
    let buyer = Api::sign_in(&app, "citizen", BUYER.0, BUYER.1).await;
    let (id, reference) = open(&seller, "KDA 001A", BUYER.0).await;
    submit(&app, &seller, &id).await;
    let (accepted, before) = accept(&app, &buyer, &id).await;
    let amount = accepted["fee"]["amount"].as_str().unwrap().to_string();
    let cents = accepted["fee"]["amount_cents"].as_i64().unwrap();
    let asked_since = || payer(&app).asked().split_off(before);

    let mut pages = registry_browser(&app, BUYER).await;
    let page = pages.get(&format!("/transfers/{id}/pay")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(&format!("Pay {amount} with M-Pesa")), "{}", page.body);
    assert!(page.body.contains(r#"value="0723 456 789""#), "the buyer's own number: {}", page.body);

    // A number that is not a Kenyan mobile number is refused beside its field.
    let r = pages.post_reg(&format!("/transfers/{id}/pay"), &[("phone", "12345")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), format!("/transfers/{id}/pay"), "back to its own page");
    let r = pages.get(&format!("/transfers/{id}/pay")).await;
    assert!(r.body.contains("<title>Error: "), "{}", r.body);
    assert!(r.body.contains(r#"id="phone-error""#) && r.body.contains("Enter a Kenyan mobile number"), "{}", r.body);
    assert!(r.body.contains(r#"value="12345""#), "what was typed is kept: {}", r.body);
    assert!(asked_since().is_empty());

    // While the payer has not answered, the page waits and reloads itself.
    payer(&app).hold(true);
    let r = pages.post_reg(&format!("/transfers/{id}/pay"), &[("phone", "0700 111 222")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), format!("/transfers/{id}/payment"));
    let asked = asked_since();
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert_eq!((asked[0].phone.as_str(), asked[0].amount_cents), ("+254700111222", cents));
    assert_eq!(
        asked[0].reference,
        reference.replace('-', ""),
        "the invoice reference is the transfer's, as letters and digits"
    );
    let wait = pages.get(&format!("/transfers/{id}/payment")).await;
    assert_eq!(wait.status, StatusCode::OK, "{}", wait.body);
    assert!(wait.body.contains(r#"<meta http-equiv="refresh" content="5">"#), "{}", wait.body);
    assert!(wait.body.contains("Check your phone") && wait.body.contains("07•• ••• 222"), "{}", wait.body);
    assert_eq!(wait.headers.get("refresh").unwrap(), "5");
    // A second press while one request waits reaches no gateway.
    let r = pages.post_reg(&format!("/transfers/{id}/pay"), &[("phone", "0700 111 222")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = pages.get(&r.location()).await;
    assert!(r.body.contains("already waiting for your answer"), "{}", r.body);
    assert_eq!(asked_since().len(), 1);

    // The gateway settles: the waiting page moves on to the receipt.
    let (payer_id, provider_ref) = payer_and_ref(&app, &id).await;
    registry::transfers::settle(&app.registry, &id, &payer_id, "development", &provider_ref).await.unwrap();
    let wait = pages.get(&format!("/transfers/{id}/payment")).await;
    assert_eq!(wait.status, StatusCode::SEE_OTHER);
    assert_eq!(wait.location(), format!("/transfers/{id}/receipt"));
    let receipt = pages.get(&format!("/transfers/{id}/receipt")).await;
    assert_eq!(receipt.status, StatusCode::OK, "{}", receipt.body);
    for shown in
        [provider_ref.as_str(), amount.as_str(), reference.as_str(), "KDA 001A", "07•• ••• 222", "Payment receipt"]
    {
        assert!(receipt.body.contains(shown), "{shown} missing: {}", receipt.body);
    }
    assert!(!receipt.body.contains("0700 111 222") && !receipt.body.contains("+254700111222"), "{}", receipt.body);
    let (s, p) = buyer.get(&format!("/api/v1/transfers/{id}/payment")).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!((p["state"].as_str(), p["provider_ref"].as_str()), (Some("settled"), Some(provider_ref.as_str())));
    assert_eq!(p["phone_masked"], "07•• ••• 222");

    // The seller is a party and sees it; a stranger learns nothing.
    let mut seller_pages = registry_browser(&app, SELLER).await;
    assert_eq!(seller_pages.get(&format!("/transfers/{id}/receipt")).await.status, StatusCode::OK);
    let mut stranger = registry_browser(&app, OTHER).await;
    let r = stranger.get(&format!("/transfers/{id}/receipt")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    assert!(!r.body.contains(&provider_ref), "{}", r.body);
    let stranger_api = Api::sign_in(&app, "citizen", OTHER.0, OTHER.1).await;
    assert_eq!(stranger_api.get(&format!("/api/v1/transfers/{id}/payment")).await.0, StatusCode::NOT_FOUND);
}
on_both!(the_buyer_pays_from_another_number_and_gets_a_receipt, crate::common::with_api_client);

async fn a_failed_payment_says_so_and_may_be_tried_again(app: TestApp) {
    let seller = Api::sign_in(&app, "citizen", SELLER.0, SELLER.1).await;
    let buyer = Api::sign_in(&app, "citizen", BUYER.0, BUYER.1).await;
    let (id, _) = open(&seller, "KDA 001A", BUYER.0).await;
    submit(&app, &seller, &id).await;
    let (_, before) = accept(&app, &buyer, &id).await;
    let mut pages = registry_browser(&app, BUYER).await;
    payer(&app).hold(true);
    let r = pages.post_reg(&format!("/transfers/{id}/pay"), &[("phone", "")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(payer(&app).asked()[before].phone, BUYER.1, "an empty box is the buyer's own number");
    let (_, provider_ref) = payer_and_ref(&app, &id).await;
    assert!(registry::transfers::payment_failed(&app.registry, &id, &provider_ref).await.unwrap());
    let wait = pages.get(&format!("/transfers/{id}/payment")).await;
    assert_eq!(wait.status, StatusCode::OK);
    assert!(wait.body.contains("The payment did not go through"), "{}", wait.body);
    assert!(!wait.body.contains("http-equiv=\"refresh\"") && wait.headers.get("refresh").is_none());
    assert!(wait.body.contains(&format!(r#"href="/transfers/{id}/pay""#)), "{}", wait.body);
    let r = pages.get(&format!("/transfers/{id}/receipt")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "no receipt before it is paid: {}", r.body);

    payer(&app).hold(false);
    let r = pages.post_reg(&format!("/transfers/{id}/pay"), &[("phone", "0723456789")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = pages.follow(&r.location()).await;
    assert!(r.body.contains("Payment receipt"), "{}", r.body);
    let (_, t) = buyer.get(&format!("/api/v1/transfers/{id}")).await;
    assert_eq!(t["state"], "in_review", "{t}");
}
on_both!(a_failed_payment_says_so_and_may_be_tried_again, crate::common::with_api_client);

async fn an_organisations_buyer_pays_from_the_organisations_number(app: TestApp) {
    let seller = Api::sign_in(&app, "citizen", SELLER.0, SELLER.1).await;
    let buyer = Api::sign_in(&app, "citizen", BUYER.0, BUYER.1).await;
    let for_the_company = buyer.acting_for(LOGISTICS_PIN);
    let (id, reference) = open(&seller, "KDA 001A", LOGISTICS_PIN).await;
    submit(&app, &seller, &id).await;
    let (_, before) = accept(&app, &for_the_company, &id).await;
    // The API's pay takes the number; a bad one is refused by its name.
    let pay = format!("/api/v1/transfers/{id}/pay");
    let (s, p) = for_the_company.post(&pay, json!({"phone": "999"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert!(p.to_string().contains("phone"), "{p}");
    let (s, t) = for_the_company.post(&pay, json!({"phone": "+254 711 000 111"})).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(t["state"], "in_review", "{t}");
    let asked = payer(&app).asked().split_off(before);
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert_eq!(
        (asked[0].phone.as_str(), asked[0].reference.as_str()),
        ("+254711000111", reference.replace('-', "").as_str())
    );
    let (_, p) = for_the_company.get(&format!("/api/v1/transfers/{id}/payment")).await;
    assert_eq!(p["phone_masked"], "07•• ••• 111", "{p}");
}
on_both!(an_organisations_buyer_pays_from_the_organisations_number, crate::common::with_api_client);

/// The references of what waits for `api`, as (action, registration).
async fn actions(api: &Api) -> Vec<(String, String)> {
    let (s, b) = api.get("/api/v1/me/actions").await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["action"].as_str().unwrap().to_string(), a["registration_number"].as_str().unwrap().to_string()))
        .collect()
}

fn pair(action: &str, reg_no: &str) -> (String, String) {
    (action.to_string(), reg_no.to_string())
}

async fn the_home_page_lists_what_waits_for_each_party(app: TestApp) {
    let seller = Api::sign_in(&app, "citizen", SELLER.0, SELLER.1).await;
    let buyer = Api::sign_in(&app, "citizen", BUYER.0, BUYER.1).await;
    let resident = Api::sign_in(&app, "resident", RESIDENT.0, RESIDENT.1).await;
    let stranger = Api::sign_in(&app, "citizen", OTHER.0, OTHER.1).await;
    // A draft waits for its seller; a submitted joint sale for the joint
    // owner (and the bank); an offer for its buyer.
    let (draft, _) = open(&seller, "KDA 001A", BUYER.0).await;
    let (joint, _) = open(&seller, "KCB 123B", BUYER.0).await;
    submit(&app, &seller, &joint).await;
    assert_eq!(actions(&seller).await, vec![pair("submit", "KDA 001A")]);
    assert_eq!(actions(&resident).await, vec![pair("approve", "KCB 123B")]);
    assert!(actions(&buyer).await.is_empty());
    assert!(actions(&stranger).await.is_empty());

    submit(&app, &seller, &draft).await;
    assert!(actions(&seller).await.is_empty());
    assert_eq!(actions(&buyer).await, vec![pair("answer", "KDA 001A")]);
    accept(&app, &buyer, &draft).await;
    assert_eq!(actions(&buyer).await, vec![pair("pay", "KDA 001A")]);
    assert!(actions(&stranger).await.is_empty());

    // The pages say the same, with the deadline, the pay step linked.
    let mut b = registry_browser(&app, BUYER).await;
    let home = b.get("/").await;
    assert!(home.body.contains("Needs your action"), "{}", home.body);
    assert!(home.body.contains(&format!(r#"<a href="/transfers/{draft}/pay">Pay the fee of KES"#)), "{}", home.body);
    // Opened on Monday 5 January 2026: fourteen days to answer (the day as
    // people write it: "Monday 19 January 2026", or "Mon 19 Jan 2026").
    assert!(home.body.contains("by Mon") && home.body.contains("19 Jan"), "{}", home.body);
    let (_, b) = buyer.get("/api/v1/me/actions").await;
    assert_eq!(b["actions"][0]["deadline"], "2026-01-19", "{b}");
    // The buyer's own vehicle, with Sell.
    assert!(home.body.contains(r#"href="/transfers/new?registration_number=KDC+555C""#), "{}", home.body);
    let mut r = registry_browser(&app, RESIDENT).await;
    let home = r.get("/").await;
    assert!(home.body.contains("Approve or refuse the sale of KCB 123B"), "{}", home.body);
    assert!(!home.body.contains("KDA 001A"), "{}", home.body);
    let mut s = registry_browser(&app, OTHER).await;
    let home = s.get("/").await;
    assert!(home.body.contains("Nothing is waiting for you just now."), "{}", home.body);
    // Officers see the queue's backlog.
    let officer = Api::sign_in(&app, "citizen", OFFICER.0, OFFICER.1).await;
    let (_, b) = officer.get("/api/v1/me/actions").await;
    assert_eq!(b["review"]["waiting"], 0, "{b}");
    let mut o = registry_browser(&app, OFFICER).await;
    assert!(o.get("/").await.body.contains(r#"<a href="/review">"#));
}
on_both!(the_home_page_lists_what_waits_for_each_party, crate::common::with_api_client);

async fn a_search_finds_one_vehicle_among_many_and_a_transfer_by_reference(app: TestApp) {
    let mut dealer = registry_browser(&app, SELLER).await;
    // Kamau Motors' vehicles, chosen from the list of the person's
    // organisations, searched as people type.
    let r = dealer.get(&format!("/vehicles?organisation={DEALER_PIN}&q=kdd%20500")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Vehicles of Kamau Motors Limited") && r.body.contains("KDD 500D"), "{}", r.body);
    for other in ["KDD 100D", "KDD 900D", "KDA 001A"] {
        assert!(!r.body.contains(other), "{other} in {}", r.body);
    }
    assert!(!r.body.contains("/transfers/new?"), "not acting for the dealer, no Sell: {}", r.body);
    // Acting for the dealer, its vehicles can be sold from the list.
    let r = dealer.post_reg("/acting-for", &[("kra_pin", DEALER_PIN)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = dealer.get("/vehicles?q=KDD500D").await;
    assert!(r.body.contains(r#"href="/transfers/new?registration_number=KDD+500D""#), "{}", r.body);
    assert!(!r.body.contains("KDD 100D"), "{}", r.body);
    let r = dealer.get("/vehicles?q=KZZ").await;
    assert!(r.body.contains("Nothing matches “KZZ”."), "{}", r.body);
    let long = "K".repeat(41);
    let r = dealer.get(&format!("/vehicles?q={long}")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains(r#"id="q-error""#) && r.body.contains("<title>Error: "), "{}", r.body);
    // The API searches the same way, paged.
    let api = Api::sign_in(&app, "citizen", SELLER.0, SELLER.1).await;
    let (s, b) = api.get(&format!("/api/v1/vehicles?organisation={DEALER_PIN}&q=kdd&limit=2")).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["vehicles"].as_array().unwrap().len(), 2, "{b}");
    assert!(b["next"].is_string(), "{b}");
    let next = b["next"].as_str().unwrap();
    let (_, b2) = api.get(&format!("/api/v1/vehicles?organisation={DEALER_PIN}&q=kdd&limit=2&after={next}")).await;
    assert_ne!(b2["vehicles"][0]["registration_number"], b["vehicles"][0]["registration_number"], "{b2}");

    // Transfers by reference, whole or without its dashes.
    let (first, reference) = open(&api, "KDA 001A", BUYER.0).await;
    let (_, other_ref) = open(&api, "KCB 123B", BUYER.0).await;
    let mut seller_self = registry_browser(&app, SELLER).await;
    let r = seller_self.get(&format!("/transfers?q={}", reference.replace('-', ""))).await;
    assert!(r.body.contains(&reference) && !r.body.contains(&other_ref), "{}", r.body);
    let r = dealer.get(&format!("/transfers?q={reference}")).await;
    assert!(r.body.contains("Nothing matches"), "the dealer's transfers are not the person's: {}", r.body);
    let r = seller_self.get(&format!("/transfers?q={}", reference.to_lowercase())).await;
    assert!(r.body.contains(&format!("/transfers/{first}")) && !r.body.contains(&other_ref), "{}", r.body);
    // The officers' queue searches the same way (nothing is in review).
    let mut officer = registry_browser(&app, OFFICER).await;
    let r = officer.get("/review?q=kda").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Nothing matches “kda”."), "{}", r.body);
    let officer_api = Api::sign_in(&app, "citizen", OFFICER.0, OFFICER.1).await;
    let (s, b) = officer_api.get("/api/v1/review-queue?q=KDA").await;
    assert_eq!((s, b["transfers"].as_array().map(Vec::len)), (StatusCode::OK, Some(0)), "{b}");
    let (_, b) = api.get("/api/v1/transfers?q=KCB").await;
    let refs: Vec<&str> = b["transfers"].as_array().unwrap().iter().map(|t| t["reference"].as_str().unwrap()).collect();
    assert_eq!(refs, vec![other_ref.as_str()], "{b}");
}
on_both!(a_search_finds_one_vehicle_among_many_and_a_transfer_by_reference, crate::common::with_api_client);

async fn the_help_page_shows_the_fee_schedule(app: TestApp) {
    let mut anyone = app.browser();
    let r = anyone.get("/help").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let (s, fees): (_, Value) = {
        let r = reqwest::get(format!("{}/api/v1/fees", app.base)).await.unwrap();
        (r.status(), r.json().await.unwrap())
    };
    assert_eq!(s, StatusCode::OK);
    let bands = fees["schedules"][0]["bands"].as_array().unwrap_or_else(|| panic!("{fees}"));
    assert!(bands.len() >= 10, "{fees}");
    for b in bands {
        let amount = domain::fees::format_kes(b["amount_cents"].as_i64().unwrap());
        assert!(r.body.contains(&format!("<td>{amount}</td>")), "{amount} missing: {}", r.body);
    }
    for line in ["Motor vehicles and motorcycles, up to 1000 cc", "Trailers, 5 wheels or more", "Tractors"] {
        assert!(r.body.contains(line), "{line} missing: {}", r.body);
    }
    assert!(r.body.contains("seven working days"), "{}", r.body);
    // Every page links to it.
    let home = anyone.get("/").await;
    assert!(home.body.contains(r#"<a href="/help">"#), "{}", home.body);
}
on_both!(the_help_page_shows_the_fee_schedule);
