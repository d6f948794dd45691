#![allow(clippy::unwrap_used)]
//! The OpenID Connect provider: checked from outside by a certified client
//! (`openid-client` from npm, driven by `tests/oidc/check.mjs`), and here for
//! key rotation and the refusals a relying party must get.

mod common;

use std::path::PathBuf;
use std::process::Stdio;

use common::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const SECRET: &str = "a-test-client-secret-that-is-long-enough";

fn with_client(cfg: &mut tims::Config) {
    cfg.sso.clients.push(
        toml::from_str::<sso::ClientConfig>(&format!(
            "id = \"check\"\nsecret = \"{SECRET}\"\nredirect_uris = [\"http://127.0.0.1:9/cb\"]\n\
             post_logout_redirect_uris = [\"http://127.0.0.1:9/bye\"]"
        ))
        .unwrap(),
    );
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Run the outside client against the app, answering its requests to move
/// the clock (`ADVANCE_MS n` on its stdout; we answer `OK` on its stdin).
async fn run_certified_client(backend: Backend) {
    let dir = repo_root().join("tests/oidc");
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let node_ok = std::process::Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    if !node_ok || !dir.join("node_modules/openid-client").exists() {
        let why = "node or tests/oidc/node_modules is missing (scripts/test installs them)";
        assert!(!ci, "the certified-client check cannot run under CI: {why}");
        eprintln!("SKIPPED the certified-client check: {why}");
        return;
    }
    let Some(app) = TestApp::spawn_with(backend, with_client).await else { return };
    let mut child = tokio::process::Command::new("node")
        .arg("check.mjs")
        .current_dir(&dir)
        .env("ISSUER", format!("{}/sso", app.base))
        .env("CLIENT_ID", "check")
        .env("CLIENT_SECRET", SECRET)
        .env("REDIRECT_URI", "http://127.0.0.1:9/cb")
        .env("POST_LOGOUT_REDIRECT_URI", "http://127.0.0.1:9/bye")
        .env("USER_TYPE", "citizen")
        .env("USER_ID", "12345678")
        .env("USER_PASSWORD", common::PASSWORD)
        .env("USER_PHONE", "+254712345678")
        .env("TIMS_CLOCK", "stdio")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("start node");
    let mut stdin = child.stdin.take().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut transcript = String::new();
    let run = async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(ms) = line.strip_prefix("ADVANCE_MS ") {
                app.advance(ms.trim().parse().expect("ADVANCE_MS takes milliseconds"));
                stdin.write_all(b"OK\n").await.unwrap();
                stdin.flush().await.unwrap();
            } else {
                println!("{line}");
                transcript.push_str(&line);
                transcript.push('\n');
            }
        }
        child.wait().await.unwrap()
    };
    let status =
        tokio::time::timeout(std::time::Duration::from_secs(120), run).await.expect("the check finished in time");
    assert!(status.success(), "the certified client found problems:\n{transcript}");
    assert!(transcript.contains(" passed, 0 failed"), "{transcript}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_certified_client_accepts_the_provider_on_sqlite() {
    run_certified_client(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_certified_client_accepts_the_provider_on_postgres() {
    run_certified_client(Backend::Postgres).await;
}

fn pkce() -> (String, String) {
    use base64::Engine;
    use sha2::Digest;
    let verifier = sso::crypto::token();
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

fn authorize_path(challenge: &str, extra: &str) -> String {
    format!(
        "/sso/authorize?response_type=code&client_id=check&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb\
         &scope=openid%20profile%20organisations&state=s1&nonce=n1&code_challenge={challenge}&code_challenge_method=S256{extra}"
    )
}

fn query_param(url: &str, name: &str) -> Option<String> {
    url::Url::parse(url).ok()?.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

async fn exchange(app: &TestApp, code: &str, verifier: &str) -> (StatusCode, Value) {
    let r = reqwest::Client::new()
        .post(format!("{}/sso/token", app.base))
        .basic_auth("check", Some(SECRET))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", "http://127.0.0.1:9/cb"),
            ("code_verifier", verifier),
        ])
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap())
}

async fn a_signed_in_person_gets_signed_tokens_with_their_claims(app: TestApp) {
    let mut b = app.signed_in("12345678", "+254712345678").await;
    let (verifier, challenge) = pkce();
    let r = b.get(&authorize_path(&challenge, "")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let loc = r.location();
    assert!(loc.starts_with("http://127.0.0.1:9/cb?"), "{loc}");
    assert_eq!(query_param(&loc, "state").as_deref(), Some("s1"));
    assert_eq!(query_param(&loc, "iss").as_deref(), Some(format!("{}/sso", app.base).as_str()));
    let code = query_param(&loc, "code").unwrap();
    let (status, tokens) = exchange(&app, &code, &verifier).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let r = reqwest::Client::new()
        .get(format!("{}/sso/userinfo", app.base))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    let claims: Value = r.json().await.unwrap();
    assert_eq!(claims["name"], "Wanjiku Kamau");
    assert_eq!(claims["id_number"], "12345678");
    assert_eq!(claims["account_type"], "citizen");
    assert_eq!(claims["organisations"][0]["kra_pin"], "P051234567A");
    assert_eq!(claims["organisations"][0]["role"], "admin");
    assert_eq!(claims["organisations"][0]["kind"], "car_dealer");
    assert!(claims.get("phone_number").is_none(), "phone was not in the scope");
    // An ID token is not an access token.
    let r = reqwest::Client::new()
        .get(format!("{}/sso/userinfo", app.base))
        .bearer_auth(tokens["id_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}
on_both!(a_signed_in_person_gets_signed_tokens_with_their_claims, super::with_client);

async fn bad_authorization_requests_are_refused_safely(app: TestApp) {
    let mut b = app.signed_in("12345678", "+254712345678").await;
    let (_, challenge) = pkce();
    // Unknown client or unregistered redirect: an error page, never a redirect.
    for path in [
        authorize_path(&challenge, "").replace("client_id=check", "client_id=nobody"),
        authorize_path(&challenge, "").replace("9%2Fcb", "9%2Fcb%2Fevil"),
        authorize_path(&challenge, "").replace("http%3A%2F%2F127.0.0.1%3A9%2Fcb", "http%3A%2F%2F127.0.0.1%3A9%2FCB"),
    ] {
        let r = b.get(&path).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}");
        assert!(r.location().is_empty());
    }
    // Other faults go back to the client with an error.
    for (path, error) in [
        (
            authorize_path(&challenge, "").replace("&code_challenge_method=S256", "&code_challenge_method=plain"),
            "invalid_request",
        ),
        (authorize_path(&challenge, "").replace(&format!("&code_challenge={challenge}"), ""), "invalid_request"),
        (authorize_path(&challenge, "").replace("scope=openid%20", "scope="), "invalid_scope"),
        (
            authorize_path(&challenge, "").replace("response_type=code", "response_type=token"),
            "unsupported_response_type",
        ),
    ] {
        let r = b.get(&path).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(query_param(&r.location(), "error").as_deref(), Some(error), "{path}");
        assert_eq!(query_param(&r.location(), "state").as_deref(), Some("s1"));
    }
    // Not signed in: prompt=none answers login_required; otherwise sign in.
    let mut anon = app.browser();
    let r = anon.get(&authorize_path(&challenge, "&prompt=none")).await;
    assert_eq!(query_param(&r.location(), "error").as_deref(), Some("login_required"));
    let r = anon.get(&authorize_path(&challenge, "")).await;
    assert!(r.location().starts_with("/sso/signin?return_to=%2Fsso%2Fauthorize%3F"), "{}", r.location());
}
on_both!(bad_authorization_requests_are_refused_safely, super::with_client);

async fn a_rotated_key_stays_published_until_its_tokens_expire(app: TestApp) {
    let mut b = app.signed_in("12345678", "+254712345678").await;
    let (verifier, challenge) = pkce();
    let code = query_param(&b.get(&authorize_path(&challenge, "")).await.location(), "code").unwrap();
    let (_, old_tokens) = exchange(&app, &code, &verifier).await;
    let jwks = |app: &TestApp| {
        let url = format!("{}/sso/jwks", app.base);
        async move { reqwest::get(url).await.unwrap().json::<Value>().await.unwrap()["keys"].as_array().unwrap().len() }
    };
    // One RS256 key for ID tokens and one ES256 key for access tokens.
    assert_eq!(jwks(&app).await, 2);
    sso::keys::rotate(app.app_sso.db(), app.clock_now(), &tims::signing_key_wrap(&app.config)).await.unwrap();
    app.advance(61_000);
    assert_eq!(jwks(&app).await, 4, "old and new keys are published after rotation");
    // The new key signs only once relying parties' cached key sets know it.
    app.advance(60_000);
    // New tokens are signed with the new key; the old access token still works.
    let r = reqwest::Client::new()
        .get(format!("{}/sso/userinfo", app.base))
        .bearer_auth(old_tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (verifier, challenge) = pkce();
    let code = query_param(&b.get(&authorize_path(&challenge, "")).await.location(), "code").unwrap();
    let (_, new_tokens) = exchange(&app, &code, &verifier).await;
    let kid = |t: &Value, field: &str| {
        use base64::Engine;
        let h = t[field].as_str().unwrap().split('.').next().unwrap().to_string();
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(h).unwrap();
        serde_json::from_slice::<Value>(&bytes).unwrap()["kid"].as_str().unwrap().to_string()
    };
    assert_ne!(kid(&old_tokens, "id_token"), kid(&new_tokens, "id_token"));
    assert_ne!(kid(&old_tokens, "access_token"), kid(&new_tokens, "access_token"));
    let alg = |t: &Value, field: &str| {
        use base64::Engine;
        let h = t[field].as_str().unwrap().split('.').next().unwrap().to_string();
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(h).unwrap();
        serde_json::from_slice::<Value>(&bytes).unwrap()["alg"].as_str().unwrap().to_string()
    };
    assert_eq!((alg(&new_tokens, "id_token").as_str(), alg(&new_tokens, "access_token").as_str()), ("RS256", "ES256"));
    app.advance(19 * 60_000);
    assert_eq!(jwks(&app).await, 4, "the old keys' last tokens may still be alive");
    app.advance(5 * 60_000);
    assert_eq!(jwks(&app).await, 2, "the old keys are gone once their tokens have expired");
}
on_both!(a_rotated_key_stays_published_until_its_tokens_expire, super::with_client);

#[tokio::test]
async fn production_mode_refuses_development_adapters_and_insecure_settings() {
    let dir = common::TempDir::new();
    let mut cfg = tims::Config { data: dir.0.clone(), production: true, ..tims::Config::default() };
    cfg.listen = "127.0.0.1:0".parse().unwrap();
    let clock: std::sync::Arc<dyn db::Clock> = std::sync::Arc::new(db::ManualClock::new(common::START_MS));
    let adapters = tims::sso_adapters(&cfg, clock.clone()).unwrap();
    let err = tims::Application::build(&cfg, clock.clone(), adapters.clone()).await.err().unwrap().to_string();
    assert!(err.contains("https://") && err.contains("demo_data"), "{err}");
    cfg.public_url = "https://tims.example".into();
    cfg.demo_data = false;
    let err = tims::Application::build(&cfg, clock.clone(), adapters.clone()).await.err().unwrap().to_string();
    assert!(err.contains("TIMS_SECRETS_KEY"), "{err}");
    cfg.secrets_key = Some(tims::Secret::new("a-key-of-at-least-thirty-two-characters"));
    let err = tims::Application::build(&cfg, clock, adapters).await.err().unwrap().to_string();
    for what in ["SMS sink", "population register", "KRA register"] {
        assert!(err.contains(what), "{err}");
    }
}

/// With the operator's secrets key, the signing keys are sealed in the
/// database: keys kept in the clear before are sealed at the next start
/// and, since older copies of the database still hold them, replaced (they
/// stay published, so tokens they signed still verify); a database whose
/// keys are sealed does not start, nor take a new key, without the key or
/// with another.
#[tokio::test]
async fn the_secrets_key_seals_the_signing_keys() {
    let dir = common::TempDir::new();
    let mut cfg = tims::Config { data: dir.0.clone(), ..tims::Config::default() };
    cfg.listen = "127.0.0.1:0".parse().unwrap();
    let clock: std::sync::Arc<dyn db::Clock> = std::sync::Arc::new(db::ManualClock::new(common::START_MS));
    let adapters = tims::sso_adapters(&cfg, clock.clone()).unwrap();
    let keys = |app: &tims::Application| {
        let pool = app.db().pool().clone();
        async move {
            let rows: Vec<(String, String)> =
                sqlx::query_as("SELECT kid, private_pem FROM sso_keys ORDER BY kid").fetch_all(&pool).await.unwrap();
            rows
        }
    };
    let app = tims::Application::build(&cfg, clock.clone(), adapters.clone()).await.unwrap();
    let clear = keys(&app).await;
    assert_eq!(clear.len(), 2);
    assert!(clear.iter().all(|(_, pem)| !pem.starts_with("sealed:")), "no key: kept in the clear");
    app.db().close().await;
    drop(app);

    cfg.secrets_key = Some(tims::Secret::new("an-operator-key-of-more-than-thirty-two-characters"));
    let app = tims::Application::build(&cfg, clock.clone(), adapters.clone()).await.unwrap();
    let kept: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM sso_secrets WHERE name IN ('code_pepper', 'code_seal_key')) + \
         (SELECT COUNT(*) FROM reg_secrets WHERE name IN ('code_pepper', 'oidc_client_secret'))",
    )
    .fetch_one(app.db().pool())
    .await
    .unwrap();
    assert_eq!(kept, 0, "the secrets kept before the key are forgotten");
    let sealed = keys(&app).await;
    assert_eq!(sealed.len(), 4, "the two old keys, still published, and two new ones: {sealed:?}");
    assert!(clear.iter().all(|(kid, _)| sealed.iter().any(|(k, _)| k == kid)), "the old keys keep their ids");
    assert!(sealed.iter().all(|(_, pem)| pem.starts_with("sealed:")), "{sealed:?}");
    let current: Vec<String> = sqlx::query_scalar("SELECT kid FROM sso_keys WHERE retired_at IS NULL")
        .fetch_all(app.db().pool())
        .await
        .unwrap();
    assert!(current.len() == 2 && current.iter().all(|k| !clear.iter().any(|(c, _)| c == k)), "{current:?}");
    let kid = sso::keys::rotate(app.db(), common::START_MS, &tims::signing_key_wrap(&cfg)).await.unwrap();
    let rotated = keys(&app).await;
    assert!(rotated.iter().any(|(k, pem)| *k == kid && pem.starts_with("sealed:")), "a rotated key is sealed too");

    let mut other = cfg.clone();
    other.secrets_key = Some(tims::Secret::new("another-operator-key-of-more-than-thirty-two"));
    let mut none = cfg.clone();
    none.secrets_key = None;
    for (c, why) in [(&other, "sealed with another secrets key"), (&none, "TIMS_SECRETS_KEY")] {
        let err = sso::keys::rotate(app.db(), common::START_MS, &tims::signing_key_wrap(c)).await.unwrap_err();
        assert!(err.to_string().contains(why), "{err}");
    }
    app.db().close().await;
    drop(app);
    for (c, why) in [(&other, "sealed with another secrets key"), (&none, "TIMS_SECRETS_KEY")] {
        let err = tims::Application::build(c, clock.clone(), adapters.clone()).await.err().unwrap();
        assert!(format!("{err:#}").contains(why), "{err:#}");
    }
}

async fn refresh(app: &TestApp, token: &str, scope: Option<&str>) -> (StatusCode, Value) {
    let mut form = vec![("grant_type", "refresh_token"), ("refresh_token", token)];
    if let Some(s) = scope {
        form.push(("scope", s));
    }
    let r = reqwest::Client::new()
        .post(format!("{}/sso/token", app.base))
        .basic_auth("check", Some(SECRET))
        .form(&form)
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap())
}

async fn prompts_max_age_and_refresh_follow_the_specification(app: TestApp) {
    let mut b = app.signed_in("12345678", "+254712345678").await;
    let (verifier, challenge) = pkce();
    // prompt=none may not be combined; consent is not offered.
    let r = b.get(&authorize_path(&challenge, "&prompt=none%20login")).await;
    assert_eq!(query_param(&r.location(), "error").as_deref(), Some("invalid_request"));
    let r = b.get(&authorize_path(&challenge, "&prompt=consent")).await;
    assert_eq!(query_param(&r.location(), "error").as_deref(), Some("consent_required"));
    // prompt=login and a passed max_age ask for a fresh sign-in, then come back without prompt=login.
    let r = b.get(&authorize_path(&challenge, "&prompt=login")).await;
    let loc = r.location();
    assert!(loc.starts_with("/sso/signin?return_to="), "{loc}");
    let back = query_param(&format!("http://x{loc}"), "return_to").unwrap();
    assert!(back.starts_with("/sso/authorize?") && !back.contains("prompt"), "{back}");
    app.advance(120_000);
    let r = b.get(&authorize_path(&challenge, "&max_age=60")).await;
    assert!(r.location().starts_with("/sso/signin?return_to="), "{}", r.location());
    let r = b.get(&authorize_path(&challenge, "&max_age=60&prompt=none")).await;
    assert_eq!(query_param(&r.location(), "error").as_deref(), Some("login_required"));
    let r = b.get(&authorize_path(&challenge, "&max_age=600")).await;
    let code = query_param(&r.location(), "code").unwrap();

    // Without offline_access there is no refresh token.
    let (_, tokens) = exchange(&app, &code, &verifier).await;
    assert!(tokens.get("refresh_token").is_none(), "{tokens}");
    let path = authorize_path(&challenge, "").replace("organisations", "organisations%20offline_access");
    let code = query_param(&b.get(&path).await.location(), "code").unwrap();
    let (_, tokens) = exchange(&app, &code, &verifier).await;
    let rt = tokens["refresh_token"].as_str().unwrap().to_string();
    // A refused widening leaves the refresh token usable; narrowing narrows.
    let (status, body) = refresh(&app, &rt, Some("openid phone")).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_scope")));
    let (status, body) = refresh(&app, &rt, Some("openid")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["scope"], "openid");
    let (status, again) = refresh(&app, body["refresh_token"].as_str().unwrap(), None).await;
    assert_eq!(status, StatusCode::OK, "the rotated token keeps the whole grant: {again}");
    assert!(again["scope"].as_str().unwrap().contains("organisations"));

    // An access token is not an ID token hint for sign-out.
    let r = b
        .get(&format!(
            "/sso/logout?id_token_hint={}&post_logout_redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fbye",
            tokens["access_token"].as_str().unwrap()
        ))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(b.get("/sso/").await.status, StatusCode::OK, "still signed in");
}
on_both!(prompts_max_age_and_refresh_follow_the_specification, super::with_client);

/// RFC 7009: a client revokes a refresh token, and with it every token of
/// the same grant; an unknown token is answered as revoked; another
/// client's token, an access token and a client that does not
/// authenticate are refused.
async fn a_client_revokes_its_refresh_token(app: TestApp) {
    let mut b = app.signed_in("12345678", "+254712345678").await;
    let (verifier, challenge) = pkce();
    let path = authorize_path(&challenge, "").replace("organisations", "organisations%20offline_access");
    let code = query_param(&b.get(&path).await.location(), "code").unwrap();
    let (_, tokens) = exchange(&app, &code, &verifier).await;
    let first = tokens["refresh_token"].as_str().unwrap().to_string();
    let (_, rotated) = refresh(&app, &first, None).await;
    let current = rotated["refresh_token"].as_str().unwrap().to_string();

    let discovery: Value =
        reqwest::get(format!("{}/sso/.well-known/openid-configuration", app.base)).await.unwrap().json().await.unwrap();
    let endpoint = discovery["revocation_endpoint"].as_str().unwrap().to_string();
    assert_eq!(endpoint, format!("{}/sso/revoke", app.base));
    let revoke = |token: String, secret: &'static str| {
        let endpoint = endpoint.clone();
        async move {
            reqwest::Client::new()
                .post(endpoint)
                .basic_auth("check", Some(secret))
                .form(&[("token", token.as_str()), ("token_type_hint", "refresh_token")])
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(revoke(current.clone(), "not-the-secret").await, StatusCode::UNAUTHORIZED);
    assert_eq!(refresh(&app, &current, None).await.0, StatusCode::OK, "a refused revocation revokes nothing");
    let (_, again) = refresh(&app, &current, None).await;
    assert_eq!(again["error"], "invalid_grant", "a reused token revokes its grant: {again}");

    // A fresh grant, revoked by its spent first token: the whole grant goes.
    let code = query_param(&b.get(&path).await.location(), "code").unwrap();
    let (_, tokens) = exchange(&app, &code, &verifier).await;
    let first = tokens["refresh_token"].as_str().unwrap().to_string();
    let (_, rotated) = refresh(&app, &first, None).await;
    let current = rotated["refresh_token"].as_str().unwrap().to_string();
    assert_eq!(revoke("no-such-token".into(), SECRET).await, StatusCode::OK);
    let access = rotated["access_token"].as_str().unwrap().to_string();
    assert_eq!(revoke(access, SECRET).await, StatusCode::BAD_REQUEST, "access tokens are not revoked");
    // Another client may not revoke this client's grant.
    let another = sso::oidc::NewClient {
        id: "another".into(),
        redirect_uris: vec!["http://127.0.0.1:9/cb".into()],
        ..Default::default()
    };
    let other_client = sso::oidc::add_client(app.app_sso.db(), &another, app.clock_now()).await.unwrap();
    let r = reqwest::Client::new()
        .post(&endpoint)
        .basic_auth("another", Some(&other_client))
        .form(&[("token", first.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let (status, rotated) = refresh(&app, &current, None).await;
    assert_eq!(status, StatusCode::OK, "the grant survives another client's attempt: {rotated}");
    let current = rotated["refresh_token"].as_str().unwrap().to_string();
    assert_eq!(revoke(first, SECRET).await, StatusCode::OK);
    let (status, body) = refresh(&app, &current, None).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
}
on_both!(a_client_revokes_its_refresh_token, super::with_client);

async fn recovery_revokes_what_relying_parties_hold(app: TestApp) {
    let mut b = app.signed_in("12345678", "+254712345678").await;
    let (verifier, challenge) = pkce();
    let path = authorize_path(&challenge, "").replace("organisations", "organisations%20offline_access");
    let code = query_param(&b.get(&path).await.location(), "code").unwrap();
    let (_, tokens) = exchange(&app, &code, &verifier).await;
    let rt = tokens["refresh_token"].as_str().unwrap();
    // Someone else's failed sign-ins change nothing for the grant...
    let mut guesser = app.browser();
    for _ in 0..10 {
        app.advance(10 * 60_000);
        guesser.sign_in_password("citizen", "12345678", "wrong password!").await;
    }
    let (status, body) = refresh(&app, rt, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let rt = body["refresh_token"].as_str().unwrap().to_string();
    // ...and the owner's recovery revokes it.
    let mut rec = app.browser();
    let seen = app.sms_to("+254712345678").len();
    rec.post("/sso/recover", &common::recovery_form("12345678", "1985-03-14")).await;
    let code = app.next_code("+254712345678", seen).await;
    let pw = "mango lorry rain seven";
    let r = rec.post("/sso/recover/code", &[("code", &code), ("password", pw), ("password_confirm", pw)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let (status, body) = refresh(&app, &rt, None).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
}
on_both!(recovery_revokes_what_relying_parties_hold, super::with_client);

async fn a_code_dies_with_its_session_and_logout_and_authorize_take_post(app: TestApp) {
    let mut b = app.signed_in("12345678", "+254712345678").await;
    let (verifier, challenge) = pkce();
    let code = query_param(&b.get(&authorize_path(&challenge, "")).await.location(), "code").unwrap();
    b.post("/sso/signout", &[]).await;
    let (status, body) = exchange(&app, &code, &verifier).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")), "{body}");

    // Authorize as a form POST.
    let mut b = app.signed_in("12345678", "+254712345678").await;
    let (verifier, challenge) = pkce();
    let fields = [
        ("response_type", "code"),
        ("client_id", "check"),
        ("redirect_uri", "http://127.0.0.1:9/cb"),
        ("scope", "openid"),
        ("state", "p1"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    let r = b.post_raw("/sso/authorize", &fields).await;
    assert_eq!(query_param(&r.location(), "state").as_deref(), Some("p1"), "{}", r.body);
    let code = query_param(&r.location(), "code").unwrap();
    let (_, tokens) = exchange(&app, &code, &verifier).await;
    // RP-initiated logout as a form POST.
    let hint = tokens["id_token"].as_str().unwrap();
    let r = b
        .post_raw(
            "/sso/logout",
            &[("id_token_hint", hint), ("post_logout_redirect_uri", "http://127.0.0.1:9/bye"), ("state", "z")],
        )
        .await;
    assert_eq!(r.location(), "http://127.0.0.1:9/bye?state=z");
    assert_eq!(b.get("/sso/").await.status, StatusCode::SEE_OTHER);
}
on_both!(a_code_dies_with_its_session_and_logout_and_authorize_take_post, super::with_client);
