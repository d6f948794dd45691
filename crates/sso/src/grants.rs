//! Grants: what a sign-in gave a relying party, carried by refresh tokens
//! (the only writer of `sso_refresh_tokens`). A grant is named by the hash
//! of the authorization code that started it; its refresh tokens work once
//! each and are replaced by the next (rotation), so revoking a grant
//! revokes every token rotated from that sign-in. OpenID Connect records,
//! spends and revokes grants; accounts revoke all of a person's at once
//! (recovery). It knows neither HTTP nor how people sign in, and nothing of
//! a client beyond its id.

use crate::{Error, Sso, crypto};

/// Refresh tokens live thirty days.
pub const REFRESH_TTL_MS: i64 = 30 * 24 * 60 * 60 * 1000;

/// A refresh token as stored (found by the hash of the token).
#[derive(Debug)]
pub(crate) struct RefreshToken {
    pub client_id: String,
    pub account_id: String,
    pub grant_id: String,
    pub scope: String,
    pub auth_time: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// The stored refresh token whose hash is `hash`, if any.
pub(crate) async fn find(sso: &Sso, hash: &str) -> Result<Option<RefreshToken>, sqlx::Error> {
    let row: Option<(String, String, String, String, i64, i64, Option<i64>, Option<i64>)> = sqlx::query_as(
        "SELECT client_id, account_id, grant_id, scope, auth_time, expires_at, used_at, revoked_at \
         FROM sso_refresh_tokens WHERE token_hash = $1",
    )
    .bind(hash)
    .fetch_optional(sso.db().pool())
    .await?;
    Ok(row.map(|(client_id, account_id, grant_id, scope, auth_time, expires_at, used_at, revoked_at)| RefreshToken {
        client_id,
        account_id,
        grant_id,
        scope,
        auth_time,
        expires_at,
        used_at,
        revoked_at,
    }))
}

/// The client and grant of the refresh token whose hash is `hash`, if any.
pub(crate) async fn owner(sso: &Sso, hash: &str) -> Result<Option<(String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT client_id, grant_id FROM sso_refresh_tokens WHERE token_hash = $1")
        .bind(hash)
        .fetch_optional(sso.db().pool())
        .await
}

/// Spend the refresh token `hash` of `grant_id` in `tx`: true if it was
/// still unused and unrevoked. One at a time per grant with revocations (on
/// PostgreSQL; SQLite's writers already are): a revocation that lands
/// after the token was read is honoured here, and one that comes after
/// this sees the token that replaces it.
pub(crate) async fn spend(tx: &mut db::WriteTx, grant_id: &str, hash: &str, now: i64) -> Result<bool, sqlx::Error> {
    tx.lock_rows("sso_refresh_tokens", "grant_id", grant_id, "token_hash").await?;
    let used = sqlx::query(
        "UPDATE sso_refresh_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(hash)
    .execute(&mut **tx)
    .await?;
    Ok(used.rows_affected() == 1)
}

/// What a new refresh token carries.
#[derive(Debug)]
pub(crate) struct NewRefresh<'a> {
    pub client_id: &'a str,
    pub account_id: &'a str,
    pub grant_id: &'a str,
    /// The grant's whole scope (a refresh may ask for less, never more).
    pub scope: &'a str,
    pub auth_time: i64,
}

/// Record a new refresh token (given in clear, stored as its hash) of a
/// grant, in `tx`.
pub(crate) async fn record(
    tx: &mut db::WriteTx,
    token: &str,
    new: &NewRefresh<'_>,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sso_refresh_tokens (token_hash, client_id, account_id, grant_id, scope, auth_time, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(crypto::sha256_hex(token.as_bytes()))
    .bind(new.client_id)
    .bind(new.account_id)
    .bind(new.grant_id)
    .bind(new.scope)
    .bind(new.auth_time)
    .bind(now)
    .bind(now + REFRESH_TTL_MS)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Revoke every refresh token of a grant, inside `tx`. It goes one at a
/// time per grant with refreshes (see [`spend`]; on PostgreSQL, since
/// SQLite's writers already take turns), so a token a refresh makes
/// meanwhile is revoked too. Returns how many tokens it revoked.
pub(crate) async fn revoke(tx: &mut db::WriteTx, grant_id: &str, now: i64) -> Result<u64, sqlx::Error> {
    tx.lock_rows("sso_refresh_tokens", "grant_id", grant_id, "token_hash").await?;
    let r = sqlx::query("UPDATE sso_refresh_tokens SET revoked_at = $1 WHERE grant_id = $2 AND revoked_at IS NULL")
        .bind(now)
        .bind(grant_id)
        .execute(&mut **tx)
        .await?;
    Ok(r.rows_affected())
}

/// Revoke every refresh token of an account (recovery, block).
pub async fn revoke_all_for(tx: &mut db::WriteTx, account_id: &str, now: i64) -> Result<(), Error> {
    // As in `revoke`: a refresh under way finishes first, and its new token
    // is revoked with the rest.
    tx.lock_rows("sso_refresh_tokens", "account_id", account_id, "token_hash").await?;
    sqlx::query("UPDATE sso_refresh_tokens SET revoked_at = $1 WHERE account_id = $2 AND revoked_at IS NULL")
        .bind(now)
        .bind(account_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
