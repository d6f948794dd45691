//! Browsers an account has signed in from (the only writer of
//! `sso_devices`). The cookie carries a random token; the table keeps its
//! hash. A sign-in from a known browser counts its failures under the
//! browser's own key instead of the ID number's, so wrong guesses made
//! elsewhere with the same ID number never slow its owner down; after
//! `DEVICE_MAX_FAILURES` failures the browser is forgotten. It knows
//! browsers and their keys, not passwords or sessions.

use db::WriteTx;
use domain::policy::{DAY_MS, lockout};

use crate::{Error, Sso, crypto};

/// A browser unused this long is forgotten.
pub const KEEP_MS: i64 = 180 * DAY_MS;

/// The key under which a known browser's failures are counted.
pub fn failure_key(id_hash: &str) -> String {
    format!("device:{id_hash}")
}

/// The failure key of the browser behind `token`, if it is known for
/// `account_id` and still trusted.
pub async fn trusted_key(sso: &Sso, account_id: &str, token: &str) -> Result<Option<String>, Error> {
    let id_hash = crypto::sha256_hex(token.as_bytes());
    let row: Option<(String, Option<i64>, Option<i64>)> = sqlx::query_as(
        "SELECT d.account_id, f.failures, f.last_failed_at FROM sso_devices d \
         LEFT JOIN sso_signin_failures f ON f.key = $2 WHERE d.id_hash = $1 AND d.last_used_at > $3",
    )
    .bind(&id_hash)
    .bind(failure_key(&id_hash))
    .bind(sso.now_ms() - KEEP_MS)
    .fetch_optional(sso.db().pool())
    .await?;
    let Some((owner, failures, at)) = row else { return Ok(None) };
    let failures = match (failures, at) {
        (Some(f), Some(at)) => lockout::current(f, at, sso.now_ms()),
        _ => 0,
    };
    Ok((crypto::ct_eq(&owner, account_id) && failures < lockout::DEVICE_MAX_FAILURES).then(|| failure_key(&id_hash)))
}

/// Remember the browser a sign-in was completed on, in `tx`. Returns a new
/// token for its cookie, or `None` when the browser's token (`presented`)
/// is already known for this account (it is kept, and its failures are
/// forgotten).
pub async fn remember(
    tx: &mut WriteTx,
    account_id: &str,
    presented: Option<&str>,
    now: i64,
) -> Result<Option<String>, Error> {
    if let Some(token) = presented {
        let id_hash = crypto::sha256_hex(token.as_bytes());
        let kept = sqlx::query("UPDATE sso_devices SET last_used_at = $1 WHERE id_hash = $2 AND account_id = $3")
            .bind(now)
            .bind(&id_hash)
            .bind(account_id)
            .execute(&mut **tx)
            .await?
            .rows_affected();
        if kept == 1 {
            sqlx::query("DELETE FROM sso_signin_failures WHERE key = $1")
                .bind(failure_key(&id_hash))
                .execute(&mut **tx)
                .await?;
            return Ok(None);
        }
    }
    let token = crypto::token();
    sqlx::query("INSERT INTO sso_devices (id_hash, account_id, created_at, last_used_at) VALUES ($1, $2, $3, $3)")
        .bind(crypto::sha256_hex(token.as_bytes()))
        .bind(account_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(Some(token))
}

/// Forget a browser whose failure key is `key` (it failed too often).
pub async fn forget(sso: &Sso, key: &str) -> Result<(), Error> {
    let Some(id_hash) = key.strip_prefix("device:") else { return Ok(()) };
    let mut tx = sso.db().begin_write().await?;
    sqlx::query("DELETE FROM sso_devices WHERE id_hash = $1").bind(id_hash).execute(&mut *tx).await?;
    sqlx::query("DELETE FROM sso_signin_failures WHERE key = $1").bind(key).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Forget every browser of an account (after recovery: whoever had the
/// password may have signed in somewhere).
pub async fn forget_all(tx: &mut WriteTx, account_id: &str) -> Result<(), Error> {
    sqlx::query("DELETE FROM sso_devices WHERE account_id = $1").bind(account_id).execute(&mut **tx).await?;
    Ok(())
}
