//! The sign-on's outbox: messages written in the same transaction as the
//! change that causes them, delivered by a worker after commit. Rows are
//! leased by conditional update so several nodes can run workers; a message
//! that carries a code has its text wiped once delivered.

use std::time::Duration;

use db::WriteTx;

use crate::{Error, Sso};

const LEASE_MS: i64 = 30_000;
const BATCH: i64 = 20;
const MAX_ATTEMPTS: i64 = 8;

pub async fn enqueue(tx: &mut WriteTx, to: &str, body: &str, secret: bool, now: i64) -> Result<(), Error> {
    sqlx::query(
        "INSERT INTO sso_outbox (to_phone, body, secret, created_at, available_at) VALUES ($1, $2, $3, $4, $4)",
    )
    .bind(to)
    .bind(body)
    .bind(i64::from(secret))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Deliver what is due, once. Returns how many messages were sent.
pub async fn deliver_due(sso: &Sso) -> Result<usize, Error> {
    let now = sso.now_ms();
    let pool = sso.db().pool();
    let candidates: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM sso_outbox WHERE sent_at IS NULL AND attempts < $1 AND available_at <= $2 \
         AND (lease_until IS NULL OR lease_until < $2) ORDER BY id LIMIT $3",
    )
    .bind(MAX_ATTEMPTS)
    .bind(now)
    .bind(BATCH)
    .fetch_all(pool)
    .await?;
    let mut sent = 0;
    for id in candidates {
        let leased: Option<(String, String, i64, i64, i64)> = sqlx::query_as(
            "UPDATE sso_outbox SET lease_until = $1, attempts = attempts + 1 \
             WHERE id = $2 AND sent_at IS NULL AND (lease_until IS NULL OR lease_until < $3) \
             RETURNING to_phone, body, secret, attempts, created_at",
        )
        .bind(now + LEASE_MS)
        .bind(id)
        .bind(now)
        .fetch_optional(pool)
        .await?;
        let Some((to, body, secret, attempts, created_at)) = leased else {
            continue; // another worker has it
        };
        if secret != 0 && now - created_at >= domain::policy::code::TTL_MS {
            // A code that could not be delivered in time is useless: wipe it.
            sqlx::query(
                "UPDATE sso_outbox SET sent_at = $1, body = '[code expired undelivered]', lease_until = NULL, \
                         last_error = 'expired before delivery' WHERE id = $2",
            )
            .bind(now)
            .bind(id)
            .execute(pool)
            .await?;
            continue;
        }
        match sso.adapters().sms.send(&to, &body).await {
            Ok(()) => {
                let kept = if secret != 0 { "[code delivered]" } else { body.as_str() };
                sqlx::query("UPDATE sso_outbox SET sent_at = $1, body = $2, lease_until = NULL WHERE id = $3")
                    .bind(sso.now_ms())
                    .bind(kept)
                    .bind(id)
                    .execute(pool)
                    .await?;
                metrics::counter!("tims_sms_sent_total").increment(1);
                sent += 1;
            }
            Err(e) => {
                let backoff = 1_000 * (1_i64 << attempts.min(10));
                tracing::warn!(outbox_id = id, attempts, error = %e, "SMS delivery failed; will retry");
                sqlx::query(
                    "UPDATE sso_outbox SET lease_until = NULL, available_at = $1, last_error = $2 WHERE id = $3",
                )
                .bind(sso.now_ms() + backoff)
                .bind(e.to_string())
                .bind(id)
                .execute(pool)
                .await?;
                metrics::counter!("tims_sms_failed_total").increment(1);
            }
        }
    }
    Ok(sent)
}

/// Run the worker until `shutdown` resolves: deliver on every wake-up after a
/// commit, and at least once a second for retries and other nodes' rows;
/// purge expired rows once an hour.
pub async fn run_worker(sso: Sso, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let mut next_purge = tokio::time::Instant::now();
    loop {
        if tokio::time::Instant::now() >= next_purge {
            next_purge += Duration::from_secs(3600);
            match purge_expired(&sso).await {
                Ok(n) => tracing::debug!(removed = n, "purged expired sign-on rows"),
                Err(e) => tracing::warn!(error = %e, "purge of expired rows failed"),
            }
        }
        match deliver_due(&sso).await {
            Ok(n) if n == BATCH as usize => continue,
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "outbox delivery pass failed"),
        }
        tokio::select! {
            _ = sso.outbox_woken() => {}
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// Delete what no rule needs any more: ended or expired sessions, spent
/// codes, old send records, delivered messages and dead refresh tokens.
/// Returns the number of rows removed.
pub async fn purge_expired(sso: &Sso) -> Result<u64, Error> {
    use domain::policy::DAY_MS;
    let now = sso.now_ms();
    let pool = sso.db().pool();
    let unverified = "SELECT id FROM sso_accounts WHERE phone_verified_at IS NULL AND created_at < $1";
    let purge_sessions = format!("DELETE FROM sso_sessions WHERE account_id IN ({unverified})");
    let purge_challenges = format!("DELETE FROM sso_challenges WHERE account_id IN ({unverified})");
    let purge_accounts = format!("DELETE FROM sso_accounts WHERE id IN ({unverified})");
    let steps: [(&str, i64); 11] = [
        // A registration never finished (the phone was never verified) must
        // not hold the ID number for ever; it never signed in, so only its
        // pending sessions and codes refer to it.
        (&purge_sessions, now - DAY_MS),
        (&purge_challenges, now - DAY_MS),
        (&purge_accounts, now - DAY_MS),
        // Sessions: ended, or past the longest a session can live.
        ("DELETE FROM sso_sessions WHERE ended_at < $1 OR created_at < $1", now - 2 * DAY_MS),
        ("DELETE FROM sso_auth_codes WHERE expires_at < $1", now - DAY_MS),
        // The daily send limit looks back one day.
        ("DELETE FROM sso_sms_sends WHERE sent_at < $1", now - 2 * DAY_MS),
        ("DELETE FROM sso_challenges WHERE expires_at < $1", now - 2 * DAY_MS),
        ("DELETE FROM sso_outbox WHERE sent_at < $1", now - 30 * DAY_MS),
        // Messages that never went out (the gateway refused them every time).
        ("DELETE FROM sso_outbox WHERE sent_at IS NULL AND created_at < $1", now - 7 * DAY_MS),
        ("DELETE FROM sso_refresh_tokens WHERE expires_at < $1", now),
        ("DELETE FROM sso_refresh_tokens WHERE revoked_at < $1", now - DAY_MS),
    ];
    let mut removed = 0;
    for (sql, before) in steps {
        removed += sqlx::query(sqlx::AssertSqlSafe(sql)).bind(before).execute(pool).await?.rows_affected();
    }
    Ok(removed)
}
