//! Browser sessions of the sign-on, kept on the server. The cookie carries a
//! random token; the table keeps only its hash. A session is first pending
//! (waiting for a code) and becomes active under a new token at sign-in. It
//! knows no cookie and no page: `http` carries the token.

use db::WriteTx;
use domain::policy::{HOUR_MS, MINUTE_MS};

use crate::{Error, Sso, crypto};

pub const IDLE_MS: i64 = HOUR_MS;
pub const ABSOLUTE_MS: i64 = 24 * HOUR_MS;
/// A session still waiting for a code lives this long at most.
pub const PENDING_MS: i64 = 15 * MINUTE_MS;
/// Last-seen is written at most this often, to spare the database.
const TOUCH_EVERY_MS: i64 = MINUTE_MS;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Registered or signed in with a password, phone not yet verified.
    VerifyPhone,
    /// Password accepted, waiting for the sign-in code.
    SignInCode,
    Active,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::VerifyPhone => "verify_phone",
            Self::SignInCode => "sign_in_code",
            Self::Active => "active",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "verify_phone" => Self::VerifyPhone,
            "sign_in_code" => Self::SignInCode,
            "active" => Self::Active,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone)]
pub struct Session {
    pub id_hash: String,
    pub account_id: String,
    pub stage: Stage,
    pub created_at: i64,
}

/// Start a session in `tx`; returns the token for the cookie.
pub async fn create(tx: &mut WriteTx, account_id: &str, stage: Stage, now: i64) -> Result<String, Error> {
    let token = crypto::token();
    sqlx::query(
        "INSERT INTO sso_sessions (id_hash, account_id, stage, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)",
    )
    .bind(crypto::sha256_hex(token.as_bytes()))
    .bind(account_id)
    .bind(stage.as_str())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(token)
}

/// The live session behind a cookie token, if any; none for a blocked
/// account. Expired sessions are ended on the way.
pub async fn find(sso: &Sso, token: &str) -> Result<Option<Session>, Error> {
    let now = sso.now_ms();
    let id_hash = crypto::sha256_hex(token.as_bytes());
    let row: Option<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT s.account_id, s.stage, s.created_at, s.last_seen_at FROM sso_sessions s \
         JOIN sso_accounts a ON a.id = s.account_id \
         WHERE s.id_hash = $1 AND s.ended_at IS NULL AND a.blocked_at IS NULL",
    )
    .bind(&id_hash)
    .fetch_optional(sso.db().pool())
    .await?;
    let Some((account_id, stage, created_at, last_seen_at)) = row else {
        return Ok(None);
    };
    let Some(stage) = Stage::parse(&stage) else {
        return Ok(None);
    };
    let limit = if stage == Stage::Active { ABSOLUTE_MS } else { PENDING_MS };
    if now - last_seen_at >= IDLE_MS || now - created_at >= limit {
        end(sso, &id_hash).await?;
        return Ok(None);
    }
    if now - last_seen_at >= TOUCH_EVERY_MS {
        sso.db()
            .execute_write(
                sqlx::query("UPDATE sso_sessions SET last_seen_at = $1 WHERE id_hash = $2").bind(now).bind(&id_hash),
            )
            .await?;
    }
    Ok(Some(Session { id_hash, account_id, stage, created_at }))
}

pub async fn end(sso: &Sso, id_hash: &str) -> Result<(), Error> {
    end_in(&mut *sso.db().acquire().await?, id_hash, sso.now_ms()).await
}

pub async fn end_in(conn: &mut sqlx::AnyConnection, id_hash: &str, now: i64) -> Result<(), Error> {
    sqlx::query("UPDATE sso_sessions SET ended_at = $1 WHERE id_hash = $2 AND ended_at IS NULL")
        .bind(now)
        .bind(id_hash)
        .execute(conn)
        .await?;
    Ok(())
}

/// End every session of an account (after recovery).
pub async fn end_all(tx: &mut WriteTx, account_id: &str, now: i64) -> Result<u64, Error> {
    let r = sqlx::query("UPDATE sso_sessions SET ended_at = $1 WHERE account_id = $2 AND ended_at IS NULL")
        .bind(now)
        .bind(account_id)
        .execute(&mut **tx)
        .await?;
    Ok(r.rows_affected())
}
