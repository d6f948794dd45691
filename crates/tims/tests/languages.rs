//! English and Kiswahili end to end: the page's language follows the
//! browser until the person chooses with the switch in every header; the
//! choice is a cookie of a year that both parts read, goes back to the page
//! (never to another site), and for a signed-in person is kept on their
//! sign-on account and their registry party, so that the sign-on's codes
//! and the registry's SMS come in it. Someone who never chose gets English.

#![allow(clippy::unwrap_used)]

mod common;

use common::{API_SECRET, Browser, PASSWORD, TestApp, extract_code};
use reqwest::StatusCode;
use serde_json::{Value, json};

const SELLER: (&str, &str) = ("12345678", "+254712345678");
const BUYER: (&str, &str) = ("23456789", "+254723456789");
const PDF: &[u8] = b"%PDF-1.4\n% a scanned logbook\n";
const LANG_COOKIE: &str = "__Host-tims_lang";

/// A page fetched with the browser's `Accept-Language` and, if any, a
/// language cookie.
async fn page(app: &TestApp, path: &str, accept: &str, cookie: Option<&str>) -> (StatusCode, String) {
    let mut r = reqwest::Client::new().get(format!("{}{path}", app.base)).header("accept-language", accept);
    if let Some(c) = cookie {
        r = r.header("cookie", format!("{LANG_COOKIE}={c}"));
    }
    let resp = r.send().await.unwrap();
    (resp.status(), resp.text().await.unwrap())
}

async fn the_page_follows_the_browser_until_the_person_chooses(app: TestApp) {
    // No choice yet: the browser's language, on both parts.
    let (s, sw) = page(&app, "/sso/signin?return_to=%2Fvehicles", "sw-KE,sw;q=0.9,en;q=0.5", None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(sw.contains(r#"<html lang="sw">"#), "{sw}");
    // The switch names English in English and comes back to this page,
    // query string and all.
    assert!(
        sw.contains(
            r#"<a href="/language?lang=en&#38;back=%2Fsso%2Fsignin%3Freturn_to%3D%252Fvehicles" lang="en" hreflang="en""#
        ),
        "{sw}"
    );
    assert!(sw.contains(r#"<nav class="languages" aria-label="Lugha">"#), "{sw}");
    let (_, en) = page(&app, "/?from=sms", "en-GB,en;q=0.9", None).await;
    assert!(en.contains(r#"<html lang="en">"#), "{en}");
    assert!(en.contains(r#"href="/language?lang=sw&#38;back=%2F%3Ffrom%3Dsms" lang="sw" hreflang="sw""#), "{en}");
    assert!(en.contains(">Kiswahili</a>"), "{en}");
    let (_, fr) = page(&app, "/", "fr-FR", None).await;
    assert!(fr.contains(r#"<html lang="en">"#), "a language tims does not speak: English");

    // Choosing: one redirect back to the page, with a cookie of a year.
    let mut b = Browser::new(&app.base);
    let r = b.get("/language?lang=sw&back=%2Fsso%2Fsignin%3Freturn_to%3D%252Fvehicles").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/sso/signin?return_to=%2Fvehicles");
    assert_eq!(
        r.set_cookies(),
        vec![format!("{LANG_COOKIE}=sw; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=31536000")]
    );
    let there = b.get(&r.location()).await;
    assert_eq!(there.status, StatusCode::OK);
    assert!(there.body.contains(r#"<html lang="sw">"#), "{}", there.body);

    // The choice wins over the browser's language, on both parts; a value
    // that is not a language tims speaks is ignored.
    let (_, chosen) = page(&app, "/", "en", Some("sw")).await;
    assert!(chosen.contains(r#"<html lang="sw">"#) && chosen.contains(">English</a>"), "{chosen}");
    let (_, chosen) = page(&app, "/sso/signin", "sw", Some("en")).await;
    assert!(chosen.contains(r#"<html lang="en">"#), "{chosen}");
    let (_, junk) = page(&app, "/sso/signin", "sw", Some("klingon")).await;
    assert!(junk.contains(r#"<html lang="sw">"#), "{junk}");
    let r = b.get("/language?lang=klingon&back=%2Fsso%2F").await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/sso/".to_string()));
    assert!(r.set_cookies().is_empty(), "an unknown language changes nothing");
}
on_both!(the_page_follows_the_browser_until_the_person_chooses);

async fn the_switch_never_sends_anyone_to_another_site(app: TestApp) {
    let mut b = Browser::new(&app.base);
    for back in [
        "https%3A%2F%2Fevil.example%2F",
        "%2F%2Fevil.example%2F",
        "%2F%5Cevil.example",
        "evil.example",
        "javascript%3Aalert(1)",
        "",
    ] {
        let r = b.get(&format!("/language?lang=sw&back={back}")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{back}");
        assert_eq!(r.location(), "/", "{back}");
    }
    let r = b.get("/language?lang=sw").await;
    assert_eq!(r.location(), "/");
}
on_both!(the_switch_never_sends_anyone_to_another_site);

/// Sign in at the sign-on with a browser that may carry a language cookie,
/// reading the code in whichever language it came; returns the browser and
/// the code's SMS.
async fn sign_in(app: &TestApp, who: (&str, &str), lang: Option<&str>) -> (Browser, String) {
    let mut b = Browser::new(&app.base);
    if let Some(l) = lang {
        b.cookies.insert(LANG_COOKIE.into(), l.into());
    }
    let seen = app.sms_to(who.1).len();
    let r = b.sign_in_password("citizen", who.0, PASSWORD).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let sms = app.next_sms(who.1, seen).await;
    let code = extract_code(&sms).unwrap();
    let r = b.post("/sso/signin/code", &[("code", &code)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    (b, sms)
}

async fn account_lang(app: &TestApp, id_number: &str) -> Option<String> {
    sqlx::query_scalar("SELECT lang FROM sso_accounts WHERE id_number = $1")
        .bind(id_number)
        .fetch_one(app.app_sso.db().pool())
        .await
        .unwrap()
}

async fn party_lang(app: &TestApp, id_number: &str) -> Option<String> {
    sqlx::query_scalar("SELECT lang FROM reg_parties WHERE doc_number = $1")
        .bind(id_number)
        .fetch_one(app.app_sso.db().pool())
        .await
        .unwrap()
}

/// The API, as an integrator's program calls it with a person's token.
async fn api(app: &TestApp, token: &str, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
    let mut r = reqwest::Client::new().request(method.clone(), format!("{}{path}", app.base)).bearer_auth(token);
    match body {
        Some(Value::String(bytes)) if method == reqwest::Method::PUT => {
            r = r.header("content-type", "application/octet-stream").body(bytes);
        }
        Some(b) => r = r.json(&b),
        None => {}
    }
    let resp = r.send().await.unwrap();
    let status = resp.status();
    let v: Value = resp.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{method} {path}: {status} {v}");
    v
}

async fn a_persons_choice_reaches_the_sign_ons_codes_and_the_registrys_sms(app: TestApp) {
    // Discovery says the provider gives the locale.
    let d: Value =
        reqwest::get(format!("{}/sso/.well-known/openid-configuration", app.base)).await.unwrap().json().await.unwrap();
    assert!(d["claims_supported"].as_array().unwrap().contains(&json!("locale")), "{d}");

    // The seller never chose: English codes, no locale.
    assert_eq!(account_lang(&app, SELLER.0).await, None);
    let (mut seller, sms) = sign_in(&app, SELLER, None).await;
    assert!(sms.starts_with("Your tims"), "{sms}");
    // Signed in, they choose Kiswahili; the page they come back to keeps it.
    let r = seller.get("/language?lang=sw&back=%2Fsso%2F").await;
    assert_eq!(r.location(), "/sso/");
    let home = seller.get("/sso/").await;
    assert!(home.body.contains(r#"<html lang="sw">"#), "{}", home.body);
    assert_eq!(account_lang(&app, SELLER.0).await.as_deref(), Some("sw"));

    // On another browser, without the cookie, the sign-on's code comes in
    // Kiswahili, and the registry is told the locale.
    let (browser, sms) = sign_in(&app, SELLER, None).await;
    assert!(sms.starts_with("Msimbo wako wa tims"), "{sms}");
    let token = common::access_token_for(&app, browser, "tims-api", API_SECRET).await;
    let me: Value = reqwest::Client::new()
        .get(format!("{}/sso/userinfo", app.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["locale"], "sw", "{me}");

    // The registry writes to the seller in Kiswahili (their transfer code)
    // and to the buyer, who never chose, in English.
    let t = api(
        &app,
        &token,
        reqwest::Method::POST,
        "/api/v1/transfers",
        Some(json!({"registration_number": "KDA 001A", "buyer_type": "individual", "buyer_id_number": BUYER.0})),
    )
    .await;
    assert_eq!(party_lang(&app, SELLER.0).await.as_deref(), Some("sw"));
    let id = t["id"].as_str().unwrap().to_string();
    let pdf = Value::String(String::from_utf8(PDF.to_vec()).unwrap());
    api(&app, &token, reqwest::Method::PUT, &format!("/api/v1/transfers/{id}/logbook-scan"), Some(pdf)).await;
    let seen = app.sms_to(SELLER.1).len();
    api(&app, &token, reqwest::Method::POST, &format!("/api/v1/transfers/{id}/codes"), Some(json!({"step": "submit"})))
        .await;
    let sms = app.next_sms(SELLER.1, seen).await;
    assert!(sms.starts_with("Msimbo wako wa tims") && sms.contains(t["reference"].as_str().unwrap()), "{sms}");
    let code = extract_code(&sms).unwrap();
    let seen_buyer = app.sms_to(BUYER.1).len();
    api(&app, &token, reqwest::Method::POST, &format!("/api/v1/transfers/{id}/submit"), Some(json!({"code": code})))
        .await;
    let told = app.next_sms(BUYER.1, seen_buyer).await;
    assert!(told.contains("is being transferred to you"), "{told}");
    assert_eq!(party_lang(&app, BUYER.0).await, None);

    // The buyer chooses Kiswahili on the registry's pages while signed in:
    // their party keeps it, and the registry's next SMS to them follows.
    let (mut buyer, sms) = sign_in(&app, BUYER, None).await;
    assert!(sms.starts_with("Your tims"), "{sms}");
    let home = buyer.follow("/signin").await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    let r = buyer.get(&format!("/language?lang=sw&back=%2Ftransfers%2F{id}")).await;
    assert_eq!(r.location(), format!("/transfers/{id}"));
    let mine = buyer.get(&format!("/transfers/{id}")).await;
    assert!(mine.body.contains(r#"<html lang="sw">"#), "{}", mine.body);
    assert_eq!(party_lang(&app, BUYER.0).await.as_deref(), Some("sw"));
    let seen_buyer = app.sms_to(BUYER.1).len();
    api(&app, &token, reqwest::Method::POST, &format!("/api/v1/transfers/{id}/cancel"), Some(json!({}))).await;
    let told = app.next_sms(BUYER.1, seen_buyer).await;
    assert!(told.contains("muuzaji ameghairi uhamisho"), "{told}");
}
on_both!(a_persons_choice_reaches_the_sign_ons_codes_and_the_registrys_sms, crate::common::with_api_client);

async fn an_account_registered_on_kiswahili_pages_keeps_kiswahili(app: TestApp) {
    let mut b = Browser::new(&app.base);
    b.cookies.insert(LANG_COOKIE.into(), "sw".into());
    let phone = "+254798000111";
    let seen = app.sms_to(phone).len();
    let form = [
        ("account_type", "citizen"),
        ("id_number", "89012345"),
        ("date_of_birth_day", "05"),
        ("date_of_birth_month", "09"),
        ("date_of_birth_year", "1995"),
        ("phone", "0798 000 111"),
        ("email", ""),
        ("password", "a long pass phrase"),
        ("password_confirm", "a long pass phrase"),
    ];
    let r = b.post("/sso/register", &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let sms = app.next_sms(phone, seen).await;
    assert!(sms.starts_with("Msimbo wako wa tims"), "the verification code follows the page: {sms}");
    assert_eq!(account_lang(&app, "89012345").await.as_deref(), Some("sw"));
}
on_both!(an_account_registered_on_kiswahili_pages_keeps_kiswahili);

async fn a_language_chosen_before_signing_in_becomes_the_accounts(app: TestApp) {
    const OTHER: (&str, &str) = ("45678901", "+254745678901");
    let (_, sms) = sign_in(&app, OTHER, Some("sw")).await;
    assert!(sms.starts_with("Msimbo wako wa tims"), "{sms}");
    assert_eq!(account_lang(&app, OTHER.0).await.as_deref(), Some("sw"));
    // Chosen again in English on another browser: the next code follows.
    let (_, sms) = sign_in(&app, OTHER, Some("en")).await;
    assert!(sms.starts_with("Your tims"), "{sms}");
}
on_both!(a_language_chosen_before_signing_in_becomes_the_accounts);

/// The registry asks the sign-on for the language of the page the person
/// left (`ui_locales`), and the sign-in speaks it, unless the person chose
/// a language on this browser; the hint lasts the sign-in, and is never
/// taken for the person's choice.
async fn the_sign_in_speaks_the_language_the_registry_asks_for(app: TestApp) {
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let authorize = |accept: &'static str| {
        let client = no_redirects.clone();
        let url = format!("{}/signin", app.base);
        async move {
            let r = client.get(url).header("accept-language", accept).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::SEE_OTHER);
            // The cookie that binds the sign-in to the browser, as "name=value".
            let bound = r.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
            (r.headers()["location"].to_str().unwrap().to_string(), bound)
        }
    };
    assert!(authorize("en-GB").await.0.contains("&ui_locales=en"));
    let (sw, bound) = authorize("sw-KE,sw").await;
    assert!(sw.contains("/sso/authorize?") && sw.contains("&ui_locales=sw"), "{sw}");

    // A browser that asks for no language in particular signs in in
    // Kiswahili, page after page, and is back at the registry without the hint.
    let mut b = Browser::new(&app.base);
    let (name, value) = bound.split_once('=').unwrap();
    b.cookies.insert(name.into(), value.into());
    let to_signin = b.get(sw.strip_prefix(&app.base).unwrap()).await.location();
    assert_eq!(b.cookies.get("__Host-tims_lang_hint").map(String::as_str), Some("sw"));
    let signin = b.get(&to_signin).await;
    assert!(signin.body.contains(r#"<html lang="sw">"#), "{}", signin.body);
    let query = to_signin.split_once('?').unwrap().1;
    let (_, back) = url::form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == "return_to").unwrap();
    let seen = app.sms_to(SELLER.1).len();
    let form = [("account_type", "citizen"), ("id_number", SELLER.0), ("password", PASSWORD), ("return_to", &back)];
    let r = b.post("/sso/signin", &form).await;
    let code_page = b.get(&r.location()).await;
    assert!(code_page.body.contains(r#"<html lang="sw">"#), "{}", code_page.body);
    let code = extract_code(&app.next_sms(SELLER.1, seen).await).unwrap();
    let r = b.post("/sso/signin/code", &[("code", &code), ("return_to", &back)]).await;
    let home = b.follow(&r.location()).await;
    assert!(home.body.contains("Signed in as"), "the registry's home: {}", home.body);
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    assert!(!b.cookies.contains_key("__Host-tims_lang_hint"), "{:?}", b.cookies);
    assert_eq!(account_lang(&app, SELLER.0).await, None, "a hint is not the person's choice");

    // The sign-on says which languages it speaks.
    let doc: Value =
        reqwest::get(format!("{}/sso/.well-known/openid-configuration", app.base)).await.unwrap().json().await.unwrap();
    assert_eq!(doc["ui_locales_supported"], json!(["en", "sw"]));

    // A language chosen on this browser wins over the hint.
    let mut chose = Browser::new(&app.base);
    chose.cookies.insert(LANG_COOKIE.into(), "en".into());
    let signin = chose.follow(&sw).await;
    assert!(signin.body.contains(r#"<html lang="en">"#), "{}", signin.body);
    assert!(!chose.cookies.contains_key("__Host-tims_lang_hint"));
}
on_both!(the_sign_in_speaks_the_language_the_registry_asks_for);
