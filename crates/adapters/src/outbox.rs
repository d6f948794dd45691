//! The SMS outboxes: messages written in the same transaction as the change
//! that causes them, delivered after commit by a worker through an
//! [`SmsSender`]. The sign-on and the registry each keep theirs in a table
//! of the same shape, which each names ([`Outbox::new`]); this module is
//! the one way both are filled and sent.
//!
//! A pass leases a batch of due rows in one conditional update and marks
//! what it sent in at most three statements, all through the writers' gate
//! ([`Db::begin_write`]), so several nodes can run workers, a busy moment
//! costs few commits, and a pass that finds nothing commits nothing. A
//! message carrying a code has its text wiped once delivered, or once too
//! old to be of use.

use db::{Clock, Db, WriteTx};

use crate::sms::{SmsSender, SmsTag};

/// A lease lets one worker send a row; after this long another may.
const LEASE_MS: i64 = 30_000;
/// Rows leased per pass.
pub const BATCH: usize = 50;
/// Attempts before a message is left for the operator.
const MAX_ATTEMPTS: i64 = 8;

/// Which outbox: each part of tims has its own table, of one shape, and
/// names it here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outbox {
    table: &'static str,
}

impl Outbox {
    /// The outbox kept in `table`: the program's own text, never input.
    pub const fn new(table: &'static str) -> Self {
        Self { table }
    }

    /// The table's name.
    pub fn table(self) -> &'static str {
        self.table
    }
}

/// Queue `body` for `to` inside the transaction that causes it. `secret`
/// marks a message that carries a code: its text is wiped once sent (what
/// it was for, `tag`, stays).
pub async fn enqueue(
    tx: &mut WriteTx,
    outbox: Outbox,
    to: &str,
    body: &str,
    secret: bool,
    tag: &SmsTag,
    now: i64,
) -> Result<(), sqlx::Error> {
    let sql = format!(
        "INSERT INTO {} (to_phone, body, secret, purpose, reference, created_at, available_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
        outbox.table()
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(to)
        .bind(body)
        .bind(i64::from(secret))
        .bind(tag.purpose.as_deref())
        .bind(tag.reference.as_deref())
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Deliver what is due in `outbox`, once; a code older than `code_ttl_ms`
/// is wiped unsent. Returns how many messages were sent ([`BATCH`] means
/// there may be more).
pub async fn deliver_due(
    db: &Db,
    outbox: Outbox,
    sms: &dyn SmsSender,
    clock: &dyn Clock,
    code_ttl_ms: i64,
) -> Result<usize, db::Error> {
    let table = outbox.table();
    let now = clock.now_ms();
    let leased = lease(db, table, now).await?;
    if leased.is_empty() {
        return Ok(0);
    }
    let (mut plain, mut codes, mut wiped) = (vec![], vec![], vec![]);
    for (id, to, body, secret, attempts, created_at, purpose, reference) in leased {
        let secret = secret != 0;
        if secret && now - created_at >= code_ttl_ms {
            wiped.push(id);
            continue;
        }
        let tag = SmsTag { purpose, reference };
        match sms.send_tagged(&to, &body, &tag).await {
            Ok(sent) => {
                tracing::debug!(outbox = table, outbox_id = id, gateway_id = %sent, "SMS sent");
                metrics::counter!("tims_sms_sent_total").increment(1);
                if secret { codes.push(id) } else { plain.push(id) }
            }
            Err(e) => {
                let backoff = 1_000 * (1_i64 << attempts.min(10));
                tracing::warn!(outbox = table, outbox_id = id, attempts, error = %e, "SMS delivery failed; will retry");
                metrics::counter!("tims_sms_failed_total").increment(1);
                db.execute_write(
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "UPDATE {table} SET lease_until = NULL, available_at = $1, last_error = $2 WHERE id = $3"
                    )))
                    .bind(clock.now_ms() + backoff)
                    .bind(e.to_string())
                    .bind(id),
                )
                .await?;
            }
        }
    }
    let sent = plain.len() + codes.len();
    // Marking the batch is one statement per kind of message.
    let marks = [
        (plain, "sent_at = $1, lease_until = NULL"),
        (codes, "sent_at = $1, body = '[code delivered]', lease_until = NULL"),
        (
            wiped,
            "sent_at = $1, body = '[code expired undelivered]', lease_until = NULL, \
             last_error = 'expired before delivery'",
        ),
    ];
    if marks.iter().all(|(ids, _)| ids.is_empty()) {
        return Ok(0);
    }
    mark(db, table, &marks, clock.now_ms()).await?;
    Ok(sent)
}

/// A leased row: id, to, body, secret, attempts, created_at, purpose,
/// reference.
type Leased = (i64, String, String, i64, i64, i64, Option<String>, Option<String>);

/// What waits in an outbox, for the operator's metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backlog {
    /// Messages not yet sent that will still be tried.
    pub pending: i64,
    /// When the oldest of them was queued.
    pub oldest_at: Option<i64>,
    /// Messages given up on, after every attempt failed, in the last
    /// [`GIVEN_UP_WINDOW_MS`] (older ones are the operator's history).
    pub given_up: i64,
}

/// How far back [`Backlog::given_up`] counts.
pub const GIVEN_UP_WINDOW_MS: i64 = 7 * 24 * 60 * 60 * 1000;

/// What waits in `outbox` at `now`. A message out on its last attempt
/// counts as pending until that attempt fails.
pub async fn backlog(db: &Db, outbox: Outbox, now: i64) -> Result<Backlog, sqlx::Error> {
    let table = outbox.table();
    let (pending, oldest_at, given_up): (i64, Option<i64>, i64) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT COALESCE(SUM(CASE WHEN attempts < $1 OR lease_until >= $2 THEN 1 ELSE 0 END), 0), \
         MIN(CASE WHEN attempts < $1 OR lease_until >= $2 THEN created_at END), \
         COALESCE(SUM(CASE WHEN attempts >= $1 AND (lease_until IS NULL OR lease_until < $2) \
         AND created_at >= $3 THEN 1 ELSE 0 END), 0) \
         FROM {table} WHERE sent_at IS NULL"
    )))
    .bind(MAX_ATTEMPTS)
    .bind(now)
    .bind(now - GIVEN_UP_WINDOW_MS)
    .fetch_one(db.pool())
    .await?;
    Ok(Backlog { pending, oldest_at, given_up })
}

/// A lease's mark: random, so that two workers' leases never share one.
pub(crate) fn lease_token() -> String {
    let mut b = [0_u8; 16];
    // Without the OS's randomness nothing else in tims works either; a
    // clock-based mark still keeps this process's leases apart.
    if getrandom::fill(&mut b).is_err() {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        b = nanos.to_le_bytes();
    }
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Lease the messages due in `table` to this worker, in one statement.
async fn lease(db: &Db, table: &str, now: i64) -> Result<Vec<Leased>, db::Error> {
    let mut tx = db.begin_write().await?;
    // One statement leases the batch; the rows this worker got are those
    // that carry its lease token. The lease condition is checked again on
    // each row as it is updated, so two workers on PostgreSQL (where the
    // subquery may see a row another worker is leasing) never both get it.
    let mark = lease_token();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE {table} SET lease_until = $1, lease_token = $2, attempts = attempts + 1 WHERE id IN (\
         SELECT id FROM {table} WHERE sent_at IS NULL AND attempts < $3 AND available_at <= $4 \
         AND (lease_until IS NULL OR lease_until < $4) ORDER BY id LIMIT $5) \
         AND sent_at IS NULL AND (lease_until IS NULL OR lease_until < $4)"
    )))
    .bind(now + LEASE_MS)
    .bind(&mark)
    .bind(MAX_ATTEMPTS)
    .bind(now)
    .bind(BATCH as i64)
    .execute(&mut *tx)
    .await?;
    let leased: Vec<Leased> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT id, to_phone, body, secret, attempts, created_at, purpose, reference FROM {table} \
         WHERE lease_token = $1 AND sent_at IS NULL ORDER BY id"
    )))
    .bind(&mark)
    .fetch_all(&mut *tx)
    .await?;
    if leased.is_empty() {
        // Nothing was due, so nothing changed: an idle worker's pass costs
        // no commit and no flush to disk.
        tx.rollback().await?;
    } else {
        tx.commit().await?;
    }
    Ok(leased)
}

/// Mark a delivered batch: one statement per kind of message.
async fn mark(db: &Db, table: &str, marks: &[(Vec<i64>, &str)], sent_at: i64) -> Result<(), db::Error> {
    let mut tx = db.begin_write().await?;
    for (ids, set) in marks {
        if ids.is_empty() {
            continue;
        }
        // The ids are integers this worker read back, never input.
        let in_list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
        sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE {table} SET {set} WHERE id IN ({in_list})")))
            .bind(sent_at)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::sync::Mutex;

    use db::ManualClock;

    use super::*;
    use crate::sms::{BoxFuture, SentId, SmsError};

    const SIGN_ON: Outbox = Outbox::new("sso_outbox");
    const REGISTRY: Outbox = Outbox::new("reg_outbox");

    /// Refuses the first message to each number, then delivers.
    #[derive(Debug, Default)]
    struct Flaky {
        refused: Mutex<Vec<String>>,
        delivered: Mutex<Vec<(String, String)>>,
    }

    impl SmsSender for Flaky {
        fn send<'a>(&'a self, to: &'a str, body: &'a str) -> BoxFuture<'a, Result<SentId, SmsError>> {
            Box::pin(async move {
                let mut refused = self.refused.lock().unwrap();
                if !refused.iter().any(|r| r == to) {
                    refused.push(to.to_string());
                    return Err(SmsError("gateway busy".into()));
                }
                self.delivered.lock().unwrap().push((to.to_string(), body.to_string()));
                Ok(SentId(format!("flaky-{}", self.delivered.lock().unwrap().len())))
            })
        }

        fn is_development(&self) -> bool {
            true
        }
    }

    async fn scratch() -> (Db, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("tims-outbox-{}-{}", std::process::id(), lease_token()));
        let db = Db::connect(&format!("sqlite://{}/t.db?mode=rwc", dir.display()), &db::PoolSettings::default())
            .await
            .unwrap();
        db.migrate().await.unwrap();
        (db, dir)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_refused_message_is_retried_after_a_pause_and_codes_are_wiped() {
        let (db, dir) = scratch().await;
        let clock = ManualClock::new(1_000_000);
        let sms = Flaky::default();
        let ttl = 10 * 60 * 1000;
        let mut tx = db.begin_write().await.unwrap();
        enqueue(
            &mut tx,
            SIGN_ON,
            "+254700000001",
            "your code is 123456",
            true,
            &SmsTag::new("sign_in", None),
            clock.now_ms(),
        )
        .await
        .unwrap();
        enqueue(&mut tx, SIGN_ON, "+254700000002", "welcome", false, &SmsTag::default(), clock.now_ms()).await.unwrap();
        tx.commit().await.unwrap();

        let b = backlog(&db, SIGN_ON, clock.now_ms()).await.unwrap();
        assert_eq!(b, Backlog { pending: 2, oldest_at: Some(clock.now_ms()), given_up: 0 });
        // Both are refused once: nothing is sent, and neither is due again at once.
        assert_eq!(deliver_due(&db, SIGN_ON, &sms, &clock, ttl).await.unwrap(), 0);
        let before = db.commits();
        assert_eq!(deliver_due(&db, SIGN_ON, &sms, &clock, ttl).await.unwrap(), 0);
        assert_eq!(db.commits(), before, "a pass with nothing due commits nothing");
        // After the pause (2 s after a first attempt) both go out.
        clock.advance_ms(2_000);
        assert_eq!(deliver_due(&db, SIGN_ON, &sms, &clock, ttl).await.unwrap(), 2);
        assert_eq!(sms.delivered.lock().unwrap().len(), 2);
        assert_eq!(
            backlog(&db, SIGN_ON, clock.now_ms()).await.unwrap(),
            Backlog { pending: 0, oldest_at: None, given_up: 0 }
        );
        let rows: Vec<(String, Option<String>, i64)> =
            sqlx::query_as("SELECT body, last_error, attempts FROM sso_outbox ORDER BY id")
                .fetch_all(db.pool())
                .await
                .unwrap();
        assert_eq!(rows[0].0, "[code delivered]", "a code's text is wiped once sent");
        let purpose: Option<String> =
            sqlx::query_scalar("SELECT purpose FROM sso_outbox ORDER BY id").fetch_one(db.pool()).await.unwrap();
        assert_eq!(purpose.as_deref(), Some("sign_in"), "what it was for stays");
        assert_eq!(rows[1].0, "welcome");
        assert!(rows.iter().all(|r| r.1.as_deref() == Some("SMS not sent: gateway busy") && r.2 == 2), "{rows:?}");

        // A code that could not go out in time is wiped, not sent late.
        let mut tx = db.begin_write().await.unwrap();
        enqueue(&mut tx, REGISTRY, "+254700000003", "your code is 654321", true, &SmsTag::default(), clock.now_ms())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(deliver_due(&db, REGISTRY, &sms, &clock, ttl).await.unwrap(), 0, "refused once");
        clock.advance_ms(ttl);
        assert_eq!(deliver_due(&db, REGISTRY, &sms, &clock, ttl).await.unwrap(), 0);
        let (body, sent): (String, Option<i64>) =
            sqlx::query_as("SELECT body, sent_at FROM reg_outbox").fetch_one(db.pool()).await.unwrap();
        assert_eq!((body.as_str(), sent), ("[code expired undelivered]", Some(clock.now_ms())));
        assert_eq!(sms.delivered.lock().unwrap().len(), 2);
        // A message refused at every attempt is given up on, and counted so.
        let mut tx = db.begin_write().await.unwrap();
        enqueue(&mut tx, REGISTRY, "+254700000004", "a notice", false, &SmsTag::default(), clock.now_ms())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        sqlx::query("UPDATE reg_outbox SET attempts = $1 WHERE to_phone = '+254700000004'")
            .bind(MAX_ATTEMPTS)
            .execute(db.pool())
            .await
            .unwrap();
        assert_eq!(
            backlog(&db, REGISTRY, clock.now_ms()).await.unwrap(),
            Backlog { pending: 0, oldest_at: None, given_up: 1 }
        );
        assert_eq!(deliver_due(&db, REGISTRY, &sms, &clock, ttl).await.unwrap(), 0);
        db.close().await;
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
