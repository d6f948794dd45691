//! Page sessions: the person behind a session cookie, the organisation the
//! session acts for, its claims re-read from the provider with its refresh
//! token, its end, and the forgetting of idle and old ones (run as jobs).
//! Refresh tokens let go of go to [`super::revocation`]. It knows nothing
//! of HTTP or cookies.

use secure::sha256_hex;
use serde_json::{Map, Value};
use texts::{Lang, Refusal, RegistryPage, Text as _};

use super::actor::{Actor, actor_for};
use super::revocation;

use crate::parties;
use crate::{Error, Registry};

/// The person's claims are re-read from the provider this often when they
/// use the API, so a membership the provider removed stops working soon.
pub const CLAIMS_MAX_AGE_MS: i64 = 5 * 60 * 1000;
pub const SESSION_IDLE_MS: i64 = 60 * 60 * 1000;
pub const SESSION_ABSOLUTE_MS: i64 = 24 * 60 * 60 * 1000;
const TOUCH_EVERY_MS: i64 = 60 * 1000;

/// A page session: the actor, acting for the organisation chosen in it.
///
/// The person's claims (their organisations above all) are re-read from
/// the provider once `CLAIMS_MAX_AGE_MS` old, as for an API call, with the
/// session's refresh token: someone removed from an organisation at the
/// sign-on stops acting for it here within minutes, not at the end of the
/// session. A session the provider no longer honours (refresh refused, or
/// never given one) ends, and the person is sent to sign in again.
///
/// Refusals are written in `lang`, the reader's.
pub async fn from_session(
    reg: &Registry,
    token: &str,
    address: Option<String>,
    lang: Lang,
) -> Result<Option<Actor>, Error> {
    let now = reg.now_ms();
    let hash = sha256_hex(token.as_bytes());
    let row: Option<(String, Option<String>, i64, i64, i64, Option<String>)> = sqlx::query_as(
        "SELECT s.person_id, s.acting_for, s.created_at, s.last_seen_at, s.claims_at, p.subject \
         FROM reg_sessions s JOIN reg_parties p ON p.id = s.person_id WHERE s.id_hash = $1 AND s.ended_at IS NULL",
    )
    .bind(&hash)
    .fetch_optional(reg.db().pool())
    .await?;
    let Some((person_id, acting_for, created_at, last_seen, claims_at, subject)) = row else {
        return Ok(None);
    };
    if now - last_seen >= SESSION_IDLE_MS || now - created_at >= SESSION_ABSOLUTE_MS {
        end_session(reg, token).await?;
        return Ok(None);
    }
    if now - claims_at >= CLAIMS_MAX_AGE_MS
        && !reread_claims(reg, &hash, claims_at, subject.as_deref(), now, lang).await?
    {
        end_session(reg, token).await?;
        return Ok(None);
    }
    if now - last_seen >= TOUCH_EVERY_MS {
        reg.db()
            .execute_write(
                sqlx::query("UPDATE reg_sessions SET last_seen_at = $1 WHERE id_hash = $2").bind(now).bind(&hash),
            )
            .await?;
    }
    let actor = actor_for(reg, &person_id, address).await?;
    let pin = acting_for.and_then(|org| actor.memberships.iter().find(|m| m.org_id == org).map(|m| m.kra_pin.clone()));
    Ok(Some(actor.act_for(pin.as_deref(), lang)?))
}

/// Re-read a page session's claims from the provider (see [`from_session`]).
/// Returns false when the provider no longer honours the session. One
/// request of a session does it; another arriving meanwhile goes on with
/// the claims as they are, at most seconds older. When the provider cannot
/// answer, the turn is given back and the page refused, rather than acting
/// on claims that can no longer be checked.
async fn reread_claims(
    reg: &Registry,
    hash: &str,
    seen: i64,
    subject: Option<&str>,
    now: i64,
    lang: Lang,
) -> Result<bool, Error> {
    let claimed: Option<(Option<String>,)> = reg
        .db()
        .fetch_optional_write(
            sqlx::query_as(
                "UPDATE reg_sessions SET claims_at = $1 WHERE id_hash = $2 AND claims_at = $3 AND ended_at IS NULL \
                 RETURNING refresh_token",
            )
            .bind(now)
            .bind(hash)
            .bind(seen),
        )
        .await?;
    let Some((refresh,)) = claimed else { return Ok(true) };
    let refresh = refresh.and_then(|stored| reg.open_refresh(&stored));
    let (Some(refresh), Some(subject)) = (refresh, subject) else { return Ok(false) };
    // The refresh and the keeping of the token it rotates in run as a task
    // of their own: once the provider has rotated the token, the new one
    // must be kept even if this request is dropped, or the next re-read
    // would present the old one and the provider would revoke the grant as
    // stolen.
    let task = tokio::spawn({
        let (reg, hash, subject) = (reg.clone(), hash.to_string(), subject.to_string());
        async move { refresh_and_keep(&reg, &hash, &refresh, &subject, now, lang).await }
    });
    let outcome = match task.await {
        Ok(Ok(claims)) => parties::upsert_from_claims(reg, &claims).await.map_err(Reread::Failed),
        Ok(Err(e)) => Err(e),
        Err(e) => Err(Reread::Failed(Error::Internal(e.to_string()))),
    };
    match outcome {
        Ok(_) => Ok(true),
        Err(Reread::Refused(why)) => {
            tracing::info!(error = %why, "the provider no longer honours a page session; it ends");
            Ok(false)
        }
        Err(Reread::Failed(e)) => {
            tracing::warn!(error = %e, "a page session's claims could not be re-read");
            reg.db()
                .execute_write(
                    sqlx::query("UPDATE reg_sessions SET claims_at = $1 WHERE id_hash = $2 AND claims_at = $3")
                        .bind(seen)
                        .bind(hash)
                        .bind(now),
                )
                .await?;
            Err(match e {
                e @ (Error::Forbidden(_) | Error::Unavailable(_)) => e,
                _ => Error::Unavailable(Refusal::ServiceUnreachable.render(lang)),
            })
        }
    }
}

/// Why a re-read did not give claims.
enum Reread {
    /// The provider refused the grant (revoked, expired, another subject).
    Refused(oidc_rp::RpError),
    /// It could not be asked, or did not answer usably: try again later.
    Failed(Error),
}

/// Refresh the session's grant, keep the rotated refresh token, and read
/// the person's claims: userinfo, with the new ID token's for what it lacks
/// (as at sign-in).
async fn refresh_and_keep(
    reg: &Registry,
    hash: &str,
    refresh: &str,
    subject: &str,
    now: i64,
    lang: Lang,
) -> Result<Map<String, Value>, Reread> {
    use oidc_rp::RpError;
    let provider = reg.provider().await.map_err(Reread::Failed)?;
    let unavailable = |e: RpError| {
        let why = e.to_string();
        Reread::Failed(Error::Unavailable(RegistryPage::ProviderAnsweredWrongly { why: &why }.render(lang)))
    };
    let r = match provider.refresh(refresh, subject, now).await {
        Ok(r) => r,
        Err(e) => {
            let refused = match &e {
                RpError::Provider { error, .. } => error == "invalid_grant",
                RpError::InvalidToken(_) => true,
                _ => false,
            };
            return Err(if refused { Reread::Refused(e) } else { unavailable(e) });
        }
    };
    if let Some(rotated) = &r.refresh_token {
        keep_rotated(reg, hash, &reg.store_refresh(rotated)).await.map_err(Reread::Failed)?;
    }
    let mut claims = provider.userinfo(&r.access_token, subject).await.map_err(unavailable)?;
    for (k, v) in r.claims.unwrap_or_default() {
        claims.entry(k).or_insert(v);
    }
    Ok(claims)
}

/// Keep a session's rotated refresh token; if the session ended meanwhile
/// (signed out while the refresh was under way), queue it to be revoked
/// instead, so it is not left working at the provider.
async fn keep_rotated(reg: &Registry, hash: &str, stored: &str) -> Result<(), Error> {
    let mut tx = reg.db().begin_write().await?;
    tx.lock_rows("reg_sessions", "id_hash", hash, "id_hash").await?;
    let kept = sqlx::query("UPDATE reg_sessions SET refresh_token = $1 WHERE id_hash = $2 AND ended_at IS NULL")
        .bind(stored)
        .bind(hash)
        .execute(&mut *tx)
        .await?;
    if kept.rows_affected() == 0 {
        revocation::enqueue(&mut tx, &[stored.to_string()], reg.now_ms()).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The most sessions [`forget_stale_sessions`] handles in one pass.
pub const FORGET_BATCH: u64 = 500;

/// Forget the refresh tokens of sessions that can no longer be used (any
/// not visited for `SESSION_IDLE_MS`; one past its lifetime is ended, and
/// its token forgotten, at its next visit), queueing them to be revoked at
/// the provider (see [`super::revocation`]). Returns how many, at most
/// [`FORGET_BATCH`] a pass.
pub async fn forget_stale_sessions(reg: &Registry) -> Result<u64, Error> {
    const STALE: &str = "refresh_token IS NOT NULL AND last_seen_at <= $1";
    let idle = reg.now_ms() - SESSION_IDLE_MS;
    // Look first (on a small index), so that a pass with nothing to forget
    // commits nothing.
    let any: Option<(i64,)> =
        reg.db().read_optional(&format!("SELECT 1 FROM reg_sessions WHERE {STALE} LIMIT 1"), &[idle.into()]).await?;
    if any.is_none() {
        return Ok(0);
    }
    let mut tx = reg.db().begin_write().await?;
    let stale: Vec<(String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT id_hash, refresh_token FROM reg_sessions WHERE {STALE} ORDER BY id_hash LIMIT $2"
    )))
    .bind(idle)
    .bind(FORGET_BATCH as i64)
    .fetch_all(&mut *tx)
    .await?;
    let mut forgotten = vec![];
    for (hash, refresh) in stale {
        // Checked again row by row: a session used meanwhile, or whose token
        // a re-read rotated meanwhile, keeps its token.
        let r = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE reg_sessions SET refresh_token = NULL WHERE id_hash = $2 AND refresh_token = $3 AND {STALE}"
        )))
        .bind(idle)
        .bind(&hash)
        .bind(&refresh)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() > 0 {
            forgotten.push(refresh);
        }
    }
    revocation::enqueue(&mut tx, &forgotten, reg.now_ms()).await?;
    tx.commit().await?;
    Ok(forgotten.len() as u64)
}

/// Delete sessions past their longest life by a day (ended, or dead by
/// then; their refresh tokens were let go of long before). Returns how
/// many.
pub async fn purge_old_sessions(reg: &Registry) -> Result<u64, Error> {
    let before = reg.now_ms() - SESSION_ABSOLUTE_MS - domain::policy::DAY_MS;
    const OLD: &str = "created_at < $1 AND refresh_token IS NULL";
    // Look first (on an index), so that a sweep with nothing to delete
    // commits nothing.
    let any: Option<(i64,)> =
        reg.db().read_optional(&format!("SELECT 1 FROM reg_sessions WHERE {OLD} LIMIT 1"), &[before.into()]).await?;
    if any.is_none() {
        return Ok(0);
    }
    let r = reg
        .db()
        .execute_write(sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM reg_sessions WHERE {OLD}"))).bind(before))
        .await?;
    Ok(r.rows_affected())
}

/// Switch the organisation a page session acts for (`None`: oneself).
pub async fn switch_acting_for(
    reg: &Registry,
    token: &str,
    actor: &Actor,
    kra_pin: Option<&str>,
    lang: Lang,
) -> Result<(), Error> {
    let chosen = actor.clone().act_for(kra_pin, lang)?;
    reg.db()
        .execute_write(
            sqlx::query("UPDATE reg_sessions SET acting_for = $1 WHERE id_hash = $2")
                .bind(chosen.acting_for.as_ref().map(|m| m.org_id.clone()))
                .bind(sha256_hex(token.as_bytes())),
        )
        .await?;
    Ok(())
}

/// End a page session; returns the ID token for the provider's sign-out.
pub async fn end_session(reg: &Registry, token: &str) -> Result<Option<String>, Error> {
    let hash = sha256_hex(token.as_bytes());
    let mut tx = reg.db().begin_write().await?;
    // A re-read keeping a rotated token waits for this (on PostgreSQL), so
    // the token queued below is the session's last.
    tx.lock_rows("reg_sessions", "id_hash", &hash, "id_hash").await?;
    let row: Option<(String, Option<String>)> =
        sqlx::query_as("SELECT id_token, refresh_token FROM reg_sessions WHERE id_hash = $1 AND ended_at IS NULL")
            .bind(&hash)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((id_token, refresh)) = row else { return Ok(None) };
    sqlx::query("UPDATE reg_sessions SET ended_at = $1, refresh_token = NULL WHERE id_hash = $2 AND ended_at IS NULL")
        .bind(reg.now_ms())
        .bind(&hash)
        .execute(&mut *tx)
        .await?;
    let refresh: Vec<String> = refresh.into_iter().collect();
    revocation::enqueue(&mut tx, &refresh, reg.now_ms()).await?;
    tx.commit().await?;
    Ok(Some(id_token))
}
