#![allow(clippy::unwrap_used)]
//! An integrator's first hour: a dealer's or a bank's program registered
//! as a client gets access tokens the API takes, is told why when one is
//! refused, works from the moment the operator adds it, and can tell its
//! development codes apart. On SQLite and on PostgreSQL.

mod common;

use common::{CLIENT_REDIRECT_URI, TestApp, access_token_for};
use reqwest::StatusCode;
use serde_json::Value;

const SELLER: (&str, &str) = ("12345678", "+254712345678");

/// Register a client as `tims sso client add` does, while the app runs;
/// returns its secret.
async fn add_client(app: &TestApp, id: &str, api: bool) -> String {
    let client = sso::oidc::NewClient {
        id: id.into(),
        redirect_uris: vec![CLIENT_REDIRECT_URI.into()],
        api,
        ..Default::default()
    };
    sso::oidc::add_client(app.app_sso.db(), &client, app.clock_now()).await.unwrap()
}

/// GET an API path with a Bearer token: status, the WWW-Authenticate
/// challenge and the body.
async fn call(app: &TestApp, token: &str, path: &str) -> (StatusCode, String, Value) {
    let r = reqwest::Client::new().get(format!("{}{path}", app.base)).bearer_auth(token).send().await.unwrap();
    let challenge = r.headers().get("www-authenticate").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    (r.status(), challenge, r.json().await.unwrap_or(Value::Null))
}

/// The claims of a JWT, unchecked (the test only reads them).
fn claims(jwt: &str) -> Value {
    use base64::Engine;
    let part = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

async fn a_client_added_while_the_server_runs_works_at_once_even_after_a_refused_try(app: TestApp) {
    let mut browser = app.signed_in(SELLER.0, SELLER.1).await;
    let (_, challenge) = pkce();
    let authorize = format!(
        "/sso/authorize?response_type=code&client_id=dealer-app&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb\
         &scope=openid&code_challenge={challenge}&code_challenge_method=S256"
    );
    let r = browser.get(&authorize).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("not registered"), "{}", r.body);

    let secret = add_client(&app, "dealer-app", true).await;
    let token = access_token_for(&app, browser, "dealer-app", &secret).await;
    let (status, _, me) = call(&app, &token, "/api/v1/me").await;
    assert_eq!(status, StatusCode::OK, "{me}");
}
on_both!(a_client_added_while_the_server_runs_works_at_once_even_after_a_refused_try);

fn pkce() -> (String, String) {
    use base64::Engine;
    use sha2::Digest;
    let verifier = sso::crypto::token();
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

/// An insurer's client granted API access in the configuration file.
fn with_insurer_client(cfg: &mut tims::Config) {
    cfg.sso.clients.push(
        toml::from_str::<sso::ClientConfig>(&format!(
            "id = \"insurer-app\"\nsecret = \"{}\"\nredirect_uris = [\"{CLIENT_REDIRECT_URI}\"]\napi = true",
            common::API_SECRET
        ))
        .unwrap(),
    );
}

async fn a_client_granted_api_access_gets_tokens_the_api_takes_and_one_without_is_told_why(app: TestApp) {
    let secret = add_client(&app, "dealer-app", true).await;
    let token = access_token_for(&app, app.signed_in(SELLER.0, SELLER.1).await, "dealer-app", &secret).await;
    assert_eq!(claims(&token)["aud"], serde_json::json!(["dealer-app", "tims-api"]));
    let (status, _, me) = call(&app, &token, "/api/v1/me").await;
    assert_eq!(status, StatusCode::OK, "{me}");

    let insurer = access_token_for(&app, app.signed_in(SELLER.0, SELLER.1).await, "insurer-app", common::API_SECRET);
    let (status, _, me) = call(&app, &insurer.await, "/api/v1/vehicles").await;
    assert_eq!(status, StatusCode::OK, "a client granted API access in the file too: {me}");

    let secret = add_client(&app, "bank-app", false).await;
    let token = access_token_for(&app, app.signed_in(SELLER.0, SELLER.1).await, "bank-app", &secret).await;
    assert_eq!(claims(&token)["aud"], "bank-app");
    let (status, challenge, problem) = call(&app, &token, "/api/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let why = "the token's audience (bank-app) is not one this API accepts (tims-registry, tims-api)";
    assert_eq!(challenge, format!("Bearer error=\"invalid_token\", error_description=\"{why}\""));
    assert!(problem["detail"].as_str().unwrap().contains(why), "{problem}");
}
on_both!(a_client_granted_api_access_gets_tokens_the_api_takes_and_one_without_is_told_why, super::with_insurer_client);

async fn an_expired_or_damaged_token_is_refused_saying_which(app: TestApp) {
    let secret = add_client(&app, "dealer-app", true).await;
    let token = access_token_for(&app, app.signed_in(SELLER.0, SELLER.1).await, "dealer-app", &secret).await;
    let (status, _, _) = call(&app, &token, "/api/v1/me").await;
    assert_eq!(status, StatusCode::OK);

    let (status, challenge, problem) = call(&app, "not-a-token", "/api/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(challenge.contains("error_description=\"the token is not a compact JWS of three parts\""), "{challenge}");
    assert!(problem["detail"].as_str().unwrap().contains("three parts"), "{problem}");

    let mut forged = token.clone();
    forged.truncate(forged.len() - 4);
    forged.push_str(if token.ends_with("AAAA") { "BBBB" } else { "AAAA" });
    let (status, challenge, _) = call(&app, &forged, "/api/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(challenge.contains("the signature does not verify"), "{challenge}");

    // Ten minutes' life, a minute's grace for clocks.
    app.advance(sso::oidc::ACCESS_TTL_MS + 60_000);
    let (status, challenge, problem) = call(&app, &token, "/api/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(challenge, "Bearer error=\"invalid_token\", error_description=\"the token has expired\"");
    assert_eq!(problem["title"], "Access token refused", "{problem}");
    assert!(!problem.to_string().contains(&token[..20]), "the refusal never repeats the token");
}
on_both!(an_expired_or_damaged_token_is_refused_saying_which);

/// The development SMS list as a script reads it: the messages to `phone`,
/// newest first, once one for `purpose` has arrived.
async fn dev_sms_for(app: &TestApp, phone: &str, purpose: &str) -> Vec<Value> {
    for _ in 0..200 {
        let list: Vec<Value> = reqwest::get(format!("{}/sso/dev/sms.json?to={}", app.base, phone.replace('+', "%2B")))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if list.iter().any(|m| m["purpose"] == purpose) {
            return list;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("no SMS for {purpose} to {phone}");
}

async fn each_development_sms_says_what_it_is_for_and_what_about(app: TestApp) {
    const BUYER: (&str, &str) = ("23456789", "+254723456789");
    let browser = app.signed_in(SELLER.0, SELLER.1).await;
    let list = dev_sms_for(&app, SELLER.1, "sign_in").await;
    assert_eq!((&list[0]["purpose"], &list[0]["reference"]), (&Value::from("sign_in"), &Value::Null), "{list:?}");

    let token = access_token_for(&app, browser, "tims-api", common::API_SECRET).await;
    let http = reqwest::Client::new();
    let api = |method: reqwest::Method, path: &str| {
        http.request(method, format!("{}/api/v1{path}", app.base)).bearer_auth(&token)
    };
    let opened: Value = api(reqwest::Method::POST, "/transfers")
        .json(&serde_json::json!({"registration_number": "KDA 001A", "buyer_type": "individual", "buyer_id_number": BUYER.0}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (id, reference) = (opened["id"].as_str().unwrap(), opened["reference"].as_str().unwrap());
    let r = api(reqwest::Method::PUT, &format!("/transfers/{id}/logbook-scan"))
        .body(b"%PDF-1.4\n% a scanned logbook\n".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = api(reqwest::Method::POST, &format!("/transfers/{id}/codes"))
        .json(&serde_json::json!({"step": "submit"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);

    // A script picks the code by what it is for, not by reading texts.
    let list = dev_sms_for(&app, SELLER.1, "transfer_submit").await;
    let sms = list.iter().find(|m| m["purpose"] == "transfer_submit").unwrap();
    assert_eq!(sms["reference"], reference, "{sms}");
    let code = common::extract_code(sms["body"].as_str().unwrap()).unwrap();
    let r = api(reqwest::Method::POST, &format!("/transfers/{id}/submit"))
        .json(&serde_json::json!({ "code": code }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let told = dev_sms_for(&app, BUYER.1, "transfer_notice").await;
    assert_eq!(told[0]["reference"], reference, "{told:?}");

    let page = reqwest::get(format!("{}/sso/dev/sms", app.base)).await.unwrap().text().await.unwrap();
    assert!(page.contains("<td>transfer_submit</td>") && page.contains(&format!("<td>{reference}</td>")), "{page}");
}
on_both!(each_development_sms_says_what_it_is_for_and_what_about, crate::common::with_api_client);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_says_where_its_tokens_come_from() {
    let Some(app) = TestApp::spawn(common::Backend::Sqlite).await else { return };
    let doc: Value = reqwest::get(format!("{}/api/openapi.json", app.base)).await.unwrap().json().await.unwrap();
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["scheme"], "bearer", "{schemes}");
    assert_eq!(schemes["openIdConnect"]["type"], "openIdConnect", "{schemes}");
    let discovery_url = schemes["openIdConnect"]["openIdConnectUrl"].as_str().unwrap();
    assert_eq!(discovery_url, format!("{}/sso/.well-known/openid-configuration", app.base));
    let discovery: Value = reqwest::get(discovery_url).await.unwrap().json().await.unwrap();
    assert_eq!(discovery["issuer"], format!("{}/sso", app.base));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_without_the_cookies_says_why_in_development() {
    let Some(app) = TestApp::spawn(common::Backend::Sqlite).await else { return };
    // What Python's requests does over http: the form's token, no cookie.
    let mut browser = app.browser();
    let page = browser.get("/sso/signin").await;
    let csrf = page.body.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let r = common::Browser::new(&app.base)
        .post_raw(
            "/sso/signin",
            &[("csrf", &csrf), ("account_type", "citizen"), ("id_number", SELLER.0), ("password", common::PASSWORD)],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("did not send back this site&#39;s cookie"), "{}", r.body);
    assert!(r.body.contains("Python&#39;s requests") && r.body.contains("tims dev token"), "{}", r.body);
}
