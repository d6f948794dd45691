//! The relying party against a fake provider it reaches over HTTP.

#![allow(clippy::unwrap_used)]

mod support;

use std::collections::HashMap;

use base64::Engine;
use oidc_rp::{Begin, Provider, RpError, SignedIn};
use ring::hmac;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use support::*;

fn query(url: &str) -> HashMap<String, String> {
    url::Url::parse(url).unwrap().query_pairs().into_owned().collect()
}

fn is_invalid(r: Result<impl std::fmt::Debug, RpError>, reason: &str) {
    match r {
        Err(RpError::InvalidToken(got)) => assert!(got.contains(reason), "refused for {got:?}, expected {reason:?}"),
        other => panic!("expected a token refused for {reason:?}, got {other:?}"),
    }
}

/// A sign-in whose ID token is built from the honest claims, changed by
/// `edit`, and signed by `key` with `header`.
async fn sign_in_with(
    fake: &Fake,
    provider: &Provider,
    key: &TestKey,
    header: Value,
    edit: impl FnOnce(&mut Value),
) -> Result<SignedIn, RpError> {
    let begin = provider.begin(&[]);
    let mut claims = fake.id_claims(&begin.pending.nonce);
    edit(&mut claims);
    fake.respond_with(&key.sign(&header, &claims), "opaque-access-token");
    provider.finish(&fake.callback(&begin), &begin.pending, NOW).await
}

async fn sign_in_editing(edit: impl FnOnce(&mut Value)) -> Result<SignedIn, RpError> {
    let fake = Fake::start().await;
    let provider = fake.discover().await;
    sign_in_with(&fake, &provider, key_a(), key_a().header("JWT"), edit).await
}

// --- discovery ---------------------------------------------------------

#[tokio::test]
async fn discovery_reads_the_document_under_the_issuers_path() {
    let fake = Fake::start().await;
    let provider = fake.discover().await;
    assert_eq!(provider.issuer(), fake.issuer);
    assert_eq!(provider.metadata().token_endpoint, format!("{}/token", fake.issuer));
    assert_eq!(fake.jwks_hits(), 1);
}

#[tokio::test]
async fn discovery_refuses_a_document_that_names_another_issuer() {
    let fake = Fake::start().await;
    let other = format!("{}/", fake.issuer);
    fake.with(|s| s.discovery["issuer"] = json!(other));
    match Provider::discover(http(), fake.config()).await {
        Err(RpError::IssuerMismatch { expected, found }) => {
            assert_eq!(expected, fake.issuer);
            assert_eq!(found, other);
        }
        other => panic!("expected an issuer mismatch, got {other:?}"),
    }
}

#[tokio::test]
async fn discovery_can_be_tried_again_once_the_provider_is_up() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let mut cfg = Fake::start().await.config();
    cfg.issuer = format!("http://{addr}{REALM}");
    let down = Provider::discover(http(), cfg.clone()).await;
    assert!(matches!(down, Err(RpError::Unreachable(_))), "{down:?}");

    let fake = Fake::start_on(tokio::net::TcpListener::bind(addr).await.unwrap()).await;
    fake.with(|s| s.discovery_status = 503);
    let failing = Provider::discover(http(), cfg.clone()).await;
    assert!(matches!(failing, Err(RpError::BadResponse(_))), "{failing:?}");

    fake.with(|s| s.discovery_status = 200);
    assert!(Provider::discover(http(), cfg).await.is_ok());
}

#[tokio::test]
async fn discovery_fails_when_the_jwks_has_no_usable_key() {
    let fake = Fake::start().await;
    fake.with(|s| s.jwks = json!({"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}));
    let r = Provider::discover(http(), fake.config()).await;
    assert!(matches!(r, Err(RpError::BadResponse(_))), "{r:?}");
}

// --- begin -------------------------------------------------------------

#[tokio::test]
async fn begin_sends_the_browser_with_state_nonce_and_an_s256_challenge() {
    let fake = Fake::start().await;
    let provider = fake.discover().await;
    let Begin { url, pending } = provider.begin(&[("prompt", "login"), ("state", "attacker")]);
    assert!(url.starts_with(&format!("{}/authorize?", fake.issuer)), "{url}");
    let q = query(&url);
    assert_eq!(q["realm_hint"], "tims", "the endpoint's own query is kept");
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["client_id"], CLIENT_ID);
    assert_eq!(q["redirect_uri"], REDIRECT_URI);
    assert_eq!(q["scope"], "openid profile");
    assert_eq!(q["state"], pending.state, "an extra parameter cannot replace the state");
    assert_eq!(q["nonce"], pending.nonce);
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["code_challenge"], b64(&Sha256::digest(pending.code_verifier.as_bytes())));
    assert_eq!(q["prompt"], "login");
    for secret in [&pending.state, &pending.nonce, &pending.code_verifier] {
        assert_eq!(secret.len(), 43, "32 random bytes in base64url");
    }
    let again = provider.begin(&[]).pending;
    assert_ne!(again.state, pending.state);
    assert_ne!(again.nonce, pending.nonce);
    assert_ne!(again.code_verifier, pending.code_verifier);
}

#[tokio::test]
async fn pending_survives_a_round_trip_through_json() {
    let fake = Fake::start().await;
    let pending = fake.discover().await.begin(&[]).pending;
    let stored = serde_json::to_string(&pending).unwrap();
    let back: oidc_rp::Pending = serde_json::from_str(&stored).unwrap();
    assert_eq!(back.code_verifier, pending.code_verifier);
}

// --- finish ------------------------------------------------------------

#[tokio::test]
async fn a_sign_in_with_a_good_code_returns_the_verified_claims_and_tokens() {
    let fake = Fake::start().await;
    let provider = fake.discover().await;
    let begin = provider.begin(&[]);
    let id_token = key_a().sign(&key_a().header("JWT"), &fake.id_claims(&begin.pending.nonce));
    fake.respond_with(&id_token, "opaque-access-token");
    let signed = provider.finish(&fake.callback(&begin), &begin.pending, NOW).await.unwrap();

    assert_eq!(signed.subject, "person-1");
    assert_eq!(signed.claims["name"], "Wanjiku Kamau");
    assert_eq!(signed.access_token, "opaque-access-token");
    assert_eq!(signed.refresh_token.as_deref(), Some("refresh-1"));
    assert_eq!(signed.access_expires_at_ms, Some(NOW + 300_000));
    assert_eq!(signed.id_token, id_token);

    let (auth, form) = fake.with(|s| s.token_requests.pop().unwrap());
    let expected = base64::engine::general_purpose::STANDARD.encode(format!(
        "{CLIENT_ID}:{}",
        url::form_urlencoded::byte_serialize(CLIENT_SECRET.as_bytes()).collect::<String>()
    ));
    assert_eq!(auth.unwrap(), format!("Basic {expected}"));
    assert_eq!(form["grant_type"], "authorization_code");
    assert_eq!(form["code"], "code-1");
    assert_eq!(form["redirect_uri"], REDIRECT_URI);
    assert_eq!(form["code_verifier"], begin.pending.code_verifier);
    assert!(!form.contains_key("client_secret"), "one client authentication method only");
}

#[tokio::test]
async fn a_provider_that_only_takes_the_secret_in_the_form_gets_it_there() {
    let fake = Fake::start().await;
    fake.with(|s| s.discovery["token_endpoint_auth_methods_supported"] = json!(["client_secret_post"]));
    let provider = fake.discover().await;
    sign_in_with(&fake, &provider, key_a(), key_a().header("JWT"), |_| {}).await.unwrap();
    let (auth, form) = fake.with(|s| s.token_requests.pop().unwrap());
    assert_eq!(auth, None);
    assert_eq!(form["client_id"], CLIENT_ID);
    assert_eq!(form["client_secret"], CLIENT_SECRET);
}

#[tokio::test]
async fn an_es256_id_token_is_accepted() {
    let fake = Fake::start().await;
    fake.with(|s| s.jwks = json!({"keys": [key_a().jwk(), key_ec().jwk()]}));
    let provider = fake.discover().await;
    let signed = sign_in_with(&fake, &provider, key_ec(), key_ec().header("JWT"), |_| {}).await.unwrap();
    assert_eq!(signed.subject, "person-1");
}

#[tokio::test]
async fn a_callback_with_another_state_is_refused_before_the_code_is_redeemed() {
    let fake = Fake::start().await;
    let provider = fake.discover().await;
    let begin = provider.begin(&[]);
    let mut callback = fake.callback(&begin);
    callback.insert("state".into(), provider.begin(&[]).pending.state);
    assert!(matches!(provider.finish(&callback, &begin.pending, NOW).await, Err(RpError::StateMismatch)));
    callback.remove("state");
    assert!(matches!(provider.finish(&callback, &begin.pending, NOW).await, Err(RpError::StateMismatch)));
    assert!(fake.with(|s| s.token_requests.is_empty()));
}

#[tokio::test]
async fn a_callback_from_another_issuer_is_refused() {
    let fake = Fake::start().await;
    let provider = fake.discover().await;
    let begin = provider.begin(&[]);
    let mut callback = fake.callback(&begin);
    callback.insert("iss".into(), "https://attacker.example".into());
    let r = provider.finish(&callback, &begin.pending, NOW).await;
    assert!(matches!(r, Err(RpError::IssuerMismatch { .. })), "{r:?}");
    // The provider promised `iss` (RFC 9207), so leaving it out is refused too.
    callback.remove("iss");
    let r = provider.finish(&callback, &begin.pending, NOW).await;
    assert!(matches!(r, Err(RpError::IssuerMismatch { .. })), "{r:?}");
    assert!(fake.with(|s| s.token_requests.is_empty()));
}

#[tokio::test]
async fn an_error_from_the_provider_is_returned_with_its_code() {
    let fake = Fake::start().await;
    let provider = fake.discover().await;
    let begin = provider.begin(&[]);
    let mut callback = fake.callback(&begin);
    callback.remove("code");
    callback.insert("error".into(), "access_denied".into());
    callback.insert("error_description".into(), "the person said no".into());
    match provider.finish(&callback, &begin.pending, NOW).await {
        Err(RpError::Provider { error, description }) => {
            assert_eq!(error, "access_denied");
            assert_eq!(description.as_deref(), Some("the person said no"));
        }
        other => panic!("expected a provider error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_refused_code_is_returned_as_the_token_endpoints_error() {
    let fake = Fake::start().await;
    let provider = fake.discover().await;
    fake.with(|s| {
        s.token_status = 400;
        s.token_body = json!({"error": "invalid_grant", "error_description": "code already used"});
    });
    let begin = provider.begin(&[]);
    match provider.finish(&fake.callback(&begin), &begin.pending, NOW).await {
        Err(RpError::Provider { error, .. }) => assert_eq!(error, "invalid_grant"),
        other => panic!("expected invalid_grant, got {other:?}"),
    }
}

#[tokio::test]
async fn a_token_answer_that_comes_from_another_url_is_refused() {
    let fake = Fake::start().await;
    // A client that follows redirects, as the registry must not build.
    let provider = Provider::discover(reqwest::Client::new(), fake.config()).await.unwrap();
    fake.with(|s| s.token_redirects = true);
    let r = sign_in_with(&fake, &provider, key_a(), key_a().header("JWT"), |_| {}).await;
    assert!(matches!(r, Err(RpError::BadResponse(_))), "{r:?}");
}

#[tokio::test]
async fn an_id_token_for_another_client_is_refused() {
    is_invalid(sign_in_editing(|c| c["aud"] = json!("someone-else")).await, "another client");
    is_invalid(sign_in_editing(|c| c["aud"] = json!(["someone-else"])).await, "another client");
}

#[tokio::test]
async fn an_id_token_with_several_audiences_needs_an_azp_naming_us() {
    is_invalid(sign_in_editing(|c| c["aud"] = json!([CLIENT_ID, "other"])).await, "no azp");
    is_invalid(
        sign_in_editing(|c| {
            c["aud"] = json!([CLIENT_ID, "other"]);
            c["azp"] = json!("other");
        })
        .await,
        "azp",
    );
    sign_in_editing(|c| {
        c["aud"] = json!([CLIENT_ID, "other"]);
        c["azp"] = json!(CLIENT_ID);
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn an_id_token_from_another_issuer_is_refused() {
    is_invalid(sign_in_editing(|c| c["iss"] = json!("https://attacker.example")).await, "another issuer");
    is_invalid(sign_in_editing(|c| c["iss"] = json!(format!("{}/", c["iss"].as_str().unwrap()))).await, "issuer");
}

#[tokio::test]
async fn an_expired_id_token_is_refused_beyond_the_clock_skew() {
    is_invalid(sign_in_editing(|c| c["exp"] = json!(NOW_S - 61)).await, "expired");
    sign_in_editing(|c| c["exp"] = json!(NOW_S - 30)).await.unwrap();
}

#[tokio::test]
async fn an_id_token_issued_in_the_future_is_refused() {
    is_invalid(sign_in_editing(|c| c["iat"] = json!(NOW_S + 120)).await, "future");
    sign_in_editing(|c| c["iat"] = json!(NOW_S + 30)).await.unwrap();
}

#[tokio::test]
async fn an_id_token_without_a_subject_or_issue_time_is_refused() {
    is_invalid(sign_in_editing(|c| _ = c.as_object_mut().unwrap().remove("sub")).await, "subject");
    is_invalid(sign_in_editing(|c| _ = c.as_object_mut().unwrap().remove("iat")).await, "issue time");
}

#[tokio::test]
async fn an_id_token_with_another_nonce_is_refused() {
    is_invalid(sign_in_editing(|c| c["nonce"] = json!("replayed-nonce")).await, "nonce");
    is_invalid(sign_in_editing(|c| _ = c.as_object_mut().unwrap().remove("nonce")).await, "nonce");
}

#[tokio::test]
async fn an_id_token_whose_at_hash_names_another_access_token_is_refused() {
    is_invalid(sign_in_editing(|c| c["at_hash"] = json!(b64(&[0; 16]))).await, "at_hash");
    let good = b64(&Sha256::digest(b"opaque-access-token")[..16]);
    sign_in_editing(|c| c["at_hash"] = json!(good)).await.unwrap();
}

#[tokio::test]
async fn an_unsigned_id_token_with_alg_none_is_refused() {
    let fake = Fake::start().await;
    let provider = fake.discover().await;
    let begin = provider.begin(&[]);
    let claims = fake.id_claims(&begin.pending.nonce);
    let token = format!("{}.{}.", b64_json(&json!({"alg": "none"})), b64_json(&claims));
    fake.respond_with(&token, "opaque-access-token");
    is_invalid(provider.finish(&fake.callback(&begin), &begin.pending, NOW).await, "unsigned");
}

#[tokio::test]
async fn an_id_token_signed_with_the_client_secret_is_refused() {
    let fake = Fake::start().await;
    let provider = fake.discover().await;
    let begin = provider.begin(&[]);
    let input = format!(
        "{}.{}",
        b64_json(&json!({"alg": "HS256", "kid": "key-a"})),
        b64_json(&fake.id_claims(&begin.pending.nonce))
    );
    let mac = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, CLIENT_SECRET.as_bytes()), input.as_bytes());
    fake.respond_with(&format!("{input}.{}", b64(mac.as_ref())), "opaque-access-token");
    is_invalid(provider.finish(&fake.callback(&begin), &begin.pending, NOW).await, "symmetric");
}

#[tokio::test]
async fn an_id_token_with_a_tampered_payload_is_refused_without_refetching_keys() {
    let fake = Fake::start().await;
    let provider = fake.discover().await;
    let begin = provider.begin(&[]);
    let good = key_a().sign(&key_a().header("JWT"), &fake.id_claims(&begin.pending.nonce));
    let mut parts: Vec<String> = good.split('.').map(str::to_string).collect();
    let mut claims = fake.id_claims(&begin.pending.nonce);
    claims["sub"] = json!("person-2");
    parts[1] = b64_json(&claims);
    fake.respond_with(&parts.join("."), "opaque-access-token");
    is_invalid(provider.finish(&fake.callback(&begin), &begin.pending, NOW).await, "signature");
    assert_eq!(fake.jwks_hits(), 1, "a bad signature under a known key is not a reason to refetch");
}

#[tokio::test]
async fn an_id_token_with_padded_base64_is_refused() {
    let fake = Fake::start().await;
    let provider = fake.discover().await;
    let begin = provider.begin(&[]);
    let good = key_a().sign(&key_a().header("JWT"), &fake.id_claims(&begin.pending.nonce));
    fake.respond_with(&format!("{good}=="), "opaque-access-token");
    is_invalid(provider.finish(&fake.callback(&begin), &begin.pending, NOW).await, "base64url");
}

#[tokio::test]
async fn an_access_token_is_not_accepted_as_an_id_token() {
    let fake = Fake::start().await;
    let provider = fake.discover().await;
    is_invalid(sign_in_with(&fake, &provider, key_a(), key_a().header("at+jwt"), |_| {}).await, "access token");
}

#[tokio::test]
async fn an_id_token_under_a_new_key_is_accepted_once_the_jwks_is_fetched_again() {
    let fake = Fake::start().await;
    let provider = fake.discover().await;
    // The provider rotates: key B is published and signs from now on.
    fake.with(|s| s.jwks = json!({"keys": [key_a().jwk(), key_b().jwk()]}));
    let signed = sign_in_with(&fake, &provider, key_b(), key_b().header("JWT"), |_| {}).await.unwrap();
    assert_eq!(signed.subject, "person-1");
    assert_eq!(fake.jwks_hits(), 2);
    // Key B is now known: no further fetch.
    sign_in_with(&fake, &provider, key_b(), key_b().header("JWT"), |_| {}).await.unwrap();
    assert_eq!(fake.jwks_hits(), 2);
}

#[tokio::test]
async fn an_unknown_key_id_refetches_the_jwks_at_most_once_every_ten_seconds() {
    let fake = Fake::start().await;
    let provider = fake.discover().await;
    let unknown = |fake: &Fake| {
        let mut header = key_a().header("at+jwt");
        header["kid"] = json!("made-up");
        key_a().sign(&header, &fake.access_claims(json!(CLIENT_ID)))
    };
    let accepted = [CLIENT_ID.to_string()];
    let token = unknown(&fake);
    is_invalid(provider.verify_jwt_access_token(&token, &accepted, NOW).await, "does not publish");
    assert_eq!(fake.jwks_hits(), 2);
    for _ in 0..5 {
        is_invalid(provider.verify_jwt_access_token(&token, &accepted, NOW + 9_000).await, "does not publish");
    }
    assert_eq!(fake.jwks_hits(), 2, "no refetch within ten seconds");
    is_invalid(provider.verify_jwt_access_token(&token, &accepted, NOW + 10_000).await, "does not publish");
    assert_eq!(fake.jwks_hits(), 3);
}

#[tokio::test]
async fn many_concurrent_checks_under_a_new_key_share_one_refetch() {
    let fake = Fake::start().await;
    let provider = fake.discover().await;
    fake.with(|s| s.jwks = json!({"keys": [key_a().jwk(), key_b().jwk()]}));
    let token = key_b().sign(&key_b().header("at+jwt"), &fake.access_claims(json!(CLIENT_ID)));
    let accepted = vec![CLIENT_ID.to_string()];
    let checks: Vec<_> = (0..20)
        .map(|_| {
            let (provider, token, accepted) = (provider.clone(), token.clone(), accepted.clone());
            tokio::spawn(async move { provider.verify_jwt_access_token(&token, &accepted, NOW).await })
        })
        .collect();
    for check in checks {
        check.await.unwrap().unwrap();
    }
    assert_eq!(fake.jwks_hits(), 2);
}

#[tokio::test]
async fn a_key_the_provider_withdraws_stops_being_trusted_once_the_keys_are_old() {
    let fake = Fake::start().await;
    let provider = fake.discover().await;
    let mut claims = fake.access_claims(json!(CLIENT_ID));
    claims["exp"] = json!(NOW_S + 3600);
    let token = key_a().sign(&key_a().header("at+jwt"), &claims);
    let accepted = [CLIENT_ID.to_string()];
    provider.verify_jwt_access_token(&token, &accepted, NOW).await.unwrap();
    fake.with(|s| s.jwks = json!({"keys": [key_b().jwk()]}));
    provider.verify_jwt_access_token(&token, &accepted, NOW + 60_000).await.unwrap();
    let later = NOW + oidc_rp::JWKS_MAX_AGE_MS;
    is_invalid(provider.verify_jwt_access_token(&token, &accepted, later).await, "does not publish");
}

// --- access tokens -----------------------------------------------------

async fn check_access(
    header: impl FnOnce(&mut Value),
    claims: impl FnOnce(&mut Value),
    accepted: &[&str],
) -> Result<serde_json::Map<String, Value>, RpError> {
    let fake = Fake::start().await;
    let provider = fake.discover().await;
    let mut h = key_a().header("at+jwt");
    header(&mut h);
    let mut c = fake.access_claims(json!(["https://registry.example/api", "other-api"]));
    claims(&mut c);
    let accepted: Vec<String> = accepted.iter().map(|s| s.to_string()).collect();
    provider.verify_jwt_access_token(&key_a().sign(&h, &c), &accepted, NOW).await
}

const API: &str = "https://registry.example/api";

#[tokio::test]
async fn a_good_access_token_is_accepted_with_its_claims() {
    let claims = check_access(|_| {}, |_| {}, &["unrelated", API]).await.unwrap();
    assert_eq!(claims["sub"], "person-1");
    assert_eq!(claims["scope"], "openid profile");
    check_access(|h| h["typ"] = json!("application/AT+JWT"), |_| {}, &[API]).await.unwrap();
    check_access(|_| {}, |c| c["aud"] = json!(API), &[API]).await.unwrap();
}

#[tokio::test]
async fn an_access_token_without_the_at_jwt_type_is_refused() {
    is_invalid(check_access(|h| h["typ"] = json!("JWT"), |_| {}, &[API]).await, "typ");
    is_invalid(check_access(|h| _ = h.as_object_mut().unwrap().remove("typ"), |_| {}, &[API]).await, "typ");
}

#[tokio::test]
async fn an_access_token_for_another_audience_is_refused_naming_both() {
    is_invalid(
        check_access(|_| {}, |c| c["aud"] = json!(["app-1"]), &["https://elsewhere.example"]).await,
        "the token's audience (app-1) is not one this API accepts (https://elsewhere.example)",
    );
    is_invalid(check_access(|_| {}, |c| _ = c.as_object_mut().unwrap().remove("aud"), &[API]).await, "audience");
}

#[tokio::test]
async fn access_tokens_are_all_refused_until_an_audience_is_configured() {
    is_invalid(check_access(|_| {}, |_| {}, &[]).await, "no audience is configured");
}

#[tokio::test]
async fn an_expired_access_token_is_refused() {
    is_invalid(check_access(|_| {}, |c| c["exp"] = json!(NOW_S - 61), &[API]).await, "expired");
    is_invalid(check_access(|_| {}, |c| _ = c.as_object_mut().unwrap().remove("exp"), &[API]).await, "expiry");
}

#[tokio::test]
async fn an_access_token_from_another_issuer_is_refused() {
    is_invalid(check_access(|_| {}, |c| c["iss"] = json!("https://attacker.example"), &[API]).await, "issuer");
}

// --- userinfo, refresh, sign-out ----------------------------------------

#[tokio::test]
async fn userinfo_returns_the_claims_about_the_signed_in_subject() {
    let fake = Fake::start().await;
    let provider = fake.discover().await;
    let claims = provider.userinfo("access-1", "person-1").await.unwrap();
    assert_eq!(claims["name"], "Wanjiku Kamau");
    assert_eq!(fake.with(|s| s.userinfo_auth.pop().unwrap()).as_deref(), Some("Bearer access-1"));
}

#[tokio::test]
async fn userinfo_about_another_subject_or_none_is_refused() {
    let fake = Fake::start().await;
    let provider = fake.discover().await;
    let r = provider.userinfo("access-1", "person-2").await;
    assert!(matches!(r, Err(RpError::BadResponse(_))), "{r:?}");
    fake.with(|s| s.userinfo_body = json!({"name": "no subject"}));
    let r = provider.userinfo("access-1", "person-1").await;
    assert!(matches!(r, Err(RpError::BadResponse(_))), "{r:?}");
}

#[tokio::test]
async fn userinfo_with_a_refused_access_token_returns_the_bearer_error() {
    let fake = Fake::start().await;
    let provider = fake.discover().await;
    fake.with(|s| s.userinfo_status = 401);
    match provider.userinfo("access-1", "person-1").await {
        Err(RpError::Provider { error, .. }) => assert_eq!(error, "invalid_token"),
        other => panic!("expected invalid_token, got {other:?}"),
    }
}

#[tokio::test]
async fn a_refresh_returns_new_tokens_and_checks_a_new_id_token() {
    let fake = Fake::start().await;
    let provider = fake.discover().await;
    let mut claims = fake.id_claims("unused");
    claims.as_object_mut().unwrap().remove("nonce");
    fake.respond_with(&key_a().sign(&key_a().header("JWT"), &claims), "access-2");
    let refreshed = provider.refresh("refresh-1", "person-1", NOW).await.unwrap();
    assert_eq!(refreshed.access_token, "access-2");
    assert_eq!(refreshed.claims.unwrap()["sub"], "person-1");
    let (_, form) = fake.with(|s| s.token_requests.pop().unwrap());
    assert_eq!(form["grant_type"], "refresh_token");
    assert_eq!(form["refresh_token"], "refresh-1");

    fake.respond_with(&key_a().sign(&key_a().header("JWT"), &claims), "access-3");
    is_invalid(provider.refresh("refresh-2", "person-2", NOW).await, "another subject");
}

#[tokio::test]
async fn the_end_session_url_carries_the_hint_and_where_to_come_back() {
    let fake = Fake::start().await;
    let provider = fake.discover().await;
    let url = provider.end_session_url("the-id-token", Some("https://registry.example/"), Some("s1")).unwrap();
    assert!(url.starts_with(&format!("{}/logout?", fake.issuer)));
    let q = query(&url);
    assert_eq!(q["id_token_hint"], "the-id-token");
    assert_eq!(q["post_logout_redirect_uri"], "https://registry.example/");
    assert_eq!(q["state"], "s1");
    assert_eq!(q["client_id"], CLIENT_ID);

    fake.with(|s| _ = s.discovery.as_object_mut().unwrap().remove("end_session_endpoint"));
    assert_eq!(fake.discover().await.end_session_url("t", None, None), None);
}

#[tokio::test]
async fn nothing_secret_shows_in_debug_output() {
    let fake = Fake::start().await;
    let provider = fake.discover().await;
    let signed = sign_in_with(&fake, &provider, key_a(), key_a().header("JWT"), |_| {}).await.unwrap();
    let shown = format!("{provider:?} {signed:?} {:?}", fake.config());
    for secret in [CLIENT_SECRET, "opaque-access-token", "refresh-1", signed.id_token.as_str()] {
        assert!(!shown.contains(secret), "{shown}");
    }
}
