//! The sign-on's background worker: it delivers the outbox after every
//! commit (and at least once a second), and once an hour purges what no
//! rule needs any more. It decides nothing about the rows it delivers or
//! deletes: the rules that make them old are the use cases'.

use std::time::Duration;

use crate::{Error, Sso, outbox};

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
        match outbox::deliver_due(&sso).await {
            Ok(n) if n == adapters::outbox::BATCH => continue,
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
    let unverified = "SELECT id FROM sso_accounts WHERE phone_verified_at IS NULL AND created_at < $1";
    let purge_sessions = format!("DELETE FROM sso_sessions WHERE account_id IN ({unverified})");
    let purge_challenges = format!("DELETE FROM sso_challenges WHERE account_id IN ({unverified})");
    let purge_accounts = format!("DELETE FROM sso_accounts WHERE id IN ({unverified})");
    let steps: [(&str, i64); 14] = [
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
        // Failed sign-ins count for a day after the last one; guesses at
        // random ID numbers must not fill the table.
        ("DELETE FROM sso_signin_failures WHERE last_failed_at < $1", now - domain::policy::lockout::FORGET_MS),
        ("DELETE FROM sso_recoveries WHERE created_at < $1", now - DAY_MS),
        ("DELETE FROM sso_devices WHERE last_used_at < $1", now - crate::accounts::devices::KEEP_MS),
    ];
    // One transaction, through the writers' gate like every write.
    let mut removed = 0;
    let mut tx = sso.db().begin_write().await?;
    for (sql, before) in steps {
        removed += sqlx::query(sqlx::AssertSqlSafe(sql)).bind(before).execute(&mut *tx).await?.rows_affected();
    }
    tx.commit().await?;
    Ok(removed)
}
