//! Who is asking: a person signed in through the provider (a page session or
//! a Bearer access token), the organisation they chose to act for, their
//! staff role, and the address the request came from.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use domain::org::OrgRole;
use serde_json::{Map, Value};

use crate::parties::{self, Membership, Party, StaffRole};
use crate::reference::{sha256_hex, token};
use crate::{Error, Registry};
use sha2::{Digest, Sha256};

/// The person's claims are re-read from the provider this often when they
/// use the API, so a membership the provider removed stops working soon.
pub const CLAIMS_MAX_AGE_MS: i64 = 5 * 60 * 1000;
pub const SESSION_IDLE_MS: i64 = 60 * 60 * 1000;
pub const SESSION_ABSOLUTE_MS: i64 = 24 * 60 * 60 * 1000;
const LOGIN_TTL_MS: i64 = 10 * 60 * 1000;
const TOUCH_EVERY_MS: i64 = 60 * 1000;

/// Who a person is to the registry: their party, the organisations the
/// provider says they belong to, and their staff role. Read once and shared
/// by the requests that follow for a few seconds (see [`TokenCache`]).
#[derive(Debug)]
pub struct Identity {
    pub person: Party,
    pub memberships: Vec<Membership>,
    pub staff: Option<StaffRole>,
}

/// A person acting, as the registry sees them for one request: who they are
/// (`actor.person`, `actor.memberships`, `actor.staff` through the shared
/// [`Identity`]), whom they act for and where the request came from.
#[derive(Debug, Clone)]
pub struct Actor {
    identity: Arc<Identity>,
    /// The organisation chosen for this request, if any.
    pub acting_for: Option<Membership>,
    pub address: Option<String>,
}

impl std::ops::Deref for Actor {
    type Target = Identity;

    fn deref(&self) -> &Identity {
        &self.identity
    }
}

impl Actor {
    /// The party on whose behalf the request is made.
    pub fn principal_id(&self) -> &str {
        self.acting_for.as_ref().map_or(&self.person.id, |m| &m.org_id)
    }

    /// Whether the actor may change things for the principal (a viewer of an
    /// organisation may only look).
    pub fn may_transact(&self) -> bool {
        self.acting_for.as_ref().is_none_or(|m| matches!(m.role, OrgRole::Admin | OrgRole::Transactor))
    }

    pub fn is_staff(&self) -> bool {
        self.staff.is_some()
    }

    /// Choose the organisation to act for, by KRA PIN; `None` acts for oneself.
    pub fn act_for(mut self, kra_pin: Option<&str>) -> Result<Self, Error> {
        self.acting_for = match kra_pin.map(str::trim).filter(|p| !p.is_empty()) {
            None => None,
            Some(pin) => {
                let pin = pin.to_ascii_uppercase();
                Some(self.memberships.iter().find(|m| m.kra_pin == pin).cloned().ok_or_else(|| {
                    Error::Forbidden(format!(
                        "You are not a member of the organisation with KRA PIN {pin}: add it to your sign-on account first"
                    ))
                })?)
            }
        };
        Ok(self)
    }
}

async fn actor_for(reg: &Registry, person_id: &str, address: Option<String>) -> Result<Actor, Error> {
    let person = parties::get(reg, person_id).await?.ok_or(Error::Unauthenticated)?;
    let memberships = parties::memberships(reg, person_id).await?;
    let staff = parties::staff_role(reg, person_id).await?;
    Ok(Actor { identity: Arc::new(Identity { person, memberships, staff }), acting_for: None, address })
}

/// Verified access tokens, by their SHA-256, so a client's repeated calls do
/// not pay for a signature check each time; and the people behind them, for
/// a few seconds, so a burst of API calls does not read the same rows each
/// time. Bounded; cleared when full.
#[derive(Default)]
pub struct TokenCache {
    /// Subject and expiry, by the token's SHA-256.
    map: Bounded<[u8; 32], Arc<str>>,
    /// Identity and when it was read, by subject.
    actors: Bounded<Arc<str>, Arc<Identity>>,
}

const TOKEN_CACHE_MAX: usize = 10_000;
/// How long a person's registry record (memberships, staff role) is reused
/// between API calls. Memberships themselves come from the provider's claims,
/// re-read every `CLAIMS_MAX_AGE_MS`.
pub const ACTOR_CACHE_MS: i64 = 10_000;

/// A map of at most `TOKEN_CACHE_MAX` entries, each with a time in
/// milliseconds (an expiry, or when it was put); cleared when full.
struct Bounded<K, V>(Mutex<HashMap<K, (V, i64)>>);

impl<K, V> Default for Bounded<K, V> {
    fn default() -> Self {
        Self(Mutex::new(HashMap::new()))
    }
}

impl<K: Eq + std::hash::Hash, V: Clone> Bounded<K, V> {
    /// The value under `key`, if its time passes `fresh`.
    fn get<Q>(&self, key: &Q, fresh: impl Fn(i64) -> bool) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Eq + std::hash::Hash + ?Sized,
    {
        let m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        m.get(key).filter(|(_, at)| fresh(*at)).map(|(v, _)| v.clone())
    }

    fn put(&self, key: K, value: V, at: i64) {
        let mut m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if m.len() >= TOKEN_CACHE_MAX {
            m.clear();
        }
        m.insert(key, (value, at));
    }
}

/// The person behind a Bearer access token of the provider.
pub async fn from_bearer(reg: &Registry, bearer: &str, address: Option<String>) -> Result<Actor, Error> {
    let now = reg.now_ms();
    let hash: [u8; 32] = Sha256::digest(bearer.as_bytes()).into();
    let subject = match reg.token_cache().map.get(&hash, |exp| exp > now) {
        Some(s) => s,
        None => {
            let provider = reg.provider().await?;
            let claims = provider
                .verify_jwt_access_token(bearer, &reg.config().oidc.api_audiences, now)
                .await
                .map_err(token_refusal)?;
            let sub: Arc<str> = claims
                .get("sub")
                .and_then(Value::as_str)
                .ok_or_else(|| Error::TokenRefused("the token names no subject".into()))?
                .into();
            let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or(0).saturating_mul(1000);
            reg.token_cache().map.put(hash, sub.clone(), exp);
            sub
        }
    };
    if let Some(identity) = reg.token_cache().actors.get(&*subject, |at| now - at < ACTOR_CACHE_MS) {
        return Ok(Actor { identity, acting_for: None, address });
    }
    let known: Option<(String, i64)> = reg
        .db()
        .read_optional("SELECT id, updated_at FROM reg_parties WHERE subject = $1", &[(&*subject).into()])
        .await?;
    let person_id = match known {
        Some((id, updated)) if now - updated < CLAIMS_MAX_AGE_MS => id,
        _ => {
            let provider = reg.provider().await?;
            let claims = provider.userinfo(bearer, &subject).await.map_err(|e| {
                tracing::warn!(error = %e, "userinfo failed");
                token_refusal(e)
            })?;
            parties::upsert_from_claims(reg, &claims).await?
        }
    };
    let actor = actor_for(reg, &person_id, address).await?;
    reg.token_cache().actors.put(subject, actor.identity.clone(), now);
    Ok(actor)
}

/// Why a Bearer token was not taken, for the caller: a failed check says
/// which (the reasons never quote the token); a provider that cannot be
/// asked is the service's trouble, not the token's.
fn token_refusal(e: oidc_rp::RpError) -> Error {
    use oidc_rp::RpError;
    tracing::debug!(error = %e, "access token refused");
    match e {
        RpError::InvalidToken(why) => Error::TokenRefused(why),
        RpError::Provider { error, .. } => {
            Error::TokenRefused(format!("the sign-on no longer honours it ({error}); get a new one"))
        }
        RpError::Unreachable(_) | RpError::BadResponse(_) => Error::Unavailable(
            "The sign-on service cannot be reached just now to check the token. Try again in a minute.".into(),
        ),
        other => Error::TokenRefused(other.to_string()),
    }
}

/// Start a sign-in: remember state, nonce and verifier; return where to send
/// the browser.
/// Returns where to send the browser and the state, which the caller binds
/// to the browser (a cookie), so a sign-in started elsewhere cannot be
/// finished in it.
pub async fn begin_sign_in(reg: &Registry, return_to: &str) -> Result<(String, String), Error> {
    let provider = reg.provider().await?;
    let begin = provider.begin(&[]);
    let pending = serde_json::to_string(&begin.pending).map_err(|e| Error::Internal(e.to_string()))?;
    let now = reg.now_ms();
    reg.db()
        .execute_write(sqlx::query("DELETE FROM reg_logins WHERE created_at < $1").bind(now - LOGIN_TTL_MS))
        .await?;
    reg.db()
        .execute_write(
            sqlx::query("INSERT INTO reg_logins (state_hash, pending, return_to, created_at) VALUES ($1, $2, $3, $4)")
                .bind(sha256_hex(begin.pending.state.as_bytes()))
                .bind(pending)
                .bind(return_to)
                .bind(now),
        )
        .await?;
    Ok((begin.url, begin.pending.state))
}

/// Finish a sign-in from the provider's answer: a new session token for the
/// cookie and where to go next.
pub async fn finish_sign_in(reg: &Registry, query: &HashMap<String, String>) -> Result<(String, String), Error> {
    let now = reg.now_ms();
    let state = query.get("state").ok_or_else(|| Error::Forbidden("The sign-in answer has no state".into()))?;
    let row: Option<(String, String, i64)> = reg
        .db()
        .fetch_optional_write(
            sqlx::query_as("DELETE FROM reg_logins WHERE state_hash = $1 RETURNING pending, return_to, created_at")
                .bind(sha256_hex(state.as_bytes())),
        )
        .await?;
    let Some((pending, return_to, _)) = row.filter(|(_, _, created_at)| now - created_at < LOGIN_TTL_MS) else {
        return Err(Error::Forbidden("This sign-in has expired or was already used: start again".into()));
    };
    let pending: oidc_rp::Pending = serde_json::from_str(&pending).map_err(|e| Error::Internal(e.to_string()))?;
    let provider = reg.provider().await?;
    let signed = provider.finish(query, &pending, now).await.map_err(|e| {
        tracing::warn!(error = %e, "sign-in refused");
        Error::Forbidden(format!("The sign-in did not complete: {e}"))
    })?;
    let mut claims: Map<String, Value> = signed.claims.clone();
    if claims.get("id_number").is_none() || claims.get("phone_number").is_none() {
        // Providers that keep profile claims out of the ID token give them here.
        if let Ok(more) = provider.userinfo(&signed.access_token, &signed.subject).await {
            for (k, v) in more {
                claims.entry(k).or_insert(v);
            }
        }
    }
    let person_id = parties::upsert_from_claims(reg, &claims).await?;
    let token = token();
    reg.db()
        .execute_write(
            sqlx::query(
                "INSERT INTO reg_sessions (id_hash, person_id, id_token, refresh_token, claims_at, created_at, \
                 last_seen_at) VALUES ($1, $2, $3, $4, $5, $5, $5)",
            )
            .bind(sha256_hex(token.as_bytes()))
            .bind(&person_id)
            .bind(&signed.id_token)
            .bind(signed.refresh_token.as_deref().map(|t| reg.store_refresh(t)))
            .bind(now),
        )
        .await?;
    Ok((token, return_to))
}

/// A page session: the actor, acting for the organisation chosen in it.
///
/// The person's claims (their organisations above all) are re-read from
/// the provider once `CLAIMS_MAX_AGE_MS` old, as for an API call, with the
/// session's refresh token: someone removed from an organisation at the
/// sign-on stops acting for it here within minutes, not at the end of the
/// session. A session the provider no longer honours (refresh refused, or
/// never given one) ends, and the person is sent to sign in again.
pub async fn from_session(reg: &Registry, token: &str, address: Option<String>) -> Result<Option<Actor>, Error> {
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
    if now - claims_at >= CLAIMS_MAX_AGE_MS && !reread_claims(reg, &hash, claims_at, subject.as_deref(), now).await? {
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
    Ok(Some(actor.act_for(pin.as_deref())?))
}

/// Re-read a page session's claims from the provider (see [`from_session`]).
/// Returns false when the provider no longer honours the session. One
/// request of a session does it; another arriving meanwhile goes on with
/// the claims as they are, at most seconds older. When the provider cannot
/// answer, the turn is given back and the page refused, rather than acting
/// on claims that can no longer be checked.
async fn reread_claims(reg: &Registry, hash: &str, seen: i64, subject: Option<&str>, now: i64) -> Result<bool, Error> {
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
        async move { refresh_and_keep(&reg, &hash, &refresh, &subject, now).await }
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
                _ => {
                    Error::Unavailable("The sign-on service cannot be reached just now. Try again in a minute.".into())
                }
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
) -> Result<Map<String, Value>, Reread> {
    use oidc_rp::RpError;
    let provider = reg.provider().await.map_err(Reread::Failed)?;
    let unavailable = |e: RpError| {
        Reread::Failed(Error::Unavailable(format!(
            "The sign-on service did not answer as it should ({e}); try again in a minute"
        )))
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
        crate::revocation::enqueue(&mut tx, &[stored.to_string()], reg.now_ms()).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The most sessions [`forget_stale_sessions`] handles in one pass.
pub const FORGET_BATCH: u64 = 500;

/// Forget the refresh tokens of sessions that can no longer be used (any
/// not visited for `SESSION_IDLE_MS`; one past its lifetime is ended, and
/// its token forgotten, at its next visit), queueing them to be revoked at
/// the provider (see [`crate::revocation`]). Returns how many, at most
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
    crate::revocation::enqueue(&mut tx, &forgotten, reg.now_ms()).await?;
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
pub async fn switch_acting_for(reg: &Registry, token: &str, actor: &Actor, kra_pin: Option<&str>) -> Result<(), Error> {
    let chosen = actor.clone().act_for(kra_pin)?;
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
    crate::revocation::enqueue(&mut tx, &refresh, reg.now_ms()).await?;
    tx.commit().await?;
    Ok(Some(id_token))
}
