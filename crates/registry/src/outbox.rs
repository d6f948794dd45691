//! The registry's outbox: SMS written in the same transaction as the change
//! that causes them, delivered by a worker after commit. Rows are leased by
//! conditional update, a batch at a time, so several nodes can run workers
//! and a busy hour costs few commits. A message carrying a code has its
//! text wiped once delivered.

use std::time::Duration;

use db::WriteTx;

use crate::{Error, Registry};

const LEASE_MS: i64 = 30_000;
const BATCH: i64 = 50;
const MAX_ATTEMPTS: i64 = 8;
const COALESCE_MS: u64 = 20;

pub async fn enqueue(tx: &mut WriteTx, to: &str, body: &str, secret: bool, now: i64) -> Result<(), Error> {
    sqlx::query(
        "INSERT INTO reg_outbox (to_phone, body, secret, created_at, available_at) VALUES ($1, $2, $3, $4, $4)",
    )
    .bind(to)
    .bind(body)
    .bind(i64::from(secret))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Queue a transaction alert for a party, in one statement: to the person,
/// if they take alerts; for an organisation, to each of its admins and
/// transactors who take alerts. Codes do not come here: they are always sent.
pub async fn alert(tx: &mut WriteTx, party_id: &str, body: &str, now: i64) -> Result<(), Error> {
    sqlx::query(
        "INSERT INTO reg_outbox (to_phone, body, secret, created_at, available_at) \
         SELECT p.phone, $2, 0, $3, $3 FROM reg_parties p \
         WHERE p.id = $1 AND p.kind = 'person' AND p.sms_alerts = 1 AND p.phone IS NOT NULL \
         UNION ALL \
         SELECT p.phone, $2, 0, $3, $3 FROM reg_org_members m JOIN reg_parties p ON p.id = m.person_id \
         WHERE m.org_id = $1 AND m.role IN ('admin', 'transactor') AND p.sms_alerts = 1 AND p.phone IS NOT NULL",
    )
    .bind(party_id)
    .bind(body)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Deliver what is due, once. Returns how many messages were sent.
pub async fn deliver_due(reg: &Registry) -> Result<usize, Error> {
    let now = reg.now_ms();
    // Every write goes through the writers' gate (`begin_write`): on SQLite
    // a write outside it would meet the gate's holder in SQLite's sleeping
    // busy handler, and stall both.
    let mut tx = reg.db().begin_write().await?;
    // One statement leases the batch; the rows this worker got are those
    // that carry its lease token. The lease condition is checked again on
    // each row as it is updated, so two workers on PostgreSQL (where the
    // subquery may see a row another worker is leasing) never both get it.
    let mark = crate::reference::new_id();
    sqlx::query(
        "UPDATE reg_outbox SET lease_until = $1, lease_token = $2, attempts = attempts + 1 WHERE id IN (\
         SELECT id FROM reg_outbox WHERE sent_at IS NULL AND attempts < $3 AND available_at <= $4 \
         AND (lease_until IS NULL OR lease_until < $4) ORDER BY id LIMIT $5) \
         AND sent_at IS NULL AND (lease_until IS NULL OR lease_until < $4)",
    )
    .bind(now + LEASE_MS)
    .bind(&mark)
    .bind(MAX_ATTEMPTS)
    .bind(now)
    .bind(BATCH)
    .execute(&mut *tx)
    .await?;
    let leased: Vec<(i64, String, String, i64, i64, i64)> = sqlx::query_as(
        "SELECT id, to_phone, body, secret, attempts, created_at FROM reg_outbox WHERE lease_token = $1 AND sent_at IS NULL",
    )
    .bind(&mark)
    .fetch_all(&mut *tx)
    .await?;
    if leased.is_empty() {
        // Nothing was due, so nothing changed: an idle worker's pass every
        // second costs no flush to disk.
        tx.rollback().await?;
        return Ok(0);
    }
    tx.commit().await?;
    let mut delivered = vec![];
    let mut wiped = vec![];
    for (id, to, body, secret, attempts, created_at) in leased {
        if secret != 0 && now - created_at >= domain::policy::code::TTL_MS {
            wiped.push(id);
            continue;
        }
        match reg.adapters().sms.send(&to, &body).await {
            Ok(()) => {
                metrics::counter!("tims_sms_sent_total").increment(1);
                delivered.push((id, secret != 0));
            }
            Err(e) => {
                let backoff = 1_000 * (1_i64 << attempts.min(10));
                tracing::warn!(outbox_id = id, attempts, error = %e, "SMS delivery failed; will retry");
                metrics::counter!("tims_sms_failed_total").increment(1);
                reg.db()
                    .execute_write(
                        sqlx::query(
                            "UPDATE reg_outbox SET lease_until = NULL, available_at = $1, last_error = $2 WHERE id = $3",
                        )
                        .bind(reg.now_ms() + backoff)
                        .bind(e.to_string())
                        .bind(id),
                    )
                    .await?;
            }
        }
    }
    // Marking the batch sent is one statement per kind of message.
    let sent_at = reg.now_ms();
    let ids =
        |f: &dyn Fn(&(i64, bool)) -> bool| -> Vec<i64> { delivered.iter().filter(|d| f(d)).map(|d| d.0).collect() };
    let marks: [(Vec<i64>, &str); 3] = [
        (ids(&|d| !d.1), "UPDATE reg_outbox SET sent_at = $1, lease_until = NULL WHERE id IN"),
        (
            ids(&|d| d.1),
            "UPDATE reg_outbox SET sent_at = $1, body = '[code delivered]', lease_until = NULL WHERE id IN",
        ),
        (
            wiped,
            "UPDATE reg_outbox SET sent_at = $1, body = '[code expired undelivered]', lease_until = NULL, \
             last_error = 'expired before delivery' WHERE id IN",
        ),
    ];
    if marks.iter().all(|(list, _)| list.is_empty()) {
        return Ok(0);
    }
    let mut tx = reg.db().begin_write().await?;
    for (list, sql) in marks {
        if list.is_empty() {
            continue;
        }
        // The ids are integers this worker read back, never input.
        let in_list = list.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
        sqlx::query(sqlx::AssertSqlSafe(format!("{sql} ({in_list})"))).bind(sent_at).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(delivered.len())
}

/// Run the worker until `shutdown`: deliver on every wake-up after a commit
/// and at least once a second; once a minute, expire stale transfers and
/// forget old idempotency answers.
pub async fn run_worker(reg: Registry, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let mut next_sweep = tokio::time::Instant::now();
    loop {
        if tokio::time::Instant::now() >= next_sweep {
            next_sweep += Duration::from_secs(60);
            match crate::transfers::expire_due(&reg).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(expired = n, "expired unanswered transfers"),
                Err(e) => tracing::warn!(error = %e, "transfer expiry pass failed"),
            }
            if let Err(e) = crate::api::purge_keys(&reg).await {
                tracing::warn!(error = %e, "purge of old idempotency keys failed");
            }
            if let Err(e) = crate::auth::forget_stale_sessions(&reg).await {
                tracing::warn!(error = %e, "forgetting the refresh tokens of stale sessions failed");
            }
        }
        match deliver_due(&reg).await {
            Ok(n) if n == BATCH as usize => continue,
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "registry outbox delivery pass failed"),
        }
        tokio::select! {
            // A short wait after a wake-up lets a busy moment's messages go
            // out as one batch; a code still arrives within a blink.
            _ = reg.outbox_woken() => tokio::time::sleep(Duration::from_millis(COALESCE_MS)).await,
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = shutdown.changed() => return,
        }
    }
}
