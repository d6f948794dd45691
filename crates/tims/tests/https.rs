#![allow(clippy::unwrap_used)]
//! Outside systems over HTTPS: `tims serve`, run as an operator runs it,
//! reaches a population register served over TLS by a certificate authority
//! of its own, trusted through `SSL_CERT_FILE` as operators do for a
//! private authority. (The certificates in `fixtures/tls` are for tests only.)

mod common;

use std::process::{Command, Stdio};
use std::sync::Arc;

use axum::http::StatusCode;
use common::{Browser, TempDir};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tls").join(name)
}

/// A stand-in population register on HTTPS: it knows one person and answers
/// 404 for anyone else. Returns its base URL and the paths it was asked for.
async fn tls_register() -> (String, Arc<std::sync::Mutex<Vec<String>>>) {
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(fixture("server.pem")).unwrap().map(Result::unwrap).collect();
    let key = PrivateKeyDer::from_pem_file(fixture("server.key")).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("https://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let asked = Arc::new(std::sync::Mutex::new(vec![]));
    let seen = asked.clone();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else { return };
            let (acceptor, seen) = (acceptor.clone(), seen.clone());
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else { return };
                let mut request = vec![];
                let mut buf = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let text = String::from_utf8_lossy(&request);
                let path = text.split_whitespace().nth(1).unwrap_or_default().to_string();
                seen.lock().unwrap().push(path.clone());
                let (status, body) = if path == "/people/citizen/11112222" {
                    (
                        "200 OK",
                        r#"{"account_type":"citizen","id_number":"11112222","full_name":"Jane Wambui","date_of_birth":"1991-04-01"}"#,
                    )
                } else {
                    ("404 Not Found", "")
                };
                let answer = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(answer.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    (base, asked)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registration_reaches_a_register_over_https_trusted_through_ssl_cert_file() {
    let (register, asked) = tls_register().await;
    let data = TempDir::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_tims"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("TIMS_DATA", &data.0)
        .env_remove("TIMS_DATABASE_URL")
        .env("TIMS_PUBLIC_URL", &base)
        .env("TIMS_POPULATION_REGISTER_URL", &register)
        .env("SSL_CERT_FILE", fixture("ca.pem"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let http = reqwest::Client::new();
    let mut ready = false;
    for _ in 0..300 {
        if http.get(format!("{base}/readyz")).send().await.is_ok_and(|r| r.status().is_success()) {
            ready = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(ready, "tims did not start");

    let mut b = Browser::new(&base);
    let found = b.post("/sso/register", &common::stand_in_registration("11112222")).await;
    let unknown = b.post("/sso/register", &common::stand_in_registration("22223333")).await;
    let _ = child.kill();
    let _ = child.wait();

    assert_eq!(found.status, StatusCode::SEE_OTHER, "the register over HTTPS was not used: {}", found.body);
    assert_eq!((unknown.status, unknown.location()), (StatusCode::SEE_OTHER, "/sso/register".into()), "refused");
    let asked = asked.lock().unwrap().clone();
    assert_eq!(asked, ["/people/citizen/11112222", "/people/citizen/22223333"]);
}
