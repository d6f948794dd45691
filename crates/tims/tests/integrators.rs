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
