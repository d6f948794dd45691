//! The refresh tokens the registry keeps for page sessions: how they are
//! stored, and how the ones it lets go of are revoked at the provider.
//!
//! With the operator's secrets key set, a token is stored sealed
//! (AES-256-GCM under a key derived from it), so a copy of the database
//! alone gives no one a working grant; tokens kept in the clear before the
//! key was set are sealed at start.
//!
//! A token the registry no longer keeps (its session signed out, or idle
//! too long) goes into `reg_revocations` in the transaction that takes it
//! from its session. A worker of its own ([`run_worker`], beside the SMS
//! outbox's, so a provider that hangs never holds up a code) asks the
//! provider to revoke it (RFC 7009), trying again with growing pauses
//! while the provider cannot be reached, refuses the registry's own
//! credentials, or the token is sealed under a key this node lacks; it
//! gives up after `revocation_give_up_days` (30 by default, the life of the
//! built-in sign-on's refresh tokens), when the token has expired anyway.
//!
//! That worker only delivers, as the outbox's does: a queue whose rows are
//! leased one by one, looked at every second (a look that finds nothing
//! commits nothing), not one of the periodic jobs. This module knows
//! nothing of sessions' rules or of HTTP.

use db::WriteTx;
use domain::policy::DAY_MS;

use crate::{Error, Registry};

/// Tokens taken per pass.
pub const BATCH: usize = 50;
/// Calls to the provider at once.
const AT_ONCE: usize = 10;
/// The longest one call to the provider may take.
const CALL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);
/// A pass holds its tokens this long, well beyond the longest a pass can
/// take (five rounds of calls); after that another node may try them.
const LEASE_MS: i64 = 5 * 60_000;
/// The first pause after a failure, doubled at each further one...
const FIRST_PAUSE_MS: i64 = 30_000;
/// ...up to an hour.
const MAX_PAUSE_MS: i64 = 60 * 60 * 1000;

impl Registry {
    /// A refresh token as the registry stores it: sealed when the operator
    /// has set a secrets key.
    pub(crate) fn store_refresh(&self, token: &str) -> String {
        match &self.config().token_seal_key {
            Some(k) => secure::seal_marked(&k.0, token),
            None => token.to_string(),
        }
    }

    /// The refresh token behind a stored one; `None` for one sealed under a
    /// key this server does not hold (the session then signs in again).
    pub(crate) fn open_refresh(&self, stored: &str) -> Option<String> {
        open(self.config().token_seal_key.as_ref().map(|k| k.0.as_slice()), stored)
    }
}

/// The refresh token behind a stored one, given the sealing key if any.
pub fn open(key: Option<&[u8]>, stored: &str) -> Option<String> {
    match secure::sealed_part(stored) {
        None => Some(stored.to_string()),
        Some(sealed) => {
            let plain = key.and_then(|k| secure::open_sealed_text(k, sealed));
            if plain.is_none() {
                tracing::warn!("a refresh token sealed under another secrets key cannot be used");
            }
            plain
        }
    }
}

/// Queue stored tokens for revocation, inside the transaction that lets go
/// of them; [`run_worker`] finds them within a second of the commit.
pub(crate) async fn enqueue(tx: &mut WriteTx, stored: &[String], now: i64) -> Result<(), sqlx::Error> {
    for t in stored {
        sqlx::query("INSERT INTO reg_revocations (token, next_at, created_at) VALUES ($1, $2, $2)")
            .bind(t)
            .bind(now)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Seal the refresh tokens kept in the clear (before the secrets key was
/// set), in sessions and in the revocation queue. Returns how many.
pub async fn seal_clear_tokens(reg: &Registry) -> Result<u64, Error> {
    if reg.config().token_seal_key.is_none() {
        return Ok(0);
    }
    let db = reg.db();
    let sessions: Vec<(String, String)> = sqlx::query_as(
        "SELECT id_hash, refresh_token FROM reg_sessions \
         WHERE refresh_token IS NOT NULL AND refresh_token NOT LIKE 'sealed:%'",
    )
    .fetch_all(db.pool())
    .await?;
    let queued: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, token FROM reg_revocations WHERE token NOT LIKE 'sealed:%'")
            .fetch_all(db.pool())
            .await?;
    if sessions.is_empty() && queued.is_empty() {
        return Ok(0);
    }
    let mut tx = db.begin_write().await?;
    let mut sealed = seal_each(
        reg,
        &mut tx,
        "UPDATE reg_sessions SET refresh_token = $1 WHERE id_hash = $2 AND refresh_token = $3",
        &sessions,
    )
    .await?;
    sealed +=
        seal_each(reg, &mut tx, "UPDATE reg_revocations SET token = $1 WHERE id = $2 AND token = $3", &queued).await?;
    tx.commit().await?;
    tracing::info!(sealed, "sealed the refresh tokens kept in the clear");
    Ok(sealed)
}

/// Seal each `(row, token)` in `tx` with `update`, which sets `$1` (the
/// sealed token) where the row is `$2` and the token is still `$3` (the
/// one read). Returns how many it sealed.
async fn seal_each<K>(
    reg: &Registry,
    tx: &mut WriteTx,
    update: &'static str,
    rows: &[(K, String)],
) -> Result<u64, Error>
where
    K: for<'q> sqlx::Encode<'q, sqlx::Any> + sqlx::Type<sqlx::Any> + Sync,
{
    let mut sealed = 0;
    for (row, token) in rows {
        let r = sqlx::query(update).bind(reg.store_refresh(token)).bind(row).bind(token).execute(&mut **tx).await?;
        sealed += r.rows_affected();
    }
    Ok(sealed)
}

/// What became of one token in a pass.
enum Outcome {
    /// Revoked, or nothing left to do: off the queue.
    Settled,
    /// Try again later.
    Failed(String),
}

/// Ask the provider to revoke what is due, once. Returns how many tokens
/// were taken ([`BATCH`] means there may be more).
pub async fn revoke_due(reg: &Registry) -> Result<usize, Error> {
    let now = reg.now_ms();
    // Look first, so that a pass with nothing to do commits nothing.
    let due: Vec<(i64, String, i64, i64)> = reg
        .db()
        .read_all(
            "SELECT id, token, attempts, created_at FROM reg_revocations WHERE next_at <= $1 ORDER BY next_at LIMIT $2",
            &[now.into(), (BATCH as i64).into()],
        )
        .await?;
    if due.is_empty() {
        return Ok(0);
    }
    // Take them until the lease runs out; a row another node took meanwhile
    // no longer matches. What this pass writes back later is conditional
    // on the lease still being its own.
    let lease = now + LEASE_MS;
    let mut tx = reg.db().begin_write().await?;
    let mut taken = vec![];
    for row in due {
        let r = sqlx::query("UPDATE reg_revocations SET next_at = $1 WHERE id = $2 AND next_at <= $3")
            .bind(lease)
            .bind(row.0)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        if r.rows_affected() > 0 {
            taken.push(row);
        }
    }
    tx.commit().await?;
    let n = taken.len();
    let outcomes = revoke_all(reg, taken).await;
    let done = reg.now_ms();
    let give_up_ms = i64::from(reg.config().revocation_give_up_days) * DAY_MS;
    let (mut retry, mut given_up, mut last_error) = (0, 0, None);
    let mut tx = reg.db().begin_write().await?;
    for (id, attempts, created_at, outcome) in outcomes {
        match outcome {
            Outcome::Failed(why) if done - created_at < give_up_ms => {
                let pause = FIRST_PAUSE_MS.saturating_mul(1 << attempts.clamp(0, 16)).min(MAX_PAUSE_MS);
                sqlx::query(
                    "UPDATE reg_revocations SET attempts = attempts + 1, next_at = $1, last_error = $2 \
                     WHERE id = $3 AND next_at = $4",
                )
                .bind(done + pause)
                .bind(&why)
                .bind(id)
                .bind(lease)
                .execute(&mut *tx)
                .await?;
                retry += 1;
                last_error = Some(why);
            }
            outcome => {
                if let Outcome::Failed(why) = outcome {
                    given_up += 1;
                    last_error = Some(why);
                }
                sqlx::query("DELETE FROM reg_revocations WHERE id = $1 AND next_at = $2")
                    .bind(id)
                    .bind(lease)
                    .execute(&mut *tx)
                    .await?;
            }
        }
    }
    tx.commit().await?;
    if let Some(error) = last_error {
        tracing::warn!(
            error,
            retry,
            given_up,
            "refresh tokens not revoked at the provider (those given up on have expired there by now)"
        );
    }
    Ok(n)
}

/// Revoke the taken tokens, [`AT_ONCE`] at a time, each call bounded by
/// [`CALL_TIMEOUT`], so a pass ends well inside its lease however the
/// provider behaves.
async fn revoke_all(reg: &Registry, taken: Vec<(i64, String, i64, i64)>) -> Vec<(i64, i64, i64, Outcome)> {
    let provider = match tokio::time::timeout(CALL_TIMEOUT, reg.provider()).await {
        Ok(Ok(p)) => Ok(p),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("the provider's discovery did not answer in time".to_string()),
    };
    let mut outcomes = Vec::with_capacity(taken.len());
    let mut rows = taken.into_iter().peekable();
    while rows.peek().is_some() {
        let mut calls = tokio::task::JoinSet::new();
        for (id, stored, attempts, created_at) in rows.by_ref().take(AT_ONCE) {
            let (provider, token) = (provider.clone(), reg.open_refresh(&stored));
            calls.spawn(async move {
                let outcome = match (provider, token) {
                    (_, None) => Outcome::Failed("sealed under a secrets key this server does not hold".into()),
                    (Err(e), Some(_)) => Outcome::Failed(e),
                    (Ok(p), Some(token)) => match tokio::time::timeout(CALL_TIMEOUT, revoke_one(&p, &token)).await {
                        Ok(o) => o,
                        Err(_) => Outcome::Failed("the provider did not answer in time".into()),
                    },
                };
                (id, attempts, created_at, outcome)
            });
        }
        while let Some(r) = calls.join_next().await {
            if let Ok(o) = r {
                outcomes.push(o);
            }
        }
    }
    outcomes
}

/// Run the revocation worker until `shutdown`: a pass whenever something
/// is due, looking at least once a second (a look that finds nothing reads
/// one index and commits nothing).
pub async fn run_worker(reg: Registry, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    loop {
        loop {
            match revoke_due(&reg).await {
                Ok(n) if n == BATCH => continue,
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "refresh token revocation pass failed"),
            }
            break;
        }
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
            _ = shutdown.changed() => return,
        }
    }
}

async fn revoke_one(provider: &oidc_rp::Provider, token: &str) -> Outcome {
    use oidc_rp::RpError;
    match provider.revoke_refresh_token(token).await {
        Ok(true) => Outcome::Settled,
        Ok(false) => {
            tracing::debug!("the provider offers no revocation; its refresh tokens expire");
            Outcome::Settled
        }
        // The token itself is refused (another client's, or not a refresh
        // token): asking again will not change that.
        Err(RpError::Provider { error, .. }) if error == "invalid_grant" || error == "unsupported_token_type" => {
            tracing::warn!(error, "the provider would not revoke a refresh token the registry held");
            Outcome::Settled
        }
        // Unreachable, a bad answer, or the registry's own credentials
        // refused (invalid_client: the operator will put them right).
        Err(e) => Outcome::Failed(e.to_string()),
    }
}

/// Tokens still to be revoked: how many, and when the oldest was queued.
pub async fn backlog(reg: &Registry) -> Result<(i64, Option<i64>), Error> {
    let row: Option<(i64, Option<i64>)> =
        reg.db().read_optional("SELECT COUNT(*), MIN(created_at) FROM reg_revocations", &[]).await?;
    Ok(row.unwrap_or((0, None)))
}
