#![allow(clippy::unwrap_used)]
//! The outbox's story, told once on SQLite and once on PostgreSQL (skipped
//! with a message when no PostgreSQL answers, except under CI).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use db::ManualClock;

use super::*;
use crate::sms::{BoxFuture, Cost, DevSmsSink, SentId};
use crate::throttle::{Limits, Throttled};

const SIGN_ON: Outbox = Outbox::new("sso_outbox");
const REGISTRY: Outbox = Outbox::new("reg_outbox");
const TTL: i64 = 10 * 60 * 1000;
const START: i64 = 1_000_000_000;

/// Answers as told, in order, then takes every message; keeps each tag.
#[derive(Debug, Default)]
struct Scripted {
    script: Mutex<VecDeque<Result<Sent, SmsError>>>,
    tags: Mutex<Vec<(String, SmsTag)>>,
}

impl Scripted {
    fn then(self, answer: Result<Sent, SmsError>) -> Self {
        self.script.lock().unwrap().push_back(answer);
        self
    }
}

impl SmsSender for Scripted {
    fn send<'a>(&'a self, _: &'a str, _: &'a str) -> BoxFuture<'a, Result<Sent, SmsError>> {
        Box::pin(async { Err(SmsError::Retry("the outbox always says what a message is".into())) })
    }

    fn send_tagged<'a>(&'a self, to: &'a str, _: &'a str, tag: &'a SmsTag) -> BoxFuture<'a, Result<Sent, SmsError>> {
        Box::pin(async move {
            let mut tags = self.tags.lock().unwrap();
            tags.push((to.to_string(), tag.clone()));
            let n = tags.len();
            self.script.lock().unwrap().pop_front().unwrap_or_else(|| Ok(taken(&format!("gw-{n}"))))
        })
    }

    fn is_development(&self) -> bool {
        true
    }
}

fn taken(id: &str) -> Sent {
    Sent { id: SentId(id.into()), cost: Some(Cost { currency: "KES".into(), micros: 800_000 }) }
}

/// The test PostgreSQL server's address.
fn postgres_admin() -> String {
    std::env::var("TIMS_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// A fresh, migrated database, on SQLite or PostgreSQL, with the name of
/// the PostgreSQL database made for it; `None` when PostgreSQL is asked
/// for and none answers outside CI.
async fn scratch(postgres: bool) -> Option<(Db, Option<String>)> {
    let (url, made) = if postgres {
        let admin = postgres_admin();
        let admin_db = match Db::connect(&admin, &db::PoolSettings::default()).await {
            Ok(d) => d,
            Err(e) if std::env::var("CI").is_ok_and(|v| v == "true") => panic!("PostgreSQL is required under CI: {e}"),
            Err(e) => {
                eprintln!("SKIPPED on PostgreSQL: none answers at {admin} ({e})");
                return None;
            }
        };
        let name = format!("tims_outbox_{}", lease_token());
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(admin_db.pool()).await.unwrap();
        admin_db.close().await;
        (format!("{}/{name}", admin.rsplit_once('/').unwrap().0), Some(name))
    } else {
        let dir = std::env::temp_dir().join(format!("tims-outbox-{}-{}", std::process::id(), lease_token()));
        (format!("sqlite://{}/t.db?mode=rwc", dir.display()), None)
    };
    let db = Db::connect(&url, &db::PoolSettings::default()).await.unwrap();
    db.migrate().await.unwrap();
    Some((db, made))
}

/// Drop the PostgreSQL database a story made (a SQLite file stays in the
/// temporary folder).
async fn drop_made(made: Option<String>) {
    let Some(name) = made else { return };
    let admin = Db::connect(&postgres_admin(), &db::PoolSettings::default()).await.unwrap();
    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    sqlx::query(sqlx::AssertSqlSafe(sql)).execute(admin.pool()).await.unwrap();
    admin.close().await;
}

/// Runs a story on both databases.
macro_rules! on_both {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                let (db, _) = super::scratch(false).await.unwrap();
                super::$name(db).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                if let Some((db, made)) = super::scratch(true).await {
                    super::$name(db.clone()).await;
                    db.close().await;
                    super::drop_made(made).await;
                }
            }
        }
    };
}

async fn queue(db: &Db, outbox: Outbox, to: &str, body: &str, secret: bool, now: i64) {
    let mut tx = db.begin_write().await.unwrap();
    enqueue(&mut tx, outbox, to, body, secret, &SmsTag::new("sign_in", None), now).await.unwrap();
    tx.commit().await.unwrap();
}

type RowState = (String, String, i64, Option<String>, Option<String>, Option<i64>);

/// status, body, attempts, failure_reason, gateway_id, cost_micros of each row.
async fn rows(db: &Db, outbox: Outbox) -> Vec<RowState> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT status, body, attempts, failure_reason, gateway_id, cost_micros FROM {} ORDER BY id",
        outbox.table()
    )))
    .fetch_all(db.pool())
    .await
    .unwrap()
}

on_both!(a_refused_message_is_retried_after_a_pause_and_keeps_its_id_and_cost_once_taken);
async fn a_refused_message_is_retried_after_a_pause_and_keeps_its_id_and_cost_once_taken(db: Db) {
    let clock = ManualClock::new(START);
    let sms = Scripted::default()
        .then(Err(SmsError::Retry("the gateway did not answer in time".into())))
        .then(Err(SmsError::Retry("the gateway answered HTTP 503".into())));
    queue(&db, SIGN_ON, "+254700000001", "your code is 123456", true, START).await;
    queue(&db, SIGN_ON, "+254700000002", "welcome", false, START).await;
    let b = backlog(&db, SIGN_ON, START).await.unwrap();
    assert_eq!(b, Backlog { pending: 2, oldest_at: Some(START), given_up: 0 });

    assert_eq!(deliver_due(&db, SIGN_ON, &sms, &clock, TTL).await.unwrap(), 0, "both refused once");
    let before = db.commits();
    assert_eq!(deliver_due(&db, SIGN_ON, &sms, &clock, TTL).await.unwrap(), 0);
    assert_eq!(db.commits(), before, "a pass with nothing due commits nothing");
    // The pause after a first attempt is one to two seconds.
    clock.advance_ms(2_000);
    assert_eq!(deliver_due(&db, SIGN_ON, &sms, &clock, TTL).await.unwrap(), 2);
    let r = rows(&db, SIGN_ON).await;
    assert_eq!(r[0], ("sent".into(), "[code delivered]".into(), 2, None, Some("gw-3".into()), Some(800_000)));
    assert_eq!(r[1], ("sent".into(), "welcome".into(), 2, None, Some("gw-4".into()), Some(800_000)));
    // Each send named its row and attempt: a retry is the same row again.
    let tags = sms.tags.lock().unwrap().clone();
    let seen: Vec<(Option<i64>, i64)> = tags.iter().map(|(_, t)| (t.outbox_id, t.attempt)).collect();
    let (first, second) = (seen[0].0.unwrap(), seen[1].0.unwrap());
    assert_eq!(seen, [(Some(first), 1), (Some(second), 1), (Some(first), 2), (Some(second), 2)]);
    assert!(tags.iter().all(|(_, t)| t.outbox == Some("sso_outbox") && t.purpose.as_deref() == Some("sign_in")));
    assert_eq!(backlog(&db, SIGN_ON, clock.now_ms()).await.unwrap().pending, 0);
}

on_both!(a_final_refusal_is_not_tried_again_and_its_reason_is_kept);
async fn a_final_refusal_is_not_tried_again_and_its_reason_is_kept(db: Db) {
    let clock = ManualClock::new(START);
    let sms = Scripted::default().then(Err(SmsError::Final("403 InvalidPhoneNumber".into())));
    queue(&db, REGISTRY, "+254700000009", "your code is 999999", true, START).await;
    assert_eq!(deliver_due(&db, REGISTRY, &sms, &clock, TTL).await.unwrap(), 0);
    clock.advance_ms(60 * 60 * 1000);
    assert_eq!(deliver_due(&db, REGISTRY, &sms, &clock, TTL).await.unwrap(), 0);
    assert_eq!(sms.tags.lock().unwrap().len(), 1, "sent once only");
    let r = rows(&db, REGISTRY).await;
    assert_eq!(
        r[0],
        ("failed".into(), "[code not delivered]".into(), 1, Some("403 InvalidPhoneNumber".into()), None, None)
    );
    assert_eq!(backlog(&db, REGISTRY, clock.now_ms()).await.unwrap().pending, 0);
}

on_both!(a_message_is_dead_lettered_after_its_last_attempt_and_a_stale_code_is_wiped_unsent);
async fn a_message_is_dead_lettered_after_its_last_attempt_and_a_stale_code_is_wiped_unsent(db: Db) {
    let clock = ManualClock::new(START);
    let sms = Scripted::default().then(Err(SmsError::Retry("the gateway answered HTTP 500".into())));
    queue(&db, REGISTRY, "+254700000004", "a notice", false, START).await;
    sqlx::query("UPDATE reg_outbox SET attempts = $1").bind(MAX_ATTEMPTS - 1).execute(db.pool()).await.unwrap();
    assert_eq!(deliver_due(&db, REGISTRY, &sms, &clock, TTL).await.unwrap(), 0);
    let r = rows(&db, REGISTRY).await;
    assert_eq!((r[0].0.as_str(), r[0].2), ("dead", MAX_ATTEMPTS));
    assert_eq!(r[0].3.as_deref(), Some("the gateway answered HTTP 500"));
    assert_eq!(
        backlog(&db, REGISTRY, clock.now_ms()).await.unwrap(),
        Backlog { pending: 0, oldest_at: None, given_up: 1 }
    );
    clock.advance_ms(CEIL_WAIT);
    assert_eq!(deliver_due(&db, REGISTRY, &sms, &clock, TTL).await.unwrap(), 0);
    assert_eq!(sms.tags.lock().unwrap().len(), 1, "a dead message is not tried again");

    // A code that could not go out in time is wiped, never sent late.
    queue(&db, SIGN_ON, "+254700000003", "your code is 654321", true, clock.now_ms()).await;
    clock.advance_ms(TTL);
    assert_eq!(deliver_due(&db, SIGN_ON, &sms, &clock, TTL).await.unwrap(), 0);
    let r = rows(&db, SIGN_ON).await;
    assert_eq!(r[0].0, "failed");
    assert_eq!(r[0].1, "[code expired undelivered]");
    assert_eq!(r[0].3.as_deref(), Some("expired before delivery"));
    assert_eq!(sms.tags.lock().unwrap().len(), 1);
}

const CEIL_WAIT: i64 = 24 * 60 * 60 * 1000;

on_both!(a_message_over_the_send_rate_waits_and_is_not_lost);
async fn a_message_over_the_send_rate_waits_and_is_not_lost(db: Db) {
    let clock = Arc::new(ManualClock::new(START));
    let sink = Arc::new(DevSmsSink::new(clock.clone()));
    let limits = Limits { per_second: 10, per_number_per_minute: 2, in_flight: 4 };
    let sms = Throttled::new(sink.clone(), limits, clock.clone());
    for n in 1..=3 {
        queue(&db, SIGN_ON, "+254700000001", &format!("notice {n}"), false, START).await;
    }
    queue(&db, SIGN_ON, "+254700000002", "another number", false, START).await;
    assert_eq!(deliver_due(&db, SIGN_ON, &sms, &*clock, TTL).await.unwrap(), 3);
    let r = rows(&db, SIGN_ON).await;
    assert_eq!((r[2].0.as_str(), r[2].2), ("queued", 0), "held back, the attempt not counted");
    clock.advance_ms(30_000);
    assert_eq!(deliver_due(&db, SIGN_ON, &sms, &*clock, TTL).await.unwrap(), 0, "due when a place frees");
    clock.advance_ms(30_000);
    assert_eq!(deliver_due(&db, SIGN_ON, &sms, &*clock, TTL).await.unwrap(), 1);
    let bodies: Vec<String> = sink.messages(Some("+254700000001")).into_iter().map(|m| m.body).collect();
    assert_eq!(bodies, ["notice 3", "notice 2", "notice 1"]);
    let last = &sink.messages(None)[0];
    assert_eq!((last.outbox, last.attempt), (Some("sso_outbox"), 1), "the sink sees the row and its attempt");
}

fn report(id: &str, status: &str, reason: Option<&str>) -> Report {
    Report {
        gateway_id: id.into(),
        status: status.into(),
        failure_reason: reason.map(str::to_string),
        network_code: Some("63902".into()),
        retry_count: Some(0),
    }
}

on_both!(delivery_reports_move_a_message_on_and_one_that_comes_first_waits_for_its_id);
async fn delivery_reports_move_a_message_on_and_one_that_comes_first_waits_for_its_id(db: Db) {
    let clock = ManualClock::new(START);
    let both = [SIGN_ON, REGISTRY];
    let sms = Scripted::default().then(Ok(taken("ATXid_a"))).then(Ok(taken("ATXid_b"))).then(Ok(taken("ATXid_c")));
    queue(&db, SIGN_ON, "+254700000001", "your code is 111111", true, START).await;
    queue(&db, SIGN_ON, "+254700000001", "welcome", false, START).await;
    queue(&db, REGISTRY, "+254700000001", "a notice", false, START).await;
    // The gateway reports on the registry's message before its answer is written.
    assert_eq!(
        record_report(&db, &both, &report("ATXid_c", "Success", None), START).await.unwrap(),
        ReportOutcome::Waiting
    );
    assert_eq!(deliver_due(&db, SIGN_ON, &sms, &clock, TTL).await.unwrap(), 2);
    assert_eq!(deliver_due(&db, REGISTRY, &sms, &clock, TTL).await.unwrap(), 1);
    assert_eq!(rows(&db, REGISTRY).await[0].0, "delivered", "the early report was applied once the id came");

    clock.advance_ms(5_000);
    let now = clock.now_ms();
    assert_eq!(
        record_report(&db, &both, &report("ATXid_a", "Buffered", None), now).await.unwrap(),
        ReportOutcome::Applied
    );
    assert_eq!(rows(&db, SIGN_ON).await[0].0, "sent");
    record_report(&db, &both, &report("ATXid_a", "Success", None), now).await.unwrap();
    record_report(&db, &both, &report("ATXid_b", "Failed", Some("UserInBlackList")), now).await.unwrap();
    // A late word after the final one changes nothing.
    record_report(&db, &both, &report("ATXid_a", "Sent", None), now).await.unwrap();
    let r = rows(&db, SIGN_ON).await;
    assert_eq!(r[0].0, "delivered");
    assert_eq!((r[1].0.as_str(), r[1].3.as_deref()), ("failed", Some("UserInBlackList")));
    assert_eq!(
        record_report(&db, &both, &report("ATXid_zz", "Success", None), now).await.unwrap(),
        ReportOutcome::Waiting
    );

    // Staff see each message's history and cost, never a code's text.
    let history = history_for_number(&db, &both, "+254700000001", 10).await.unwrap();
    assert_eq!(history.len(), 3);
    let code = history.iter().find(|m| m.gateway_id.as_deref() == Some("ATXid_a")).unwrap();
    assert_eq!(code.body, None);
    let words: Vec<&str> = code.reports.iter().map(|e| e.status.as_str()).collect();
    assert_eq!(words, ["Buffered", "Success", "Sent"]);
    assert_eq!(code.cost, Some(Cost { currency: "KES".into(), micros: 800_000 }));
    let notice = history.iter().find(|m| m.outbox == "reg_outbox").unwrap();
    assert_eq!((notice.body.as_deref(), notice.status.as_str()), (Some("a notice"), "delivered"));
}

/// The registry outbox's worker on `db`, running: its task, its wake-up
/// notice and its stop.
fn spawn_pump(
    db: &Db,
    sms: Arc<dyn SmsSender>,
    clock: &ManualClock,
) -> (tokio::task::JoinHandle<()>, Arc<tokio::sync::Notify>, tokio::sync::watch::Sender<bool>) {
    let wake = Arc::new(tokio::sync::Notify::new());
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let (db, w, clock) = (db.clone(), wake.clone(), clock.clone());
    let worker = tokio::spawn(async move {
        let pump = Pump { db: &db, outbox: REGISTRY, sms: &*sms, clock: &clock, code_ttl_ms: TTL, wake: &w };
        pump.run(stopped).await;
    });
    (worker, wake, stop)
}

/// Holds each send until the test lets one through; notes the order in
/// which sends began and which bodies the gateway took.
#[derive(Debug)]
struct Gated {
    began: Mutex<Vec<String>>,
    gate: tokio::sync::Semaphore,
}

impl SmsSender for Gated {
    fn send<'a>(&'a self, _: &'a str, body: &'a str) -> BoxFuture<'a, Result<Sent, SmsError>> {
        Box::pin(async move {
            self.began.lock().unwrap().push(body.to_string());
            self.gate.acquire().await.unwrap().forget();
            Ok(taken(&format!("gw-{body}")))
        })
    }

    fn is_development(&self) -> bool {
        true
    }

    fn max_in_flight(&self) -> usize {
        WINDOW
    }
}

/// What [`Gated`] lets out at once.
const WINDOW: usize = 16;

/// Waits until `n` sends have begun.
async fn began(sms: &Gated, n: usize) -> Vec<String> {
    for _ in 0..500 {
        let b = sms.began.lock().unwrap().clone();
        if b.len() >= n {
            return b;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("only {} sends began, waited for {n}", sms.began.lock().unwrap().len());
}

on_both!(the_worker_keeps_many_sends_out_sends_codes_first_and_finishes_what_is_out_when_stopped);
async fn the_worker_keeps_many_sends_out_sends_codes_first_and_finishes_what_is_out_when_stopped(db: Db) {
    let clock = ManualClock::new(START);
    for i in 0..100 {
        queue(&db, REGISTRY, "+254700000001", &format!("notice {i}"), false, START).await;
    }
    queue(&db, REGISTRY, "+254700000002", "code A", true, START).await;
    let sms = Arc::new(Gated { began: Mutex::new(vec![]), gate: tokio::sync::Semaphore::new(0) });
    let (worker, wake, stop) = spawn_pump(&db, sms.clone(), &clock);
    // A full window goes out at once, the code queued last among the first.
    let first = began(&sms, WINDOW).await;
    assert_eq!(first[0], "code A", "codes are leased before notices");
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert_eq!(sms.began.lock().unwrap().len(), WINDOW, "no more than the window is out");

    // A code queued now goes out as soon as one place frees, ahead of the
    // notices still waiting.
    queue(&db, REGISTRY, "+254700000003", "code B", true, START).await;
    wake.notify_one();
    sms.gate.add_permits(1);
    assert_eq!(began(&sms, WINDOW + 1).await[WINDOW], "code B");
    assert_eq!(rows(&db, REGISTRY).await.iter().filter(|r| r.0 == "sent").count(), 1, "the answer is written at once");

    // Stopped with a full window out: it leases nothing more, waits for them and
    // writes them, so none is sent twice by the next worker.
    stop.send(true).unwrap();
    sms.gate.add_permits(WINDOW);
    tokio::time::timeout(std::time::Duration::from_secs(10), worker).await.unwrap().unwrap();
    let after = rows(&db, REGISTRY).await;
    let sent = after.iter().filter(|r| r.0 == "sent").count();
    assert_eq!(sent, WINDOW + 1);
    assert_eq!(sent, sms.began.lock().unwrap().len(), "every send that began is written as sent");
    assert!(after.iter().filter(|r| r.0 == "queued").all(|r| r.4.is_none()), "the rest wait untouched");
    assert!(after.iter().filter(|r| r.0 == "sent").all(|r| r.4.as_deref().is_some_and(|g| g.starts_with("gw-"))));
    assert_eq!(after.iter().filter(|r| r.0 == "queued").count(), 102 - WINDOW - 1);
}

/// Takes the first two messages, then says the send rate is spent for a
/// second; counts every call.
#[derive(Debug, Default)]
struct RateSpent {
    calls: std::sync::atomic::AtomicUsize,
}

impl SmsSender for RateSpent {
    fn send<'a>(&'a self, _: &'a str, body: &'a str) -> BoxFuture<'a, Result<Sent, SmsError>> {
        Box::pin(async move {
            let n = self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            if n < 2 { Ok(taken(&format!("gw-{body}"))) } else { Err(SmsError::Later { at_ms: START + 1_000 }) }
        })
    }

    fn is_development(&self) -> bool {
        true
    }

    fn max_in_flight(&self) -> usize {
        WINDOW
    }
}

on_both!(a_spent_send_rate_stops_the_leasing_until_the_next_look);
async fn a_spent_send_rate_stops_the_leasing_until_the_next_look(db: Db) {
    let clock = ManualClock::new(START);
    for i in 0..50 {
        queue(&db, REGISTRY, "+254700000001", &format!("notice {i}"), false, START).await;
    }
    let sms = Arc::new(RateSpent::default());
    let (worker, wake, stop) = spawn_pump(&db, sms.clone(), &clock);
    // Within the second, one window was tried: two went, the rest wait
    // without the backlog being leased and put back window after window.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    wake.notify_one();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(sms.calls.load(std::sync::atomic::Ordering::SeqCst), WINDOW);
    stop.send(true).unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(10), worker).await.unwrap().unwrap();
    let after = rows(&db, REGISTRY).await;
    assert_eq!(after.iter().filter(|r| r.0 == "sent").count(), 2);
    assert!(after.iter().filter(|r| r.0 == "queued").all(|r| r.2 == 0), "a held-back send is no attempt");
}
