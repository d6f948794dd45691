#![allow(clippy::unwrap_used)]
//! The pages in a real browser: `tests/browser/run.mjs` drives Debian's
//! headless Chromium with playwright-core (from npm; scripts/test installs
//! both) through the journeys of a newcomer, a demo owner and a person
//! registering (with JavaScript on and off), and of every party to a sale:
//! the whole sale with its consents, payment and review; a decline; a
//! cancel; a recovery; selling for an organisation; a company paying from
//! its own number; a sale in Kiswahili; a sale without JavaScript. Every
//! page they reach is checked
//! with axe-core, for its weight, for overflow at 360 px and for requests to
//! other origins, and shot at phone and desktop sizes into
//! `target/browser-shots`. Here the real app is started on a fresh SQLite
//! database with its demo data, and the script is run against it; a failure
//! that `tests/browser/known-failures.txt` does not list fails the test.
//! The app's clock stands still, and the script asks for it to be moved
//! (`tims-clock advance MS` on its output, answered `ok` on its input):
//! between journeys, so each has a fresh budget of SMS codes.

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

use common::{Backend, TestApp};

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// What the journeys need and is missing here, if anything.
fn missing(root: &Path) -> Option<String> {
    let node = std::process::Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        return Some("Node.js (`node`) is not installed".into());
    }
    let chromium = std::env::var_os("CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
    if !chromium.exists() {
        return Some(format!("Chromium is not at {} (set CHROMIUM, or apt-get install chromium)", chromium.display()));
    }
    for package in ["playwright-core", "axe-core"] {
        if !root.join("tests/browser/node_modules").join(package).exists() {
            return Some(format!("{package} is not installed in tests/browser (npm ci there)"));
        }
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_of_the_journeys_passes_the_browser_checks_or_is_a_known_failure() {
    let root = repo_root();
    if let Some(why) = missing(&root) {
        assert!(!std::env::var("CI").is_ok_and(|v| v == "true"), "the browser journeys cannot run under CI: {why}");
        eprintln!("SKIPPED the browser journeys: {why}; scripts/test installs what they need");
        return;
    }
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else { return };
    let run = journeys(&app, &root);
    let (ok, stdout) = tokio::time::timeout(Duration::from_secs(900), run)
        .await
        .expect("the browser journeys finished within fifteen minutes");
    assert!(ok, "a browser check failed that tests/browser/known-failures.txt does not list");
    assert!(stdout.contains("browser: every check passed"), "the runner did not finish its report");
}

/// Runs the journeys against `app`, printing what they print and moving
/// the app's clock when they ask; whether they passed, and their output.
async fn journeys(app: &TestApp, root: &Path) -> (bool, String) {
    let mut child = tokio::process::Command::new("node")
        .arg(root.join("tests/browser/run.mjs"))
        .arg(&app.base)
        .env("TIMS_BROWSER_CLOCK", "stdin")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("node starts");
    let mut input = child.stdin.take().unwrap();
    let mut errors = child.stderr.take().unwrap();
    let stderr = tokio::spawn(async move {
        let mut text = String::new();
        let _ = errors.read_to_string(&mut text).await;
        text
    });
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut stdout = String::new();
    while let Some(line) = lines.next_line().await.expect("the runner's output") {
        if let Some(ms) = line.strip_prefix("tims-clock advance ") {
            app.advance(ms.trim().parse().expect("milliseconds"));
            input.write_all(b"ok\n").await.expect("the runner reads its input");
            continue;
        }
        println!("{line}");
        stdout.push_str(&line);
        stdout.push('\n');
    }
    let status = child.wait().await.expect("node ends");
    let stderr = stderr.await.unwrap();
    if !stderr.is_empty() {
        println!("{stderr}");
    }
    (status.success(), stdout)
}
