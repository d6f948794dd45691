//! The provider's signing keys (its JWKS), cached: refetched when old, or
//! when a token names a key not held, at most once in ten seconds, and
//! kept when the provider is down. It knows signatures, not claims.

use std::sync::RwLock;

use serde_json::Value;
use url::Url;

use crate::RpError;
use crate::jose::{self, Jwk, Jws, KeyCheck};

/// A JWKS refetch for an unknown key id happens at most this often, so that
/// tokens with made-up key ids cannot make us hammer the provider.
pub const MIN_JWKS_REFETCH_INTERVAL_MS: i64 = 10 * 1000;
/// Keys are refetched when older than this, so that a key the provider
/// withdraws stops being trusted without a restart.
pub const JWKS_MAX_AGE_MS: i64 = 10 * 60 * 1000;

struct KeySet {
    keys: Vec<Jwk>,
    /// None until the first check after discovery (which has no clock).
    fetched_at: Option<i64>,
    /// Bumped on every successful refetch, so that waiters can tell that
    /// someone else already fetched.
    generation: u64,
}

pub(crate) struct KeyCache {
    set: RwLock<KeySet>,
    /// Serialises JWKS refetches and holds the time of the last attempt.
    refetch: tokio::sync::Mutex<Option<i64>>,
    http: reqwest::Client,
    url: Url,
    /// The provider's issuer, for the logs.
    issuer: String,
}

impl KeyCache {
    /// Fetch the JWKS at `url` a first time.
    pub(crate) async fn fetch(http: &reqwest::Client, url: Url, issuer: &str) -> Result<Self, RpError> {
        let keys = fetch_jwks(http, &url).await?;
        Ok(Self {
            set: RwLock::new(KeySet { keys, fetched_at: None, generation: 0 }),
            refetch: tokio::sync::Mutex::new(None),
            http: http.clone(),
            url,
            issuer: issuer.to_string(),
        })
    }

    /// How many keys are held.
    pub(crate) fn len(&self) -> usize {
        self.set.read().unwrap_or_else(|e| e.into_inner()).keys.len()
    }

    /// Check a token's signature against the cached JWKS, refetching it
    /// when it is old or when the token names a key it does not hold.
    pub(crate) async fn check_signature(&self, jws: &Jws<'_>, now_ms: i64) -> Result<(), RpError> {
        let (generation, fetched_at) = {
            let set = self.set.read().unwrap_or_else(|e| e.into_inner());
            (set.generation, set.fetched_at)
        };
        // Discovery has no clock: the first check starts the keys' age.
        let fetched_at = fetched_at
            .unwrap_or_else(|| *self.set.write().unwrap_or_else(|e| e.into_inner()).fetched_at.get_or_insert(now_ms));
        let stale = now_ms - fetched_at >= JWKS_MAX_AGE_MS;
        // Keep the keys in hand if that fails: tokens are short-lived, and
        // the provider being down must not sign everybody out.
        if stale && let Err(e) = self.refetch_keys(generation, now_ms).await {
            tracing::warn!(issuer = %self.issuer, error = %e, "could not refresh the provider's keys");
        }
        let generation = {
            let set = self.set.read().unwrap_or_else(|e| e.into_inner());
            match jws.check(&set.keys) {
                KeyCheck::Valid => return Ok(()),
                KeyCheck::Invalid => return Err(RpError::invalid("the signature does not verify")),
                KeyCheck::NoKey => set.generation,
            }
        };
        // An unknown key id: perhaps the provider rotated its keys.
        if !self.refetch_keys(generation, now_ms).await? {
            return Err(RpError::invalid("the token is signed with a key the provider does not publish"));
        }
        let set = self.set.read().unwrap_or_else(|e| e.into_inner());
        match jws.check(&set.keys) {
            KeyCheck::Valid => Ok(()),
            KeyCheck::Invalid => Err(RpError::invalid("the signature does not verify")),
            KeyCheck::NoKey => Err(RpError::invalid("the token is signed with a key the provider does not publish")),
        }
    }

    /// Refetch the JWKS unless someone did since `seen_generation` (then
    /// their keys are used) or the last attempt was under ten seconds ago.
    /// Returns whether there are newer keys than the caller saw.
    async fn refetch_keys(&self, seen_generation: u64, now_ms: i64) -> Result<bool, RpError> {
        let mut last_attempt = self.refetch.lock().await;
        if self.set.read().unwrap_or_else(|e| e.into_inner()).generation != seen_generation {
            return Ok(true);
        }
        if last_attempt.is_some_and(|t| now_ms - t < MIN_JWKS_REFETCH_INTERVAL_MS) {
            return Ok(false);
        }
        *last_attempt = Some(now_ms);
        let keys = fetch_jwks(&self.http, &self.url).await?;
        tracing::info!(issuer = %self.issuer, keys = keys.len(), "refetched the provider's keys");
        let mut set = self.set.write().unwrap_or_else(|e| e.into_inner());
        set.keys = keys;
        set.fetched_at = Some(now_ms);
        set.generation += 1;
        Ok(true)
    }
}

/// Fetch and parse the JWKS at `url`.
async fn fetch_jwks(http: &reqwest::Client, url: &Url) -> Result<Vec<Jwk>, RpError> {
    let accept = "application/json, application/jwk-set+json";
    let doc: Value = fetch_json(http, url.clone(), accept, "the JWKS", "the JWKS is not JSON").await?;
    jose::parse_jwks(&doc).map_err(RpError::BadResponse)
}

/// Fetch one of the provider's JSON documents (`what`, for the refusals)
/// at `url`, asking for `accept`: refused when the provider answers other
/// than success, or with a body that does not read as `T` (`undecodable`).
pub(crate) async fn fetch_json<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    url: Url,
    accept: &'static str,
    what: &str,
    undecodable: &'static str,
) -> Result<T, RpError> {
    let resp = http.get(url).header(reqwest::header::ACCEPT, accept).send().await.map_err(RpError::Unreachable)?;
    if !resp.status().is_success() {
        return Err(RpError::bad(format!("{what} answered {}", resp.status())));
    }
    resp.json().await.map_err(|e| if e.is_decode() { RpError::bad(undecodable) } else { RpError::Unreachable(e) })
}
