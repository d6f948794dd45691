//! The registry works unchanged against another provider: here
//! `oidc-provider` from npm (a certified OpenID Connect provider), started
//! as an outside provider, and a person signs in to the registry's pages
//! through it. Only configuration differs.

#![allow(clippy::unwrap_used)]

mod common;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;

use common::{Backend, TestApp};
use reqwest::StatusCode;

const SECRET: &str = "an-outside-client-secret-that-is-long-enough";

/// Providers started for the tests; they stop when their stdin closes, at
/// the latest when this process ends.
static CHILDREN: Mutex<Vec<Child>> = Mutex::new(Vec::new());

fn tests_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/oidc")
}

fn node_ready() -> bool {
    let ok = Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success())
        && tests_dir().join("node_modules/oidc-provider").exists();
    if !ok {
        let why = "node or tests/oidc/node_modules is missing (scripts/test installs them)";
        assert!(
            !std::env::var("CI").is_ok_and(|v| v == "true"),
            "the outside-provider check cannot run under CI: {why}"
        );
        eprintln!("SKIPPED the outside-provider check: {why}");
    }
    ok
}

/// Start oidc-provider for this app and point the registry at it.
fn with_outside_provider(cfg: &mut tims::Config) {
    let mut child = Command::new("node")
        .arg("outside-provider.mjs")
        .current_dir(tests_dir())
        .env("REDIRECT_URI", format!("{}/signin/callback", cfg.public_url))
        .env("POST_LOGOUT_REDIRECT_URI", format!("{}/", cfg.public_url))
        .env("CLIENT_ID", "tims-registry")
        .env("CLIENT_SECRET", SECRET)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start oidc-provider");
    let mut line = String::new();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    out.read_line(&mut line).unwrap();
    // Keep reading what it prints, so it never writes into a closed pipe.
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    let ready: serde_json::Value = serde_json::from_str(&line).unwrap_or_else(|_| panic!("not ready: {line:?}"));
    cfg.registry.oidc_issuer = Some(ready["issuer"].as_str().unwrap().to_string());
    cfg.registry.oidc_client_id = "tims-registry".into();
    cfg.registry.oidc_client_secret = Some(tims::Secret::new(SECRET));
    CHILDREN.lock().unwrap().push(child);
}

async fn signs_in_through_an_outside_provider(backend: Backend) {
    if !node_ready() {
        return;
    }
    let Some(app) = TestApp::spawn_with(backend, with_outside_provider).await else { return };
    // The outside provider keeps real time; so must the registry here.
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    app.advance(now - app.clock_now());

    let mut b = app.browser();
    let r = b.get("/signin").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let to_provider = r.location();
    assert!(!to_provider.starts_with(&app.base), "goes to the outside provider: {to_provider}");
    assert!(to_provider.contains("code_challenge_method=S256") && to_provider.contains("nonce="), "{to_provider}");
    // The provider's own cookies and redirects, followed by a plain client.
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let outside =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).cookie_provider(jar).build().unwrap();
    let mut at = to_provider;
    let callback = loop {
        if at.starts_with(&app.base) {
            break at;
        }
        let r = outside.get(&at).send().await.unwrap();
        assert!(r.status().is_redirection(), "{} at {at}: {}", r.status(), r.text().await.unwrap_or_default());
        let loc = r.headers()["location"].to_str().unwrap().to_string();
        at = if loc.starts_with('/') {
            format!("{}{loc}", url::Url::parse(&at).unwrap().origin().ascii_serialization())
        } else {
            loc
        };
    };
    assert!(callback.contains("/signin/callback?"), "{callback}");
    let home = b.follow(&callback).await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    assert!(home.body.contains("Signed in as Wanjiku Kamau (outside provider)"), "{}", home.body);
    // The claims from the outside provider work like the built-in one's:
    // the person owns the demo vehicles and may act for the dealer.
    let mine = b.get("/vehicles").await;
    assert!(mine.body.contains("KDA 001A"), "{}", mine.body);
    assert!(home.body.contains("Kamau Motors Limited"), "{}", home.body);
    // The same sign-in cannot be replayed.
    let again = b.get(callback.strip_prefix(&app.base).unwrap()).await;
    assert_eq!(again.status, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signs_in_through_an_outside_provider_on_sqlite() {
    signs_in_through_an_outside_provider(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signs_in_through_an_outside_provider_on_postgres() {
    signs_in_through_an_outside_provider(Backend::Postgres).await;
}
