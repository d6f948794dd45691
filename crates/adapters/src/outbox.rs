//! The SMS outboxes: messages written in the same transaction as the change
//! that causes them, delivered after commit by a worker through an
//! [`SmsSender`]. The sign-on and the registry each keep theirs in a table
//! of the same shape, which each names ([`Outbox::new`]); this module is
//! the one way both are filled, sent and followed.
//!
//! A message's status: `queued` until the gateway takes it, then `sent`
//! (with the gateway's id and the cost), then `delivered` or `failed` as
//! its delivery report says (`reports`). A refusal the gateway calls final
//! makes it `failed` at once, with the reason; any other failure is tried
//! again after a growing, jittered pause (`retry`), and after
//! [`MAX_ATTEMPTS`] the message is `dead`. A message over the send-rate
//! limit (see `throttle`) waits, without counting an attempt.
//!
//! The worker ([`Pump`]) keeps many messages out to the gateway at once and,
//! in each step, writes what became of those that came back and leases
//! more due rows, codes first, in one conditional update, all in one
//! transaction through the writers' gate ([`Db::begin_write`]): several
//! nodes can run workers, a busy moment costs few commits, and a step that
//! finds nothing commits nothing. A row is not sent once its lease is
//! nearly spent, so a slow gateway never lets another worker send the same
//! row. [`deliver_due`] is one pass of the same, for tests and tools. A
//! message carrying a code has its text wiped once it leaves the queue, or
//! once too old to be of use.

mod history;
mod pump;
mod reports;
mod retry;

use db::{Clock, Db, WriteTx};

pub use self::history::{MessageHistory, StatusEvent, history_for_number};
pub use self::pump::Pump;
pub use self::reports::{Report, ReportOutcome, ReportStatus, record_report};
pub use self::retry::{MAX_ATTEMPTS, backoff_ms};
use crate::sms::{Sent, SmsError, SmsSender, SmsTag};

/// A lease lets one worker send a row; after this long another may.
const LEASE_MS: i64 = 30_000;
/// A pass sends nothing once less than this is left of its lease: more
/// than the gateway adapter's longest wait for an answer.
const LEASE_MARGIN_MS: i64 = 15_000;
/// Messages of one pass out to the gateway at once.
const SENDS_AT_ONCE: usize = 8;
/// Rows leased per pass.
pub const BATCH: usize = 50;

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
/// marks a message that carries a code: its text is wiped once it leaves
/// the queue (what it was for, `tag`, stays).
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
        "INSERT INTO {} (to_phone, body, secret, purpose, reference, created_at, available_at, status, status_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6, 'queued', $6)",
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

/// A leased row's id, the lease's token, and what became of the row.
type Done = (i64, String, Outcome);

/// What became of one leased row in a pass.
#[derive(Debug)]
enum Outcome {
    /// The gateway took it.
    Sent(Sent),
    /// Not tried (the send-rate limit, or the lease nearly spent): due
    /// again at this time, the attempt not counted.
    Wait(i64),
    /// Not sent; tried again at this time.
    Retry { at: i64, error: String },
    /// Given up on: `failed` (the gateway's final refusal, or a code too
    /// old to send) or `dead` (every attempt failed).
    Over { status: &'static str, reason: String },
}

/// Deliver what is due in `outbox`, once; a code older than `code_ttl_ms`
/// is wiped unsent. Returns how many messages the gateway took ([`BATCH`]
/// means there may be more).
pub async fn deliver_due(
    db: &Db,
    outbox: Outbox,
    sms: &dyn SmsSender,
    clock: &dyn Clock,
    code_ttl_ms: i64,
) -> Result<usize, db::Error> {
    let table = outbox.table();
    let now = clock.now_ms();
    // Reports that came before their message's id was written wait for it.
    reports::apply_waiting(db, outbox, now).await?;
    let leased = step(db, table, &[], BATCH, now).await?;
    if leased.is_empty() {
        return Ok(0);
    }
    let sender = Sender { table, sms, clock, code_ttl_ms };
    // The gateway's round trip, not this node, bounds a pass: a batch's
    // messages go out several at a time (the rate limits still apply
    // inside the gateway's wrapper).
    use futures_util::StreamExt as _;
    let sends: Vec<_> = leased.into_iter().map(|row| sender.send(row, now)).collect();
    let outcomes: Vec<Done> = futures_util::stream::iter(sends).buffer_unordered(SENDS_AT_ONCE).collect().await;
    crate::crashpoint("outbox.sent_unmarked");
    let sent = outcomes.iter().filter(|(_, _, o)| matches!(o, Outcome::Sent(_))).count();
    step(db, table, &outcomes, 0, clock.now_ms()).await?;
    count(table, &outcomes);
    if sent > 0 {
        // A report may have come while the gateway's answer was on its way.
        reports::apply_waiting(db, outbox, clock.now_ms()).await?;
    }
    Ok(sent)
}

/// What sends a leased row: the gateway, and what it needs to judge a row.
#[derive(Clone, Copy)]
struct Sender<'a> {
    table: &'static str,
    sms: &'a dyn SmsSender,
    clock: &'a dyn Clock,
    code_ttl_ms: i64,
}

impl<'a> Sender<'a> {
    /// Send `row`, leased at `leased_at`: its id and what became of it.
    fn send(self, row: Leased, leased_at: i64) -> crate::BoxFuture<'a, Done> {
        Box::pin(async move {
            let outcome = send_one(&row, self.table, self.sms, self.clock, leased_at, self.code_ttl_ms).await;
            (row.id, row.token, outcome)
        })
    }
}

/// Send one leased row, or say why not.
async fn send_one(
    row: &Leased,
    table: &'static str,
    sms: &dyn SmsSender,
    clock: &dyn Clock,
    leased_at: i64,
    code_ttl_ms: i64,
) -> Outcome {
    let now = clock.now_ms();
    if row.secret && now - row.created_at >= code_ttl_ms {
        return Outcome::Over { status: "failed", reason: "expired before delivery".into() };
    }
    if now > leased_at + LEASE_MS - LEASE_MARGIN_MS {
        return Outcome::Wait(now);
    }
    let tag = SmsTag {
        purpose: row.purpose.clone(),
        reference: row.reference.clone(),
        outbox: Some(table),
        outbox_id: Some(row.id),
        attempt: row.attempts,
    };
    let (id, attempt) = (row.id, row.attempts);
    match sms.send_tagged(&row.to, &row.body, &tag).await {
        Ok(sent) => {
            tracing::debug!(outbox = table, outbox_id = id, attempt, gateway_id = %sent.id, "SMS sent");
            Outcome::Sent(sent)
        }
        Err(SmsError::Later { at_ms }) => Outcome::Wait(at_ms.max(now)),
        Err(SmsError::Final(reason)) => {
            tracing::warn!(outbox = table, outbox_id = id, attempt, reason, "SMS refused for good");
            Outcome::Over { status: "failed", reason }
        }
        Err(SmsError::Retry(error)) if attempt >= MAX_ATTEMPTS => {
            tracing::error!(outbox = table, outbox_id = id, attempt, error, "SMS given up on after every attempt");
            Outcome::Over { status: "dead", reason: error }
        }
        Err(SmsError::Retry(error)) => {
            let at = clock.now_ms() + backoff_ms(attempt, retry::jitter());
            tracing::warn!(outbox = table, outbox_id = id, attempt, error, retry_at = at, "SMS not sent; will retry");
            Outcome::Retry { at, error }
        }
    }
}

/// The counters of what a pass did, by outbox.
fn count(table: &'static str, outcomes: &[Done]) {
    for (_, _, o) in outcomes {
        match o {
            Outcome::Sent(sent) => {
                metrics::counter!("tims_sms_sent_total", "outbox" => table).increment(1);
                if let Some(cost) = &sent.cost {
                    metrics::counter!("tims_sms_spend_micros_total", "currency" => cost.currency.clone())
                        .increment(cost.micros.max(0) as u64);
                }
            }
            Outcome::Retry { .. } => metrics::counter!("tims_sms_retries_total", "outbox" => table).increment(1),
            Outcome::Over { status: "dead", .. } => {
                metrics::counter!("tims_sms_dead_total", "outbox" => table).increment(1);
            }
            Outcome::Over { .. } => metrics::counter!("tims_sms_failed_total", "outbox" => table).increment(1),
            Outcome::Wait(_) => {}
        }
    }
}

/// A leased row.
#[derive(Debug)]
struct Leased {
    id: i64,
    /// The lease's token (see [`lease_token`]).
    token: String,
    to: String,
    body: String,
    secret: bool,
    attempts: i64,
    created_at: i64,
    purpose: Option<String>,
    reference: Option<String>,
}

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
/// counts as pending until that attempt fails; one whose worker stopped
/// during its last attempt counts as given up on.
pub async fn backlog(db: &Db, outbox: Outbox, now: i64) -> Result<Backlog, sqlx::Error> {
    let table = outbox.table();
    let (pending, oldest_at, given_up): (i64, Option<i64>, i64) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT COALESCE(SUM(CASE WHEN status = 'queued' AND (attempts < $1 OR lease_until >= $2) THEN 1 ELSE 0 END), 0), \
         MIN(CASE WHEN status = 'queued' AND (attempts < $1 OR lease_until >= $2) THEN created_at END), \
         COALESCE(SUM(CASE WHEN (status = 'dead' OR (status = 'queued' AND attempts >= $1 \
         AND (lease_until IS NULL OR lease_until < $2))) AND created_at >= $3 THEN 1 ELSE 0 END), 0) \
         FROM {table} WHERE status IN ('queued', 'dead')"
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

/// Lease up to `limit` messages due in `table` to this worker, in one
/// statement, codes first (a person waits on a code; a notice can wait a
/// moment).
async fn lease_in(tx: &mut WriteTx, table: &str, now: i64, limit: usize) -> Result<Vec<Leased>, sqlx::Error> {
    // One statement leases the batch; the rows this worker got are those
    // that carry its lease token. The lease condition is checked again on
    // each row as it is updated, so two workers on PostgreSQL (where the
    // subquery may see a row another worker is leasing) never both get it.
    let mark = lease_token();
    let took = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE {table} SET lease_until = $1, lease_token = $2, attempts = attempts + 1 WHERE id IN (\
         SELECT id FROM {table} WHERE status = 'queued' AND attempts < $3 AND available_at <= $4 \
         AND (lease_until IS NULL OR lease_until < $4) ORDER BY secret DESC, id LIMIT $5) \
         AND status = 'queued' AND (lease_until IS NULL OR lease_until < $4)"
    )))
    .bind(now + LEASE_MS)
    .bind(&mark)
    .bind(MAX_ATTEMPTS)
    .bind(now)
    .bind(limit as i64)
    .execute(&mut **tx)
    .await?;
    if took.rows_affected() == 0 {
        return Ok(vec![]);
    }
    type Row = (i64, String, String, i64, i64, i64, Option<String>, Option<String>);
    let leased: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT id, to_phone, body, secret, attempts, created_at, purpose, reference FROM {table} \
         WHERE lease_token = $1 AND status = 'queued' ORDER BY secret DESC, id"
    )))
    .bind(&mark)
    .fetch_all(&mut **tx)
    .await?;
    Ok(leased
        .into_iter()
        .map(|(id, to, body, secret, attempts, created_at, purpose, reference)| Leased {
            id,
            token: mark.clone(),
            to,
            body,
            secret: secret != 0,
            attempts,
            created_at,
            purpose,
            reference,
        })
        .collect())
}

/// In one transaction: write what became of `outcomes`, then lease up to
/// `limit` more due rows. A step that finds nothing to write or lease
/// commits nothing, so an idle worker costs no commit and no flush to disk.
async fn step(db: &Db, table: &str, outcomes: &[Done], limit: usize, now: i64) -> Result<Vec<Leased>, db::Error> {
    let mut tx = db.begin_write().await?;
    mark_in(&mut tx, table, outcomes, now).await?;
    let leased = if limit > 0 { lease_in(&mut tx, table, now, limit).await? } else { vec![] };
    if outcomes.is_empty() && leased.is_empty() {
        tx.rollback().await?;
    } else {
        tx.commit().await?;
    }
    Ok(leased)
}

/// A code's text, replaced once the message leaves the queue.
const WIPE_SENT: &str = "CASE WHEN secret = 1 THEN '[code delivered]' ELSE body END";
const WIPE_UNSENT: &str = "CASE WHEN secret = 1 THEN '[code not delivered]' ELSE body END";

/// Write what became of leased rows. A send the gateway took is written
/// whatever; anything else only while the row still carries this worker's
/// lease (after a long outage another worker may have leased it since, and
/// an old answer must not free the row it is sending).
async fn mark_in(tx: &mut WriteTx, table: &str, outcomes: &[Done], now: i64) -> Result<(), sqlx::Error> {
    for (id, token, outcome) in outcomes {
        let q = match outcome {
            Outcome::Sent(sent) => sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE {table} SET lease_until = NULL, status = 'sent', status_at = $1, sent_at = $1, \
                 gateway_id = $2, cost_currency = $3, cost_micros = $4, body = {WIPE_SENT} WHERE id = $5"
            )))
            .bind(now)
            .bind(sent.id.0.clone())
            .bind(sent.cost.as_ref().map(|c| c.currency.clone()))
            .bind(sent.cost.as_ref().map(|c| c.micros)),
            Outcome::Wait(at) => sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE {table} SET lease_until = NULL, attempts = attempts - 1, available_at = $1 \
                 WHERE id = $2 AND lease_token = $3"
            )))
            .bind(*at),
            Outcome::Retry { at, error } => sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE {table} SET lease_until = NULL, available_at = $1, last_error = $2 WHERE id = $3 \
                 AND lease_token = $4"
            )))
            .bind(*at)
            .bind(error.clone()),
            Outcome::Over { status, reason } => {
                let body = if reason == "expired before delivery" {
                    "CASE WHEN secret = 1 THEN '[code expired undelivered]' ELSE body END"
                } else {
                    WIPE_UNSENT
                };
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "UPDATE {table} SET lease_until = NULL, status = $1, status_at = $2, failure_reason = $3, \
                     last_error = $3, body = {body} WHERE id = $4 AND lease_token = $5"
                )))
                .bind(*status)
                .bind(now)
                .bind(reason.clone())
            }
        };
        let q = q.bind(*id);
        let q = if matches!(outcome, Outcome::Sent(_)) { q } else { q.bind(token.as_str()) };
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
