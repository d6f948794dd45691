//! The provider's signing keys: RSA 2048, generated on first start, kept in
//! the database, rotated by an operator. Retired keys stay published in the
//! JWKS until every token they signed has expired.

use std::sync::RwLock;

use db::Db;
use ring::signature::{RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaKeyPair, RsaPublicKeyComponents};
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde_json::{Value, json};

use crate::{Error, crypto};

/// The longest any signed token lives; retired keys are published this much
/// longer, with a margin for clock skew.
pub const MAX_TOKEN_TTL_MS: i64 = 15 * 60 * 1000;
/// A new key is published this long before it signs anything, so relying
/// parties that cache the JWKS (it says max-age=60) know it in time.
pub const PUBLISH_BEFORE_USE_MS: i64 = 2 * 60 * 1000;
/// A retired key may still sign during the new key's wait, and its tokens
/// then live their full time; five minutes more allow for clock skew.
const PUBLISH_AFTER_RETIRE_MS: i64 = PUBLISH_BEFORE_USE_MS + MAX_TOKEN_TTL_MS + 5 * 60 * 1000;
/// Nodes pick up keys rotated elsewhere this often.
const RELOAD_EVERY_MS: i64 = 60 * 1000;

/// The parsed key, shared between reloads: parsing and checking an RSA key
/// costs milliseconds, so a reload parses only keys it has not seen.
struct Material {
    signer: RsaKeyPair,
    n_bytes: Vec<u8>,
    e_bytes: Vec<u8>,
}

#[derive(Clone)]
struct Key {
    kid: String,
    material: std::sync::Arc<Material>,
    n: String,
    e: String,
    created_at: i64,
    retired_at: Option<i64>,
}

#[derive(Default)]
struct Loaded {
    keys: Vec<Key>,
    loaded_at: i64,
}

pub struct KeyRing {
    state: RwLock<Loaded>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyRing([redacted])")
    }
}

fn generate(now: i64) -> Result<(String, String, String, String), Error> {
    let private = RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048)
        .map_err(|e| Error::Internal(format!("RSA key generation failed: {e}")))?;
    let pem =
        private.to_pkcs8_pem(LineEnding::LF).map_err(|e| Error::Internal(format!("RSA key encoding failed: {e}")))?;
    let public = RsaPublicKey::from(&private);
    let n = crypto::b64url(&public.n().to_bytes_be());
    let e = crypto::b64url(&public.e().to_bytes_be());
    // The key id names the key by its public part and age, never its secret.
    let kid = format!("{}-{}", now / 1000, &crypto::sha256_hex(n.as_bytes())[..12]);
    Ok((kid, pem.to_string(), n, e))
}

/// Add a new signing key and retire the current one. Returns the new key id.
pub async fn rotate(db: &Db, now: i64) -> Result<String, Error> {
    let (kid, pem, n, e) = generate(now)?;
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE sso_keys SET retired_at = $1 WHERE retired_at IS NULL").bind(now).execute(&mut *tx).await?;
    sqlx::query("INSERT INTO sso_keys (kid, private_pem, n, e, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(&kid)
        .bind(pem)
        .bind(n)
        .bind(e)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(kid)
}

async fn read_keys(db: &Db, now: i64, known: &[Key]) -> Result<Vec<Key>, Error> {
    let rows: Vec<(String, String, String, String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT kid, private_pem, n, e, created_at, retired_at FROM sso_keys \
         WHERE retired_at IS NULL OR retired_at > $1 ORDER BY created_at DESC",
    )
    .bind(now - PUBLISH_AFTER_RETIRE_MS)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(kid, pem, n, e, created_at, retired_at)| {
            let material = match known.iter().find(|k| k.kid == kid) {
                Some(k) => k.material.clone(),
                None => {
                    let unreadable = |e: String| Error::Internal(format!("stored key {kid} is unreadable: {e}"));
                    let private = RsaPrivateKey::from_pkcs8_pem(&pem).map_err(|e| unreadable(e.to_string()))?;
                    let der = private.to_pkcs8_der().map_err(|e| unreadable(e.to_string()))?;
                    let signer = RsaKeyPair::from_pkcs8(der.as_bytes()).map_err(|e| unreadable(e.to_string()))?;
                    let public = RsaPublicKey::from(&private);
                    std::sync::Arc::new(Material {
                        signer,
                        n_bytes: public.n().to_bytes_be(),
                        e_bytes: public.e().to_bytes_be(),
                    })
                }
            };
            Ok(Key { kid, material, n, e, created_at, retired_at })
        })
        .collect()
}

impl KeyRing {
    /// Load the keys, creating the first one on an empty database.
    pub async fn load(db: &Db, now: i64) -> Result<Self, Error> {
        let mut keys = read_keys(db, now, &[]).await?;
        if !keys.iter().any(|k| k.retired_at.is_none()) {
            let kid = rotate(db, now).await?;
            tracing::info!(kid, "created the first signing key");
            keys = read_keys(db, now, &keys).await?;
        }
        Ok(Self { state: RwLock::new(Loaded { keys, loaded_at: now }) })
    }

    /// Re-read the keys if the last read is older than a minute, so a key
    /// rotated by an operator (or another node) is used and published.
    pub async fn refresh_if_stale(&self, db: &Db, now: i64) -> Result<(), Error> {
        let stale = |s: &Loaded| now - s.loaded_at >= RELOAD_EVERY_MS;
        if !stale(&self.state.read().unwrap_or_else(|e| e.into_inner())) {
            return Ok(());
        }
        // The first caller to see the keys stale moves the mark on and does
        // the reload; the others carry on with the keys in hand.
        let known = {
            let mut s = self.state.write().unwrap_or_else(|e| e.into_inner());
            if !stale(&s) {
                return Ok(());
            }
            s.loaded_at = now;
            s.keys.clone()
        };
        let keys = read_keys(db, now, &known).await?;
        if keys.iter().any(|k| k.retired_at.is_none()) {
            let mut s = self.state.write().unwrap_or_else(|e| e.into_inner());
            s.keys = keys;
        }
        Ok(())
    }

    /// Sign claims as a compact JWS (RS256) with the newest key that has been
    /// published long enough (or, on a first start, the only key).
    pub fn sign(&self, typ: &str, claims: &Value, now: i64) -> Result<String, Error> {
        // Take the key out of the lock: signing takes most of a millisecond.
        let key = {
            let s = self.state.read().unwrap_or_else(|e| e.into_inner());
            s.keys
                .iter()
                .filter(|k| k.created_at <= now - PUBLISH_BEFORE_USE_MS)
                .max_by_key(|k| k.created_at)
                .or_else(|| s.keys.iter().max_by_key(|k| k.created_at))
                .cloned()
                .ok_or_else(|| Error::Internal("no signing key".into()))?
        };
        let header = json!({"alg": "RS256", "typ": typ, "kid": key.kid});
        let signing_input = format!(
            "{}.{}",
            crypto::b64url(header.to_string().as_bytes()),
            crypto::b64url(claims.to_string().as_bytes())
        );
        let signer = &key.material.signer;
        let mut sig = vec![0u8; signer.public().modulus_len()];
        signer
            .sign(&RSA_PKCS1_SHA256, &ring::rand::SystemRandom::new(), signing_input.as_bytes(), &mut sig)
            .map_err(|_| Error::Internal("RSA signing failed".into()))?;
        Ok(format!("{signing_input}.{}", crypto::b64url(&sig)))
    }

    /// Check a token's signature against any published key and return its
    /// header type and claims. Expiry and audience are the caller's to check.
    pub fn verify(&self, token: &str) -> Option<(String, Value)> {
        let mut parts = token.split('.');
        let (h, c, sig) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let header: Value = serde_json::from_slice(&crypto::b64url_decode(h)?).ok()?;
        if header.get("alg")?.as_str()? != "RS256" {
            return None;
        }
        let kid = header.get("kid")?.as_str()?;
        let s = self.state.read().unwrap_or_else(|e| e.into_inner());
        let key = s.keys.iter().find(|k| k.kid == kid)?.clone();
        drop(s);
        let sig = crypto::b64url_decode(sig)?;
        let public = RsaPublicKeyComponents { n: &key.material.n_bytes, e: &key.material.e_bytes };
        public.verify(&RSA_PKCS1_2048_8192_SHA256, format!("{h}.{c}").as_bytes(), &sig).ok()?;
        let claims: Value = serde_json::from_slice(&crypto::b64url_decode(c)?).ok()?;
        let typ = header.get("typ").and_then(Value::as_str).unwrap_or("JWT").to_string();
        Some((typ, claims))
    }

    /// The JSON Web Key Set: every key whose tokens may still be in use.
    pub fn jwks(&self) -> Value {
        let s = self.state.read().unwrap_or_else(|e| e.into_inner());
        let keys: Vec<Value> = s
            .keys
            .iter()
            .map(|k| json!({"kty": "RSA", "use": "sig", "alg": "RS256", "kid": k.kid, "n": k.n, "e": k.e}))
            .collect();
        json!({ "keys": keys })
    }
}
