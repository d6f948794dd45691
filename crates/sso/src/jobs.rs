//! The sign-on's periodic jobs, in one place: each by name, with its
//! interval and what it calls, run by `adapters::jobs`'s scheduler on
//! `sso_jobs`, so that several nodes run each once per interval. Today
//! there is one, the purge of rows no rule needs any more; the rules that
//! make a row old are the use cases', named beside each statement. Nothing
//! imports this module but the binary that starts the scheduler (and a
//! test that runs the purge).

use std::time::Duration;

use adapters::jobs::{Job, JobFuture, Part, Scheduler};
use db::{Clock, Db};

use crate::{Error, Sso};

/// The table the sign-on's jobs are kept in.
pub const TABLE: &str = "sso_jobs";

impl Part for Sso {
    fn db(&self) -> &Db {
        Sso::db(self)
    }

    fn clock(&self) -> &dyn Clock {
        Sso::clock(self)
    }
}

/// The sign-on's jobs.
pub fn scheduler() -> Scheduler<Sso> {
    Scheduler::new(
        TABLE,
        vec![
            // Ended sessions, spent codes, old sends, delivered messages,
            // dead refresh tokens, abandoned registrations.
            Job { name: "expired_rows", every: Duration::from_secs(3600), run: purge },
        ],
    )
}

/// Run the sign-on's jobs until `shutdown`.
pub async fn run(sso: Sso, shutdown: tokio::sync::watch::Receiver<bool>) {
    scheduler().run(sso, shutdown).await;
}

fn purge(sso: Sso) -> JobFuture {
    Box::pin(async move { Ok(purge_expired(&sso).await?) })
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
    let steps: [(&str, i64); 15] = [
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
        // The gateway's delivery reports, for both parts' outboxes (written
        // by adapters::outbox): kept as long as the messages they follow.
        ("DELETE FROM sms_reports WHERE received_at < $1", now - 30 * DAY_MS),
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
