#![allow(clippy::unwrap_used)]
//! The operator's commands, run as a person would run them.

mod common;

use std::process::Command;

use common::{TempDir, TestApp};

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

/// Start `tims serve` on `data`; returns the child and what it printed
/// until it was serving.
#[cfg(unix)]
fn serve(data: &TempDir) -> (std::process::Child, String, u16) {
    use std::io::{BufRead, BufReader};
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tims"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("TIMS_DATA", &data.0)
        .env_remove("TIMS_DATABASE_URL")
        .env_remove("NO_COLOR")
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
    (child, banner, port)
}

#[cfg(unix)]
fn stop(child: &mut std::process::Child) {
    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let status = child.wait().unwrap();
    assert!(status.success(), "graceful shutdown exits 0: {status}");
}

#[cfg(unix)]
#[test]
fn serve_starts_with_demo_data_and_stops_cleanly_on_sigterm() {
    let data = TempDir::new();
    let (mut child, banner, port) = serve(&data);
    assert!(banner.contains("12345678") && banner.contains("kenya-demo-1"), "{banner}");
    assert!(banner.contains("tims dev token --id-number 12345678"), "{banner}");
    assert!(!banner.contains('\u{1b}'), "no colour codes when stderr is not a terminal: {banner:?}");
    let health = std::net::TcpStream::connect(("127.0.0.1", port));
    assert!(health.is_ok());
    stop(&mut child);

    // Every later start in development mode says again how to try it.
    let (mut child, banner, _) = serve(&data);
    assert!(banner.contains("12345678") && banner.contains("kenya-demo-1"), "{banner}");
    assert!(banner.contains("/sso/dev/sms") && banner.contains("/api/v1"), "{banner}");
    assert!(!banner.contains("Demo data created"), "not made again: {banner}");
    stop(&mut child);
}

#[test]
fn operators_grant_staff_add_gazetted_holidays_and_load_fee_schedules() {
    let data = TempDir::new();
    let out = tims(&data, &["staff", "grant", "--id-number", "34567890", "--role", "supervisor"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = tims(&data, &["staff", "grant", "--id-number", "34567890", "--role", "janitor"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--role"));

    let out = tims(&data, &["holidays", "add", "--date", "2026-03-20", "--name", "Idd-ul-Fitr"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = tims(&data, &["holidays", "add", "--date", "2026-02-30", "--name", "Nothing"]);
    assert!(!out.status.success());
    let out = tims(&data, &["holidays", "list", "--year", "2026"]);
    let list = String::from_utf8_lossy(&out.stdout);
    assert!(list.contains("2026-03-20  Idd-ul-Fitr"), "{list}");
    assert!(list.contains("2026-04-03") && list.contains("2026-04-06"), "Good Friday and Easter Monday: {list}");

    // A gazetted change of fees is data: loaded, not released.
    let file = data.0.join("fees-2027.json");
    let schedule = serde_json::json!({
        "version": "KE-2027",
        "effective_from": "2027-01-01",
        "bands": [
            {"classes": ["motor_vehicle", "motorcycle"], "measure": {"by": "engine_cc", "min": 1}, "amount_cents": 250000, "description": "Any engine"},
            {"classes": ["trailer"], "measure": {"by": "trailer_wheels", "min": 1}, "amount_cents": 150000, "description": "Any trailer"},
            {"classes": ["tractor"], "measure": {"by": "flat"}, "amount_cents": 120000, "description": "Tractor"}
        ]
    });
    std::fs::write(&file, schedule.to_string()).unwrap();
    let out = tims(&data, &["fees", "load", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = tims(&data, &["fees", "load", file.to_str().unwrap()]);
    assert!(!out.status.success(), "a version is loaded once");
    let out = tims(&data, &["fees", "list"]);
    let all: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let versions: Vec<&str> = all.as_array().unwrap().iter().map(|s| s["version"].as_str().unwrap()).collect();
    assert_eq!(versions, ["KE-2018", "KE-2027"]);
}

/// `tims dev token`, run beside a running server with its configuration.
async fn dev_token(app: &TestApp, args: &[&str]) -> std::process::Output {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_tims"));
    cmd.args(["dev", "token"])
        .args(args)
        .env("TIMS_DATA", &app.config.data)
        .env("TIMS_PUBLIC_URL", &app.base)
        .env("RUST_LOG", "warn");
    match &app.config.database_url {
        Some(url) => cmd.env("TIMS_DATABASE_URL", url.expose()),
        None => cmd.env_remove("TIMS_DATABASE_URL"),
    };
    cmd.output().await.expect("run tims dev token")
}

async fn dev_token_prints_a_token_the_api_accepts(app: TestApp) {
    // The command signs with the machine's clock: bring the server's to it.
    let machine_now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    app.advance(machine_now - app.clock_now());

    let out = dev_token(&app, &["--id-number", "12345678"]).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert_eq!(token.split('.').count(), 3, "only the JWT on stdout, for TOKEN=$(tims dev token …): {token}");
    let r = reqwest::Client::new().get(format!("{}/api/v1/me", app.base)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    let me: serde_json::Value = r.json().await.unwrap();
    assert_eq!(me["id_number"], "12345678", "{me}");
    assert!(!me["organisations"].as_array().unwrap().is_empty(), "the organisations scope is granted: {me}");

    let out = dev_token(&app, &["--id-number", "23456789", "--client", "no-such-app"]).await;
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--client: No client \"no-such-app\" is registered"), "{err}");

    let out = dev_token(&app, &["--id-number", "99999999"]).await;
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--id-number: No citizen account has ID number 99999999"), "{err}");
}
on_both!(dev_token_prints_a_token_the_api_accepts);

#[test]
fn dev_token_is_refused_in_production_mode() {
    let data = TempDir::new();
    let out = Command::new(env!("CARGO_BIN_EXE_tims"))
        .args(["dev", "token", "--id-number", "12345678"])
        .env("TIMS_DATA", &data.0)
        .env_remove("TIMS_DATABASE_URL")
        .env("TIMS_PRODUCTION", "true")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "no token is printed");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("production mode refuses `tims dev token`"), "{err}");
    assert!(!data.0.join("tims.db").exists(), "refused before the database is opened");
}
