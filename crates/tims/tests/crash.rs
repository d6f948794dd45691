//! The built `tims serve`, with the real M-Pesa and Africa's Talking
//! adapters pointed at fake gateways that speak their formats, made to die
//! (`TIMS_CRASH_AT`, an abort) at each point where a payment or an SMS is
//! half done, then started again on the same database, SQLite and
//! PostgreSQL: each payment is applied exactly once (one settled attempt,
//! one "payment received" SMS), no transfer is left awaiting payment with
//! the fee paid, and no SMS is lost (each the gateway took is marked sent).
//!
//! The scheduler runs its jobs once at start and then every minute, and the
//! server reads the time a request was made from its row; a test cannot wait
//! that long, so where the story needs time to pass while the server is
//! down (a request old enough to ask the gateway about, or to give up on; a
//! lease run out) the rows are moved back in time before the restart and
//! the jobs made due, as a longer outage would leave them.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use common::fake_gateways::FakeGateways;
use common::{TempDir, drop_postgres_database, fresh_postgres_database};
use serde_json::{Value, json};
use sqlx::Connection;
use tokio::process::{Child, Command};

const DEALER: &str = "P051234567A";
const LOGISTICS: &str = "P051234571E";

/// A person of the demo data: ID number and phone.
type Person = (&'static str, &'static str);
const P1: Person = ("12345678", "+254712345678");
const P2: Person = ("23456789", "+254723456789");
const P4: Person = ("45678901", "+254745678901");
const P5: Person = ("56789012", "+254756789012");

/// One transfer per crash point: (point, vehicle, seller, acting for, buyer).
/// Each phone gets at most three codes (the sign-on's limit per 15 minutes).
const DEALS: [(&str, &str, Person, Option<&str>, Person); 4] = [
    ("payment.attempt_recorded", "KDA 001A", P1, None, P2),
    ("payment.pushed_unstored", "KDD 100D", P1, Some(DEALER), P4),
    ("payment.answer_unapplied", "KDD 900D", P2, Some(LOGISTICS), P5),
    ("outbox.sent_unmarked", "KDD 200D", P1, Some(DEALER), P4),
];

/// `tims serve` on one data folder and database, started and stopped as
/// the story needs, always on the same port (the callback addresses the
/// gateway holds name it).
struct Node {
    data: TempDir,
    database_url: Option<String>,
    port: u16,
    gateways: FakeGateways,
    child: Option<Child>,
}

impl Drop for Node {
    fn drop(&mut self) {
        if let Some(c) = &mut self.child {
            let _ = c.start_kill();
        }
        if let Some(url) = self.database_url.take() {
            drop_postgres_database(url.rsplit('/').next().unwrap().to_string());
        }
    }
}

impl Node {
    /// A node on a fresh database; `None` when PostgreSQL is asked for and
    /// does not answer (outside CI).
    async fn new(postgres: bool, gateways: FakeGateways) -> Option<Self> {
        let database_url = if postgres { Some(fresh_postgres_database().await?) } else { None };
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        Some(Self { data: TempDir::new(), database_url, port, gateways, child: None })
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tims"));
        cmd.args(args).env("TIMS_DATA", &self.data.0).env("TIMS_PUBLIC_URL", self.base()).env("RUST_LOG", "warn");
        match &self.database_url {
            Some(url) => cmd.env("TIMS_DATABASE_URL", url),
            None => cmd.env_remove("TIMS_DATABASE_URL"),
        };
        for (k, v) in self.gateways.env() {
            cmd.env(k, v);
        }
        cmd.env("TIMS_PAYMENT_QUERY_AFTER_SECS", "10").env("TIMS_PAYMENT_GIVE_UP_SECS", "60");
        cmd.env_remove("TIMS_CRASH_AT").env_remove("TIMS_PRODUCTION");
        cmd
    }

    /// Start `tims serve` (to die at `crash_at`) and wait until it is ready.
    async fn start(&mut self, crash_at: Option<&str>) {
        let log = std::fs::OpenOptions::new().create(true).append(true).open(self.data.0.join("serve.log")).unwrap();
        let mut cmd = self.command(&["serve", "--listen", &format!("127.0.0.1:{}", self.port)]);
        if let Some(point) = crash_at {
            cmd.env("TIMS_CRASH_AT", point);
        }
        cmd.stdout(log.try_clone().unwrap()).stderr(log).kill_on_drop(true);
        let mut child = cmd.spawn().unwrap();
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                panic!("tims serve stopped at start ({status}):\n{}", self.log());
            }
            let ready = http.get(format!("{}/readyz", self.base())).send().await;
            if ready.is_ok_and(|r| r.status().is_success()) {
                break;
            }
            assert!(Instant::now() < deadline, "tims serve not ready in 60 s:\n{}", self.log());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.child = Some(child);
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.data.0.join("serve.log")).unwrap_or_default()
    }

    /// The server died at its crash point (an abort, not an exit).
    async fn crashed(&mut self) {
        use std::os::unix::process::ExitStatusExt;
        let mut child = self.child.take().unwrap();
        let status = tokio::time::timeout(Duration::from_secs(30), child.wait()).await;
        let status = status.unwrap_or_else(|_| panic!("no crash within 30 s:\n{}", self.log())).unwrap();
        assert_eq!(status.signal(), Some(6), "aborted (SIGABRT), not {status}:\n{}", self.log());
    }

    /// Stop the server as an operator would (SIGTERM).
    async fn stop(&mut self) {
        let mut child = self.child.take().unwrap();
        let pid = child.id().unwrap().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().await.unwrap().success());
        let status = tokio::time::timeout(Duration::from_secs(30), child.wait()).await.unwrap().unwrap();
        assert!(status.success(), "stopped cleanly: {status}");
    }

    /// An access token for the API, from `tims dev token`.
    async fn token(&self, id_number: &str) -> String {
        let out = self.command(&["dev", "token", "--id-number", id_number]).output().await.unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }

    async fn db(&self) -> sqlx::AnyConnection {
        sqlx::any::install_default_drivers();
        let url = match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data.0.join("tims.db").display()),
        };
        sqlx::AnyConnection::connect(&url).await.unwrap()
    }

    async fn count(&self, sql: &str) -> i64 {
        let mut db = self.db().await;
        sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.to_string())).fetch_one(&mut db).await.unwrap()
    }

    async fn exec(&self, sql: &str) {
        let mut db = self.db().await;
        sqlx::query(sqlx::AssertSqlSafe(sql.to_string())).execute(&mut db).await.unwrap();
    }

    /// Wait (at most 30 s) until `sql` counts `want`.
    async fn until(&self, sql: &str, want: i64) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let n = self.count(sql).await;
            if n == want {
                return;
            }
            assert!(Instant::now() < deadline, "{sql}: {n}, not {want}, after 30 s:\n{}", self.log());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Wait until both outboxes have nothing left to send.
    async fn drained(&self) {
        for table in ["reg_outbox", "sso_outbox"] {
            self.until(&format!("SELECT COUNT(*) FROM {table} WHERE status = 'queued'"), 0).await;
        }
    }
}

/// A request's body.
enum Body {
    Json(Value),
    Bytes(Vec<u8>),
}

impl From<Vec<u8>> for Body {
    fn from(b: Vec<u8>) -> Self {
        Self::Bytes(b)
    }
}

/// A caller of the JSON API.
struct Api {
    base: String,
    token: String,
    act_for: Option<&'static str>,
}

impl Api {
    async fn send(&self, method: reqwest::Method, path: &str, body: Body) -> reqwest::Result<(u16, Value)> {
        let mut r = reqwest::Client::new().request(method, format!("{}{path}", self.base)).bearer_auth(&self.token);
        if let Some(pin) = self.act_for {
            r = r.header("x-act-for", pin);
        }
        r = match body {
            Body::Json(b) => r.json(&b),
            Body::Bytes(b) => r.body(b),
        };
        let r = r.send().await?;
        Ok((r.status().as_u16(), r.json().await.unwrap_or(Value::Null)))
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        let (s, v) = self.send(reqwest::Method::POST, path, Body::Json(body)).await.unwrap();
        assert!((200..300).contains(&s), "POST {path}: {s} {v}");
        v
    }
}

/// The code in the newest SMS to `phone` that mentions `about`, after the
/// first `seen` the gateway took.
async fn code(g: &FakeGateways, phone: &str, about: &str, seen: usize) -> String {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let sms = g.sms();
        let found = sms.iter().skip(seen).rev().find(|m| m.to == phone && m.message.contains(about));
        if let Some(m) = found {
            let digits = m.message.split(|c: char| !c.is_ascii_digit()).find(|w| w.len() == 6);
            return digits.unwrap().to_string();
        }
        assert!(Instant::now() < deadline, "no code to {phone} about {about:?}: {sms:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A transfer opened and submitted, and the buyer's code to answer it.
struct Deal {
    id: String,
    reference: String,
    buyer: Api,
    answer_code: String,
}

async fn submitted(node: &Node, reg_no: &str, seller: Person, act_for: Option<&'static str>, buyer: Person) -> Deal {
    let base = node.base();
    let s = Api { base: base.clone(), token: node.token(seller.0).await, act_for };
    let b = Api { base, token: node.token(buyer.0).await, act_for: None };
    let body = json!({"registration_number": reg_no, "buyer_type": "individual", "buyer_id_number": buyer.0});
    let t = s.post("/api/v1/transfers", body).await;
    let (id, reference) = (t["id"].as_str().unwrap().to_string(), t["reference"].as_str().unwrap().to_string());
    let scan = b"%PDF-1.4\n% a scanned logbook\n".to_vec();
    let (status, v) =
        s.send(reqwest::Method::PUT, &format!("/api/v1/transfers/{id}/logbook-scan"), scan.into()).await.unwrap();
    assert_eq!(status, 200, "{v}");
    let seen = node.gateways.sms().len();
    s.post(&format!("/api/v1/transfers/{id}/codes"), json!({"step": "submit"})).await;
    let c = code(&node.gateways, seller.1, "submit the transfer", seen).await;
    s.post(&format!("/api/v1/transfers/{id}/submit"), json!({"code": c})).await;
    let seen = node.gateways.sms().len();
    b.post(&format!("/api/v1/transfers/{id}/codes"), json!({"step": "answer"})).await;
    let answer_code = code(&node.gateways, buyer.1, "answer the transfer", seen).await;
    Deal { id, reference, buyer: b, answer_code }
}

/// What each point leaves that time would mend while the server is down.
async fn after_the_outage(node: &Node, point: &str, deal: &Deal) {
    let id = &deal.id;
    let backdate = match point {
        // Past the time to give up on a request that never reached the gateway.
        "payment.attempt_recorded" => 10 * 60_000,
        // Past the time to ask the gateway, short of giving up.
        "payment.answer_unapplied" => 30_000,
        _ => 0,
    };
    if backdate > 0 {
        node.exec(&format!(
            "UPDATE reg_payment_attempts SET created_at = created_at - {backdate} WHERE transfer_id = '{id}'"
        ))
        .await;
        node.exec("UPDATE reg_jobs SET next_at = 0, lease_until = NULL").await;
    }
    // The leases of messages out when the server died have run out.
    for table in ["reg_outbox", "sso_outbox"] {
        node.exec(&format!("UPDATE {table} SET lease_until = 0 WHERE status = 'queued' AND lease_until IS NOT NULL"))
            .await;
    }
}

/// The buyer accepts, which asks the gateway for the fee at once; the
/// answer may never come, if the server dies on the way.
async fn accept(deal: &Deal) {
    let body =
        json!({"code": deal.answer_code, "postal_address": "P.O. Box 1-00100 Nairobi", "collection_office": "Mombasa"});
    let _ = deal
        .buyer
        .send(reqwest::Method::POST, &format!("/api/v1/transfers/{}/accept", deal.id), Body::Json(body))
        .await;
}

async fn crash_and_recover(node: &mut Node, point: &str, deal: &Deal) {
    let id = &deal.id;
    // A callback lost while the server is down is sent again (Daraja's
    // retries are not documented) except where the STK query must mend it,
    // or (the request's name never stored, so no query can ask) the day's
    // M-Pesa statement.
    node.gateways.redeliver(!matches!(point, "payment.answer_unapplied" | "payment.pushed_unstored"));
    if point == "outbox.sent_unmarked" {
        // The payer waits until the server that is to die is up, so that
        // the SMS it dies on is the one the payment causes.
        node.gateways.hold(true);
        node.start(None).await;
        accept(deal).await;
        let asked = format!(
            "SELECT COUNT(*) FROM reg_payment_attempts WHERE transfer_id = '{id}' AND state = 'pending' AND provider_ref IS NOT NULL"
        );
        node.until(&asked, 1).await;
        node.drained().await;
        node.stop().await;
        node.start(Some(point)).await;
        node.gateways.hold(false);
    } else {
        // The callback that is to kill the server waits until the answer to
        // the push is stored, as the STK query needs its CheckoutRequestID.
        // And the payer whose callback is to be lost pays once the server is
        // down.
        node.gateways.hold(matches!(point, "payment.answer_unapplied" | "payment.pushed_unstored"));
        node.start(Some(point)).await;
        accept(deal).await;
        node.gateways.hold(false);
    }
    node.crashed().await;
    if point == "payment.pushed_unstored" {
        lost_callback(node, deal).await;
    }
    after_the_outage(node, point, deal).await;
    node.start(None).await;
    if point == "payment.attempt_recorded" {
        // The request never reached the gateway: given up on, then paid anew.
        let abandoned =
            format!("SELECT COUNT(*) FROM reg_payment_attempts WHERE transfer_id = '{id}' AND state = 'abandoned'");
        node.until(&abandoned, 1).await;
        deal.buyer.post(&format!("/api/v1/transfers/{id}/pay"), json!({})).await;
    }
    if point == "payment.pushed_unstored" {
        from_the_statement(node, deal).await;
    }
    node.until(&format!("SELECT COUNT(*) FROM reg_transfers WHERE id = '{id}' AND state = 'in_review'"), 1).await;
    node.drained().await;
    node.stop().await;
}

/// The deal's prompt, once the gateway has tried its callback.
async fn called_back(node: &Node, deal: &Deal) -> common::fake_gateways::Prompt {
    let account = deal.reference.replace('-', "");
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let found = node.gateways.prompts().into_iter().find(|p| p.account_ref == account && p.callbacks_sent > 0);
        if let Some(p) = found {
            return p;
        }
        assert!(Instant::now() < deadline, "the payer of {account} never paid");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The payer pays while the server is down: the callback is refused, and
/// (the gateway not sending it again) lost.
async fn lost_callback(node: &Node, deal: &Deal) {
    let p = called_back(node, deal).await;
    assert!(!p.callback_taken, "the callback came while the server was down: {p:?}");
}

/// An officer uploads the M-Pesa statement that shows the deal's payment,
/// which nothing else brought to tims.
async fn from_the_statement(node: &Node, deal: &Deal) {
    let account = deal.reference.replace('-', "");
    let paid = called_back(node, deal).await;
    let csv = format!(
        "Receipt No.,Completion Time,Details,Transaction Status,Paid In,A/C No.\n{},06-12-2026 13:34:16,\
         Pay Bill Online,Completed,{}.00,{account}\n",
        paid.receipt.as_deref().unwrap(),
        paid.amount
    );
    let officer = Api { base: node.base(), token: node.token("34567890").await, act_for: None };
    let (s, r) =
        officer.send(reqwest::Method::POST, "/api/v1/payments/statement", csv.into_bytes().into()).await.unwrap();
    let mut db = node.db().await;
    let attempts: Vec<(String, Option<String>, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT a.state, a.provider_ref, a.receipt, a.result_desc FROM reg_payment_attempts a JOIN reg_transfers t \
         ON t.id = a.transfer_id WHERE t.reference = $1 ORDER BY a.attempt_no",
    )
    .bind(&deal.reference)
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert_eq!((s, r["new"][0]["outcome"].as_str()), (200, Some("settled")), "{r} {paid:?} {attempts:?}");
}

/// The checks, on the database and on what the gateways saw.
async fn exactly_once(node: &Node, deals: &[Deal]) {
    let prompts = node.gateways.prompts();
    for d in deals {
        let (id, r) = (&d.id, &d.reference);
        let q = |what: &str| format!("SELECT COUNT(*) FROM reg_payment_attempts WHERE transfer_id = '{id}' AND {what}");
        assert_eq!(node.count(&q("state = 'settled'")).await, 1, "{r}: one settled attempt");
        assert_eq!(node.count(&q("state IN ('requested', 'pending', 'unknown')")).await, 0, "{r}: none waiting");
        let paid = format!("SELECT COUNT(*) FROM reg_payments WHERE transfer_id = '{id}' AND state = 'settled'");
        assert_eq!(node.count(&paid).await, 1, "{r}: the fee is settled");
        let told = format!("SELECT COUNT(*) FROM reg_outbox WHERE body LIKE '%transfer {r} received%'");
        assert_eq!(node.count(&told).await, 1, "{r}: one 'payment received' SMS");
        let said = node.gateways.sms().iter().filter(|m| m.message.contains(&format!("transfer {r} received"))).count();
        assert!(said >= 1, "{r}: the 'payment received' SMS reached the gateway");
    }
    // Every payment the gateway took is one settled attempt, by its request
    // or (a statement's) by its receipt.
    for p in prompts.iter().filter(|p| p.receipt.is_some()) {
        let settled = format!(
            "SELECT COUNT(*) FROM reg_payment_attempts WHERE (provider_ref = '{}' OR receipt = '{}') AND state = 'settled'",
            p.checkout_id,
            p.receipt.as_deref().unwrap_or_default()
        );
        assert_eq!(node.count(&settled).await, 1, "the gateway's payment {p:?} is settled once");
    }
    assert_eq!(prompts.iter().filter(|p| p.receipt.is_some()).count(), deals.len(), "{prompts:?}");
    // No transfer waits for a fee its attempt has paid.
    let stuck = "SELECT COUNT(*) FROM reg_transfers t WHERE t.state = 'awaiting_payment' AND EXISTS (SELECT 1 FROM \
                 reg_payment_attempts a WHERE a.transfer_id = t.id AND a.state = 'settled')";
    assert_eq!(node.count(stuck).await, 0);
    // No SMS lost: every message is sent, with an id the gateway gave.
    let ids: Vec<String> = node.gateways.sms().into_iter().map(|m| m.id).collect();
    for table in ["reg_outbox", "sso_outbox"] {
        let mut db = node.db().await;
        let rows: Vec<(String, Option<String>)> =
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT status, gateway_id FROM {table}")))
                .fetch_all(&mut db)
                .await
                .unwrap();
        for (status, gateway_id) in &rows {
            assert_eq!(status, "sent", "{table}: {rows:?}");
            assert!(gateway_id.as_ref().is_some_and(|g| ids.contains(g)), "{table}: {gateway_id:?} unknown");
        }
    }
    let rows =
        node.count("SELECT COUNT(*) FROM reg_outbox").await + node.count("SELECT COUNT(*) FROM sso_outbox").await;
    eprintln!("{} SMS rows, {} sends at the gateway (an SMS out when the server died goes again)", rows, ids.len());
}

async fn crash_story(postgres: bool) {
    let gateways = FakeGateways::start(Duration::from_millis(50)).await;
    let Some(mut node) = Node::new(postgres, gateways).await else { return };
    node.start(None).await;
    let mut deals = vec![];
    for (_, reg_no, seller, act_for, buyer) in DEALS {
        deals.push(submitted(&node, reg_no, seller, act_for, buyer).await);
    }
    node.drained().await;
    node.stop().await;
    for ((point, ..), deal) in DEALS.iter().zip(&deals) {
        crash_and_recover(&mut node, point, deal).await;
    }
    exactly_once(&node, &deals).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payments_and_sms_survive_a_crash_at_each_point_on_sqlite() {
    crash_story(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payments_and_sms_survive_a_crash_at_each_point_on_postgres() {
    crash_story(true).await;
}

#[test]
fn production_mode_refuses_to_start_with_a_crash_point_set() {
    let data = TempDir::new();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tims"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("TIMS_DATA", &data.0)
        .env("TIMS_PRODUCTION", "true")
        .env("TIMS_CRASH_AT", "payment.pushed_unstored")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("TIMS_CRASH_AT must not be set"), "{err}");
}
