#![allow(clippy::unwrap_used)]
//! Organisations added by KRA PIN: directors at once, others after an
//! admin's approval; roles, removal, and who may see what.

mod common;

use common::TestApp;
use reqwest::StatusCode;

const KIPCHOGE: (&str, &str) = ("45678901", "+254745678901");
const OTIENO: (&str, &str) = ("23456789", "+254723456789");
const FATUMA: (&str, &str) = ("56789012", "+254756789012");
const BODA_BORA: &str = "P051234568B";

async fn account_id(app: &TestApp, id_number: &str) -> String {
    sqlx::query_scalar("SELECT id FROM sso_accounts WHERE id_number = $1")
        .bind(id_number)
        .fetch_one(app.app_sso.db().pool())
        .await
        .unwrap()
}

async fn a_director_becomes_admin_at_once_and_approves_others(app: TestApp) {
    let mut kip = app.signed_in(KIPCHOGE.0, KIPCHOGE.1).await;
    let r = kip.post("/sso/organisations", &[("kra_pin", " p051234568b ")]).await;
    assert_eq!(r.location(), "/sso/?done=org-added", "{}", r.body);
    let home = kip.get("/sso/").await.body;
    assert!(home.contains("Boda Bora Motorcycles Limited") && home.contains("Administrator"), "{home}");

    // A non-director waits for approval; the admin is told by SMS.
    let mut oti = app.signed_in(OTIENO.0, OTIENO.1).await;
    let r = oti.post("/sso/organisations", &[("kra_pin", BODA_BORA)]).await;
    assert_eq!(r.location(), "/sso/?done=org-requested");
    assert!(oti.get("/sso/").await.body.contains("Waiting for approval"));
    app.wait_sms_containing(KIPCHOGE.1, "asks to act for Boda Bora").await;
    // Pending members cannot see the members page.
    assert_eq!(oti.get(&format!("/sso/organisations/{BODA_BORA}")).await.status, StatusCode::NOT_FOUND);

    let members = kip.get(&format!("/sso/organisations/{BODA_BORA}")).await.body;
    assert!(members.contains("Otieno Ochieng") && members.contains("Asks to join"), "{members}");
    // On a phone the rows stack, each cell labelled by its column; the head
    // row is hidden there (the page kit's table: a head in <thead>).
    let head = members.split("<thead>").nth(1).and_then(|h| h.split("</thead>").next()).unwrap_or_default();
    assert!(head.contains("<th scope=\"col\">Person</th>"), "the head row is the table's head: {members}");
    let body = members.split("<tbody>").nth(1).unwrap_or_default();
    for label in ["Person", "Status and role", "Change"] {
        assert!(body.contains(&format!("<td data-label=\"{label}\">")), "{label}: {members}");
    }
    let otieno = account_id(&app, OTIENO.0).await;
    let r = kip.post(&format!("/sso/organisations/{BODA_BORA}/members/{otieno}"), &[("decision", "transactor")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    app.wait_sms_containing(OTIENO.1, "as transactor").await;
    assert!(oti.get("/sso/").await.body.contains("Transactor"));
    // A transactor is not an admin.
    assert_eq!(oti.get(&format!("/sso/organisations/{BODA_BORA}")).await.status, StatusCode::FORBIDDEN);
    let kipchoge = account_id(&app, KIPCHOGE.0).await;
    let r = oti.post(&format!("/sso/organisations/{BODA_BORA}/members/{kipchoge}"), &[("decision", "remove")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Roles change; the last admin cannot leave or be demoted.
    let org = format!("/sso/organisations/{BODA_BORA}");
    let r = kip.post_refused_to(&format!("{org}/members/{kipchoge}"), &[("decision", "viewer")], &org).await;
    assert!(r.body.contains("at least one administrator"), "back on the members, saying why: {}", r.body);
    assert!(!kip.get(&org).await.body.contains("<title>Error: "), "the refusal is shown once");
    kip.post(&format!("/sso/organisations/{BODA_BORA}/members/{otieno}"), &[("decision", "admin")]).await;
    let r = kip.post(&format!("/sso/organisations/{BODA_BORA}/members/{kipchoge}"), &[("decision", "viewer")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "a second admin lets the first step down");

    // Removal.
    let r = oti.post(&format!("/sso/organisations/{BODA_BORA}/members/{kipchoge}"), &[("decision", "remove")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(!kip.get("/sso/").await.body.contains("Boda Bora"));
    app.wait_sms_containing(KIPCHOGE.1, "no longer act for Boda Bora").await;
}
on_both!(a_director_becomes_admin_at_once_and_approves_others);

async fn a_refused_request_is_removed_and_the_person_told(app: TestApp) {
    let mut fat = app.signed_in(FATUMA.0, FATUMA.1).await;
    // Kamau Motors' admin (12345678) is in the demo data; Fatuma asks to join.
    fat.post("/sso/organisations", &[("kra_pin", "P051234567A")]).await;
    let mut wanjiku = app.signed_in("12345678", "+254712345678").await;
    let fatuma = account_id(&app, FATUMA.0).await;
    let r = wanjiku.post(&format!("/sso/organisations/P051234567A/members/{fatuma}"), &[("decision", "remove")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    app.wait_sms_containing(FATUMA.1, "was refused").await;
    assert!(!fat.get("/sso/").await.body.contains("Kamau Motors"));
}
on_both!(a_refused_request_is_removed_and_the_person_told);

async fn bad_kra_pins_are_refused_with_the_reason(app: TestApp) {
    let mut kip = app.signed_in(KIPCHOGE.0, KIPCHOGE.1).await;
    for (pin, why) in [
        ("", "Enter a KRA PIN"),
        ("P0512", "Enter a KRA PIN"),
        ("A012345678Z", "belongs to a person"),
        ("P999999999Z", "No organisation with this KRA PIN"),
    ] {
        let r = kip.post_refused("/sso/organisations", &[("kra_pin", pin)]).await;
        assert!(r.body.contains(why) && r.body.contains("href=\"#kra_pin\""), "{pin}: {}", r.body);
        assert!(r.body.contains(&format!("name=\"kra_pin\" value=\"{pin}\"")), "the PIN typed is kept: {}", r.body);
    }
    kip.post("/sso/organisations", &[("kra_pin", BODA_BORA)]).await;
    let r = kip.post_refused("/sso/organisations", &[("kra_pin", BODA_BORA)]).await;
    assert!(r.body.contains("already on your account"), "{}", r.body);
    // Signed-out people are sent to sign in.
    let mut anon = app.browser();
    assert!(anon.get("/sso/organisations").await.location().starts_with("/sso/signin"));
}
on_both!(bad_kra_pins_are_refused_with_the_reason);
