#![allow(clippy::unwrap_used)]
//! The operator's commands, run as a person would run them.

mod common;

use std::process::Command;

use common::TempDir;

fn tims(data: &TempDir, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tims"))
        .args(args)
        .env("TIMS_DATA", &data.0)
        .env_remove("TIMS_DATABASE_URL")
        .env("RUST_LOG", "warn")
        .output()
        .expect("run tims")
}

#[test]
fn migrate_then_client_add_prints_a_secret_once_and_refuses_a_duplicate() {
    let data = TempDir::new();
    let out = tims(&data, &["migrate"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(data.0.join("tims.db").exists());

    let out =
        tims(&data, &["sso", "client", "add", "--id", "registry", "--redirect-uri", "https://registry.example/cb"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["client_id"], "registry");
    assert!(v["client_secret"].as_str().unwrap().len() >= 43);

    let out =
        tims(&data, &["sso", "client", "add", "--id", "registry", "--redirect-uri", "https://registry.example/cb"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));

    let out = tims(&data, &["sso", "client", "add", "--id", "bad id!", "--redirect-uri", "not a uri"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--id") && err.contains("--redirect-uri"), "{err}");
}

#[test]
fn rotate_key_adds_a_signing_key() {
    let data = TempDir::new();
    let first = tims(&data, &["sso", "rotate-key"]);
    let second = tims(&data, &["sso", "rotate-key"]);
    assert!(first.status.success() && second.status.success());
    let kid = |o: &std::process::Output| serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()["kid"].clone();
    assert_ne!(kid(&first), kid(&second));
}

#[test]
fn an_unknown_database_scheme_stops_the_start_with_a_clear_message() {
    let data = TempDir::new();
    let out = Command::new(env!("CARGO_BIN_EXE_tims"))
        .args(["migrate"])
        .env("TIMS_DATA", &data.0)
        .env("TIMS_DATABASE_URL", "mysql://localhost/tims")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unsupported database URL scheme \"mysql\""), "{err}");
}

#[cfg(unix)]
#[test]
fn serve_starts_with_demo_data_and_stops_cleanly_on_sigterm() {
    use std::io::{BufRead, BufReader};
    let data = TempDir::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tims"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("TIMS_DATA", &data.0)
        .env_remove("TIMS_DATABASE_URL")
        .env("RUST_LOG", "info")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut banner = String::new();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        banner.push_str(&line);
        banner.push('\n');
        if line.contains("tims is serving") {
            break;
        }
    }
    assert!(banner.contains("12345678") && banner.contains("kenya-demo-1"), "{banner}");
    let health = std::net::TcpStream::connect(("127.0.0.1", port));
    assert!(health.is_ok());
    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let status = child.wait().unwrap();
    assert!(status.success(), "graceful shutdown exits 0: {status}");
}
