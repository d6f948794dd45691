//! Bearer access tokens of the provider, on the JSON API: checked once and
//! kept by their SHA-256 for their life, the person behind them read again
//! when their claims are older than [`CLAIMS_MAX_AGE_MS`]. It knows nothing
//! of page sessions or HTTP.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use sha2::{Digest, Sha256};
use texts::{Lang, RegistryPage, Text as _};

use super::actor::{Actor, Identity, actor_for};
use super::sessions::CLAIMS_MAX_AGE_MS;

use crate::parties;
use crate::{Error, Registry};

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
/// Refusals are written in `lang`, the reader's.
pub async fn from_bearer(reg: &Registry, bearer: &str, address: Option<String>, lang: Lang) -> Result<Actor, Error> {
    let now = reg.now_ms();
    let hash: [u8; 32] = Sha256::digest(bearer.as_bytes()).into();
    let subject = match reg.token_cache().map.get(&hash, |exp| exp > now) {
        Some(s) => s,
        None => {
            let provider = reg.provider().await?;
            let claims = provider
                .verify_jwt_access_token(bearer, &reg.config().oidc.api_audiences, now)
                .await
                .map_err(|e| token_refusal(e, lang))?;
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
                token_refusal(e, lang)
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
fn token_refusal(e: oidc_rp::RpError, lang: Lang) -> Error {
    use oidc_rp::RpError;
    tracing::debug!(error = %e, "access token refused");
    match e {
        RpError::InvalidToken(why) => Error::TokenRefused(why),
        RpError::Provider { error, .. } => {
            Error::TokenRefused(format!("the sign-on no longer honours it ({error}); get a new one"))
        }
        RpError::Unreachable(_) | RpError::BadResponse(_) => {
            Error::Unavailable(RegistryPage::TokenUncheckable.render(lang))
        }
        other => Error::TokenRefused(other.to_string()),
    }
}
