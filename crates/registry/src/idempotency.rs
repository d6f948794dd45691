//! The answers kept for `Idempotency-Key` (`reg_idempotency`): storage only.
//! A key is claimed by the person who sends it, its first answer kept for
//! replays, and forgotten after a day. How a request carries the key, and
//! how an answer is replayed, is the API's (`http::api`); this module
//! knows nothing of HTTP.

use crate::{Error, Registry};

/// A key whose request has run this long without an answer is taken to be
/// abandoned (the client went away, the node stopped) and may be used again.
pub const ABANDONED_KEY_MS: i64 = 60_000;
/// Answers are kept this long for replays.
pub const KEEP_KEYS_MS: i64 = 24 * 60 * 60 * 1000;

/// The first answer to a key, as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub body: String,
    pub location: Option<String>,
}

/// What a key is, when a request claims it.
#[derive(Debug)]
pub enum Claim {
    /// The key is this request's: run it.
    New,
    /// The key was answered: answer the same.
    Replay(Answer),
    /// The key was used for another request.
    OtherBody,
    /// The key's request is still running.
    Running,
}

type KeyRow = (String, Option<i64>, Option<String>, Option<String>, i64);

/// Claim `key` of `principal` for the request whose hash is `hash`.
pub async fn claim(reg: &Registry, principal: &str, key: &str, hash: &str) -> Result<Claim, Error> {
    let now = reg.now_ms();
    let inserted = reg
        .db()
        .execute_write(
            sqlx::query(
                "INSERT INTO reg_idempotency (principal, idem_key, request_hash, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (principal, idem_key) DO NOTHING",
            )
            .bind(principal)
            .bind(key)
            .bind(hash)
            .bind(now),
        )
        .await?;
    if inserted.rows_affected() == 1 {
        return Ok(Claim::New);
    }
    let row: Option<KeyRow> = sqlx::query_as(
        "SELECT request_hash, status, body, location, created_at FROM reg_idempotency \
         WHERE principal = $1 AND idem_key = $2",
    )
    .bind(principal)
    .bind(key)
    .fetch_optional(reg.db().pool())
    .await?;
    Ok(match row {
        None => Claim::Running,
        Some((h, ..)) if h != hash => Claim::OtherBody,
        Some((_, Some(status), Some(body), location, _)) => {
            Claim::Replay(Answer { status: u16::try_from(status).unwrap_or(200), body, location })
        }
        Some((.., created_at)) if now - created_at >= ABANDONED_KEY_MS => {
            // Take the abandoned key over, once, even if two retries race.
            let taken = reg
                .db()
                .execute_write(
                    sqlx::query(
                        "UPDATE reg_idempotency SET created_at = $1 WHERE principal = $2 AND idem_key = $3 \
                 AND status IS NULL AND created_at = $4",
                    )
                    .bind(now)
                    .bind(principal)
                    .bind(key)
                    .bind(created_at),
                )
                .await?;
            if taken.rows_affected() == 1 { Claim::New } else { Claim::Running }
        }
        Some(_) => Claim::Running,
    })
}

/// Keep the first answer to a claimed key.
pub async fn keep(reg: &Registry, principal: &str, key: &str, answer: &Answer) -> Result<(), Error> {
    reg.db()
        .execute_write(
            sqlx::query(
                "UPDATE reg_idempotency SET status = $1, body = $2, location = $3 \
                 WHERE principal = $4 AND idem_key = $5",
            )
            .bind(i64::from(answer.status))
            .bind(&answer.body)
            .bind(answer.location.as_deref())
            .bind(principal)
            .bind(key),
        )
        .await?;
    Ok(())
}

/// Let a claimed key go unanswered (its request failed on the server's
/// side), so that a retry runs again.
pub async fn release(reg: &Registry, principal: &str, key: &str) -> Result<(), Error> {
    reg.db()
        .execute_write(
            sqlx::query("DELETE FROM reg_idempotency WHERE principal = $1 AND idem_key = $2").bind(principal).bind(key),
        )
        .await?;
    Ok(())
}

/// Forget answers older than `KEEP_KEYS_MS`. Returns how many.
pub async fn purge(reg: &Registry) -> Result<u64, Error> {
    let before = reg.now_ms() - KEEP_KEYS_MS;
    // Look first, so that a pass with nothing to purge commits nothing.
    let any: Option<(i64,)> =
        reg.db().read_optional("SELECT 1 FROM reg_idempotency WHERE created_at < $1 LIMIT 1", &[before.into()]).await?;
    if any.is_none() {
        return Ok(0);
    }
    let r =
        reg.db().execute_write(sqlx::query("DELETE FROM reg_idempotency WHERE created_at < $1").bind(before)).await?;
    Ok(r.rows_affected())
}
