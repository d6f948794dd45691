#![allow(clippy::unwrap_used)]
//! The edge of the server: clients that stop half way are cut off, open
//! connections are capped, production responses insist on HTTPS, and
//! metrics are shown only to whom the operator says. Raw TCP where the
//! point is what a well-behaved client would never send.

mod common;

use std::sync::Arc;
use std::time::Duration;

use adapters::BoxFuture;
use adapters::sms::{Sent, SmsError, SmsSender};
use common::{Backend, TestApp};
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A server whose timeouts are short for the one under test and an hour
/// for the others, so that only that one can be what closes a connection.
async fn app_with(tweak: impl FnOnce(&mut tims::config::HttpSection)) -> TestApp {
    TestApp::spawn_with(Backend::Sqlite, |c| {
        let hour = Duration::from_secs(3600);
        c.http.header_timeout = hour;
        c.http.body_timeout = hour;
        c.http.idle_timeout = hour;
        tweak(&mut c.http);
    })
    .await
    .unwrap()
}

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.base.trim_start_matches("http://")).await.unwrap()
}

/// All the server sends until it closes the connection. (The guard only
/// keeps a broken server from hanging the test.)
async fn until_closed(s: &mut TcpStream) -> String {
    let mut out = vec![];
    let read = async {
        let mut buf = [0u8; 4096];
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
        }
    };
    assert!(tokio::time::timeout(Duration::from_secs(60), read).await.is_ok(), "the server kept the connection open");
    String::from_utf8_lossy(&out).into_owned()
}

/// One response (head and a Content-Length body) off a kept-alive connection.
async fn one_response(s: &mut TcpStream) -> String {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        if let Some(end) = out.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&out[..end]).to_ascii_lowercase();
            let length: usize =
                head.lines().find_map(|l| l.strip_prefix("content-length:")).map_or(0, |v| v.trim().parse().unwrap());
            if out.len() >= end + 4 + length {
                return String::from_utf8_lossy(&out).into_owned();
            }
        }
        let n = s.read(&mut buf).await.unwrap();
        assert!(n > 0, "closed before a whole response: {}", String::from_utf8_lossy(&out));
        out.extend_from_slice(&buf[..n]);
    }
}

const HEALTHZ: &[u8] = b"GET /healthz HTTP/1.1\r\nhost: tims\r\n\r\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_half_way_through_its_headers_is_disconnected_after_the_header_timeout() {
    let app = app_with(|h| h.header_timeout = Duration::from_millis(300)).await;
    let mut s = connect(&app).await;
    s.write_all(b"GET /healthz HTTP/1.1\r\nhost: tims\r\nx-half: ").await.unwrap();
    assert_eq!(until_closed(&mut s).await, "", "nothing is answered to half a head");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_whose_body_stops_arriving_is_answered_408_and_closed_after_the_body_timeout() {
    let app = app_with(|h| h.body_timeout = Duration::from_millis(300)).await;
    let mut s = connect(&app).await;
    s.write_all(
        b"POST /sso/token HTTP/1.1\r\nhost: tims\r\ncontent-type: application/x-www-form-urlencoded\r\n\
          content-length: 100\r\n\r\ngrant_type",
    )
    .await
    .unwrap();
    let answer = until_closed(&mut s).await;
    assert!(answer.starts_with("HTTP/1.1 408 "), "{answer}");
    assert!(answer.to_ascii_lowercase().contains("connection: close"), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kept_alive_connection_is_closed_after_the_idle_timeout() {
    let app = app_with(|h| h.idle_timeout = Duration::from_millis(300)).await;
    let mut s = connect(&app).await;
    s.write_all(HEALTHZ).await.unwrap();
    assert!(one_response(&mut s).await.starts_with("HTTP/1.1 200 "));
    assert_eq!(until_closed(&mut s).await, "", "closed, with nothing more to say");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_on_a_kept_alive_connection_are_answered_as_usual_under_short_timeouts() {
    let app = app_with(|h| {
        h.header_timeout = Duration::from_secs(1);
        h.body_timeout = Duration::from_secs(1);
        h.idle_timeout = Duration::from_secs(1);
    })
    .await;
    let mut s = connect(&app).await;
    for _ in 0..3 {
        s.write_all(HEALTHZ).await.unwrap();
        let answer = one_response(&mut s).await;
        assert!(answer.starts_with("HTTP/1.1 200 ") && answer.ends_with("\r\n\r\nok"), "{answer}");
    }
    // A whole form is read and answered by its handler (here: refused).
    let body = "grant_type=password";
    s.write_all(
        format!(
            "POST /sso/token HTTP/1.1\r\nhost: tims\r\ncontent-type: application/x-www-form-urlencoded\r\n\
             content-length: {}\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let answer = one_response(&mut s).await;
    assert!(answer.starts_with("HTTP/1.1 400 ") && answer.contains("unsupported_grant_type"), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_beyond_the_cap_wait_until_one_closes() {
    let app = app_with(|h| h.max_connections = 1).await;
    let mut first = connect(&app).await;
    let mut second = connect(&app).await;
    second.write_all(HEALTHZ).await.unwrap();
    // The first is served (so the server has had every chance to serve the
    // second, had it been let in) ...
    first.write_all(HEALTHZ).await.unwrap();
    assert!(one_response(&mut first).await.starts_with("HTTP/1.1 200 "));
    let mut buf = [0u8; 16];
    let waiting = second.try_read(&mut buf);
    assert!(
        matches!(&waiting, Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "the second connection was answered while the first was open: {waiting:?}"
    );
    // ... and once it closes, the second is.
    drop(first);
    assert!(one_response(&mut second).await.starts_with("HTTP/1.1 200 "));
}

// ---- Strict-Transport-Security and metrics in production ----------------------

/// Stand-ins for the outside systems a production server is configured
/// with; nothing here calls them.
#[derive(Debug)]
struct Outside;

impl SmsSender for Outside {
    fn send<'a>(&'a self, _: &'a str, _: &'a str) -> BoxFuture<'a, Result<Sent, SmsError>> {
        Box::pin(async { Err(SmsError::Retry("not in this test".into())) })
    }
    fn is_development(&self) -> bool {
        false
    }
}

impl registry::payments::Payments for Outside {
    fn charge<'a>(
        &'a self,
        _: &'a registry::payments::ChargeRequest<'a>,
    ) -> BoxFuture<'a, Result<registry::payments::Charge, registry::payments::PaymentError>> {
        Box::pin(async { Err(registry::payments::PaymentError::NotStarted("not in this test".into())) })
    }
    fn query<'a>(
        &'a self,
        _: &'a str,
    ) -> BoxFuture<'a, Result<registry::payments::Outcome, registry::payments::PaymentError>> {
        Box::pin(async { Err(registry::payments::PaymentError::NotStarted("not in this test".into())) })
    }
    fn parse_callback(&self, _: &[u8]) -> Result<registry::payments::Callback, registry::payments::PaymentError> {
        Err(registry::payments::PaymentError::NotStarted("not in this test".into()))
    }
    fn name(&self) -> &'static str {
        "stand-in"
    }
    fn is_development(&self) -> bool {
        false
    }
}

fn not_here() -> registry::scans::StoreError {
    registry::scans::StoreError::Failed("not in this test".into())
}

impl registry::scans::BlobStore for Outside {
    fn put<'a>(&'a self, _: &'a str, _: &'a [u8]) -> BoxFuture<'a, Result<(), registry::scans::StoreError>> {
        Box::pin(async { Err(not_here()) })
    }
    fn get<'a>(&'a self, _: &'a str) -> BoxFuture<'a, Result<Vec<u8>, registry::scans::StoreError>> {
        Box::pin(async { Err(not_here()) })
    }
    fn delete<'a>(&'a self, _: &'a str) -> BoxFuture<'a, Result<(), registry::scans::StoreError>> {
        Box::pin(async { Err(not_here()) })
    }
    fn list<'a>(&'a self, _: &'a str) -> BoxFuture<'a, Result<Vec<String>, registry::scans::StoreError>> {
        Box::pin(async { Err(not_here()) })
    }
    fn is_development(&self) -> bool {
        false
    }
}

/// A server in production mode (behind a proxy that ends TLS); returns its
/// plain-http address and what stops it when dropped.
async fn production_app(
    tweak: impl FnOnce(&mut tims::Config),
) -> (String, tokio::sync::oneshot::Sender<()>, common::TempDir) {
    let dir = common::TempDir::new();
    let mut cfg = tims::Config {
        data: dir.0.clone(),
        production: true,
        demo_data: false,
        public_url: "https://tims.example".into(),
        secrets_key: Some(tims::Secret::new("an-operator-key-of-more-than-thirty-two-characters")),
        ..tims::Config::default()
    };
    let register = sso::registers::HttpRegister::new("https://registers.example".parse().unwrap(), None);
    tweak(&mut cfg);
    let clock: Arc<dyn db::Clock> = Arc::new(db::ManualClock::new(common::START_MS));
    let adapters = sso::Adapters {
        sms: Arc::new(Outside),
        population: Arc::new(register.clone()),
        kra: Arc::new(register),
        dev_sms: None,
    };
    let reg_adapters =
        registry::Adapters { sms: Arc::new(Outside), payments: Arc::new(Outside), store: Arc::new(Outside) };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = tims::Application::build_on(listener, &cfg, clock, adapters, reg_adapters).await.unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.run_until_stopped(async move {
        let _ = stopped.await;
    }));
    (base, stop, dir)
}

const HSTS: &str = "max-age=31536000; includeSubDomains";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_responses_carry_strict_transport_security_and_development_ones_do_not() {
    let (production, _stop, _dir) = production_app(|_| {}).await;
    for path in ["/healthz", "/sso/signin", "/no/such/page"] {
        let r = reqwest::get(format!("{production}{path}")).await.unwrap();
        assert_eq!(r.headers().get("strict-transport-security").unwrap(), HSTS, "{path}");
    }
    let development = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let r = reqwest::get(format!("{}/healthz", development.base)).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers().get("strict-transport-security").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_serves_no_metrics_on_the_main_port_unless_a_token_is_set() {
    let (without, _stop, _dir) = production_app(|_| {}).await;
    assert_eq!(reqwest::get(format!("{without}/metrics")).await.unwrap().status(), StatusCode::NOT_FOUND);
    let token = "a-metrics-token-of-at-least-thirty-two-chars";
    let (with, _stop2, _dir2) = production_app(|c| c.metrics_token = Some(tims::Secret::new(token))).await;
    let http = reqwest::Client::new();
    let r = http.get(format!("{with}/metrics")).bearer_auth(token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_with_a_token_are_shown_only_to_whom_brings_it() {
    let token = "the-metrics-token";
    let app = TestApp::spawn_with(Backend::Sqlite, |c| c.metrics_token = Some(tims::Secret::new(token))).await.unwrap();
    let http = reqwest::Client::new();
    let url = format!("{}/metrics", app.base);
    let none = http.get(&url).send().await.unwrap();
    assert_eq!(none.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(none.headers().get("www-authenticate").unwrap(), "Bearer realm=\"metrics\"");
    let wrong = http.get(&url).bearer_auth("the-metrics-tokeN").send().await.unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let right = http.get(&url).bearer_auth(token).send().await.unwrap();
    assert_eq!(right.status(), StatusCode::OK);
    assert!(right.text().await.unwrap().contains("tims_http_request_duration_seconds_count"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_on_their_own_address_are_not_on_the_main_port() {
    let app = TestApp::spawn_with(Backend::Sqlite, |c| c.metrics_listen = Some("127.0.0.1:0".parse().unwrap()))
        .await
        .unwrap();
    let metrics = app.metrics_base.clone().unwrap();
    assert_eq!(reqwest::get(format!("{}/metrics", app.base)).await.unwrap().status(), StatusCode::NOT_FOUND);
    let r = reqwest::get(format!("{metrics}/metrics")).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("tims_review_queue_transfers"));
    assert_eq!(
        reqwest::get(format!("{metrics}/healthz")).await.unwrap().status(),
        StatusCode::NOT_FOUND,
        "metrics only"
    );
}
