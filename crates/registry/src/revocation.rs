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
//! from its session. The outbox worker asks the provider to revoke it
//! (RFC 7009), trying again with growing pauses while the provider cannot
//! be reached or refuses the registry's own credentials, and gives up only
//! once the token would have expired anyway.

use db::WriteTx;

use crate::{Error, Registry};

/// How a sealed token is marked in the database.
const SEALED: &str = "sealed:";
/// Tokens taken per pass.
pub const BATCH: usize = 50;
/// A pass holds its tokens this long; after that another node may try.
const LEASE_MS: i64 = 60_000;
/// The first pause after a failure, doubled at each further one...
const FIRST_PAUSE_MS: i64 = 30_000;
/// ...up to an hour.
const MAX_PAUSE_MS: i64 = 60 * 60 * 1000;
/// A refresh token of the built-in sign-on lives 30 days; one still not
/// revoked by then has expired at the provider and is dropped.
pub const GIVE_UP_MS: i64 = 30 * 24 * 60 * 60 * 1000;

impl Registry {
    /// A refresh token as the registry stores it: sealed when the operator
    /// has set a secrets key.
    pub(crate) fn store_refresh(&self, token: &str) -> String {
        match &self.config().token_seal_key {
            Some(k) => format!("{SEALED}{}", secure::seal(&k.0, token.as_bytes())),
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
    match stored.strip_prefix(SEALED) {
        None => Some(stored.to_string()),
        Some(sealed) => {
            let plain = key.and_then(|k| secure::open_sealed(k, sealed)).and_then(|p| String::from_utf8(p).ok());
            if plain.is_none() {
                tracing::warn!("a refresh token sealed under another secrets key cannot be used");
            }
            plain
        }
    }
}

/// Queue stored tokens for revocation, inside the transaction that lets go
/// of them. Wake the worker after commit ([`Registry::wake_outbox`]).
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
    let mut sealed = 0;
    for (table, key, column) in [("reg_sessions", "id_hash", "refresh_token"), ("reg_revocations", "id", "token")] {
        // The program's own names, never input.
        let clear: Vec<(String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT CAST({key} AS TEXT), {column} FROM {table} WHERE {column} IS NOT NULL AND {column} NOT LIKE 'sealed:%'"
        )))
        .fetch_all(reg.db().pool())
        .await?;
        if clear.is_empty() {
            continue;
        }
        let mut tx = reg.db().begin_write().await?;
        for (k, token) in &clear {
            let r = sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE {table} SET {column} = $1 WHERE CAST({key} AS TEXT) = $2 AND {column} = $3"
            )))
            .bind(reg.store_refresh(token))
            .bind(k)
            .bind(token)
            .execute(&mut *tx)
            .await?;
            sealed += r.rows_affected();
        }
        tx.commit().await?;
    }
    if sealed > 0 {
        tracing::info!(sealed, "sealed the refresh tokens kept in the clear");
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
    // Take them: a row another node took meanwhile no longer matches.
    let mut tx = reg.db().begin_write().await?;
    let mut taken = vec![];
    for row in due {
        let r = sqlx::query("UPDATE reg_revocations SET next_at = $1 WHERE id = $2 AND next_at <= $3")
            .bind(now + LEASE_MS)
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
    let provider = reg.provider().await;
    let mut outcomes = Vec::with_capacity(n);
    for (id, stored, attempts, created_at) in taken {
        let outcome = match (&provider, reg.open_refresh(&stored)) {
            (_, None) => Outcome::Settled,
            (Err(e), Some(_)) => Outcome::Failed(e.to_string()),
            (Ok(p), Some(token)) => revoke_one(p, &token).await,
        };
        outcomes.push((id, attempts, created_at, outcome));
    }
    let (mut retry, mut given_up, mut last_error) = (0, 0, None);
    let mut tx = reg.db().begin_write().await?;
    for (id, attempts, created_at, outcome) in outcomes {
        match outcome {
            Outcome::Failed(why) if now - created_at < GIVE_UP_MS => {
                let pause = FIRST_PAUSE_MS.saturating_mul(1 << attempts.clamp(0, 16)).min(MAX_PAUSE_MS);
                sqlx::query(
                    "UPDATE reg_revocations SET attempts = attempts + 1, next_at = $1, last_error = $2 WHERE id = $3",
                )
                .bind(now + pause)
                .bind(&why)
                .bind(id)
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
                sqlx::query("DELETE FROM reg_revocations WHERE id = $1").bind(id).execute(&mut *tx).await?;
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
