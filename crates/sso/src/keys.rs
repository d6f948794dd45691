//! The provider's signing keys, generated on first start, kept in the
//! database (sealed with a key the operator keeps outside it, when one is
//! given: see [`Wrap`]), rotated by an operator: RSA 2048 (RS256) for ID tokens, as
//! OpenID Connect expects by default, and ECDSA P-256 (ES256) for access
//! tokens, which are issued far more often and whose signature costs a small
//! fraction of an RSA one. Retired keys stay published in the JWKS until
//! every token they signed has expired. It signs and verifies; it reads no
//! claim and knows no client or account.

use std::sync::RwLock;

use db::Db;
use ring::signature::{
    ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair, RSA_PKCS1_2048_8192_SHA256,
    RSA_PKCS1_SHA256, RsaKeyPair, RsaPublicKeyComponents, UnparsedPublicKey,
};
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

/// A signing algorithm the provider uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alg {
    /// RSA 2048, PKCS#1 v1.5, SHA-256: ID tokens.
    Rs256,
    /// ECDSA P-256, SHA-256: access tokens.
    Es256,
}

impl Alg {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rs256 => "RS256",
            Self::Es256 => "ES256",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "RS256" => Some(Self::Rs256),
            "ES256" => Some(Self::Es256),
            _ => None,
        }
    }
}

/// The parsed key, shared between reloads: parsing and checking an RSA key
/// costs milliseconds, so a reload parses only keys it has not seen.
enum Material {
    Rsa { signer: RsaKeyPair, n_bytes: Vec<u8>, e_bytes: Vec<u8> },
    Ec { signer: EcdsaKeyPair, public: Vec<u8> },
}

#[derive(Clone)]
struct Key {
    kid: String,
    alg: Alg,
    material: std::sync::Arc<Material>,
    /// RSA: modulus and exponent; EC: the point's x and y (base64url).
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
    wrap: Wrap,
}

/// The key the signing keys are sealed with in the database, derived from
/// the operator's secrets key; `None` keeps them in the clear (development).
/// A database whose keys are sealed cannot be used without it.
#[derive(Clone, Default)]
pub struct Wrap(pub Option<Vec<u8>>);

impl std::fmt::Debug for Wrap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "Wrap([redacted])" } else { "Wrap(none)" })
    }
}

impl Wrap {
    /// The private key as stored: sealed when there is a wrapping key.
    fn store(&self, secret: &str) -> String {
        match &self.0 {
            Some(k) => secure::seal_marked(k, secret),
            None => secret.to_string(),
        }
    }

    /// The private key from what is stored. With a wrapping key, a key
    /// stored in the clear is refused (keys are sealed at start, before
    /// they are read; one planted in the clear later is not used).
    fn open(&self, kid: &str, stored: &str) -> Result<String, Error> {
        let Some(sealed) = secure::sealed_part(stored) else {
            if self.0.is_some() {
                return Err(Error::Internal(format!(
                    "signing key {kid} is stored in the clear although a secrets key is set: it is not used"
                )));
            }
            return Ok(stored.to_string());
        };
        let Some(k) = &self.0 else {
            return Err(Error::Internal(format!(
                "signing key {kid} is sealed with a secrets key: start tims with the same TIMS_SECRETS_KEY"
            )));
        };
        secure::open_sealed_text(k, sealed).ok_or_else(|| {
            Error::Internal(format!(
                "signing key {kid} is sealed with another secrets key: start tims with the one it was sealed with"
            ))
        })
    }
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyRing([redacted])")
    }
}

fn generate(now: i64, alg: Alg) -> Result<(String, String, String, String), Error> {
    let (secret, n, e) = match alg {
        Alg::Rs256 => {
            let private = RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048)
                .map_err(|e| Error::Internal(format!("RSA key generation failed: {e}")))?;
            let pem = private
                .to_pkcs8_pem(LineEnding::LF)
                .map_err(|e| Error::Internal(format!("RSA key encoding failed: {e}")))?;
            let public = RsaPublicKey::from(&private);
            (pem.to_string(), crypto::b64url(&public.n().to_bytes_be()), crypto::b64url(&public.e().to_bytes_be()))
        }
        Alg::Es256 => {
            let rng = ring::rand::SystemRandom::new();
            let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
                .map_err(|_| Error::Internal("EC key generation failed".into()))?;
            let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
                .map_err(|_| Error::Internal("EC key generation failed".into()))?;
            // Uncompressed point: 0x04, x (32 bytes), y (32 bytes).
            let point = pair.public_key().as_ref();
            (crypto::b64url(pkcs8.as_ref()), crypto::b64url(&point[1..33]), crypto::b64url(&point[33..65]))
        }
    };
    // The key id names the key by its public part, algorithm and age, never its secret.
    let kid =
        format!("{}-{}-{}", now / 1000, alg.as_str().to_ascii_lowercase(), &crypto::sha256_hex(n.as_bytes())[..12]);
    Ok((kid, secret, n, e))
}

async fn insert_key(tx: &mut db::WriteTx, now: i64, alg: Alg, wrap: &Wrap) -> Result<String, Error> {
    let (kid, secret, n, e) = generate(now, alg)?;
    sqlx::query("INSERT INTO sso_keys (kid, private_pem, n, e, created_at, alg) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(&kid)
        .bind(wrap.store(&secret))
        .bind(n)
        .bind(e)
        .bind(now)
        .bind(alg.as_str())
        .execute(&mut **tx)
        .await?;
    Ok(kid)
}

/// Add new signing keys (one of each algorithm) and retire the current ones.
/// Returns the new RS256 key id.
#[tracing::instrument(skip_all)]
pub async fn rotate(db: &Db, now: i64, wrap: &Wrap) -> Result<String, Error> {
    // The new keys must be readable by the servers: sealed with the key the
    // others are sealed with, or in the clear only where no key is used.
    let current: Vec<(String, String)> =
        sqlx::query_as("SELECT kid, private_pem FROM sso_keys WHERE retired_at IS NULL").fetch_all(db.pool()).await?;
    for (kid, stored) in &current {
        wrap.open(kid, stored)?;
    }
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE sso_keys SET retired_at = $1 WHERE retired_at IS NULL").bind(now).execute(&mut *tx).await?;
    let kid = insert_key(&mut tx, now, Alg::Rs256, wrap).await?;
    insert_key(&mut tx, now, Alg::Es256, wrap).await?;
    tx.commit().await?;
    Ok(kid)
}

/// Add a key for each algorithm that has no current one (a first start, or a
/// database from before ES256 access tokens).
async fn ensure_current(db: &Db, now: i64, keys: &[Key], wrap: &Wrap) -> Result<bool, Error> {
    let missing: Vec<Alg> = [Alg::Rs256, Alg::Es256]
        .into_iter()
        .filter(|a| !keys.iter().any(|k| k.alg == *a && k.retired_at.is_none()))
        .collect();
    if missing.is_empty() {
        return Ok(false);
    }
    let mut tx = db.begin_write().await?;
    for alg in missing {
        let kid = insert_key(&mut tx, now, alg, wrap).await?;
        tracing::info!(kid, alg = alg.as_str(), "created a signing key");
    }
    tx.commit().await?;
    Ok(true)
}

/// Seal every key still stored in the clear, when there is a wrapping key.
/// Returns whether a current (unretired) key was among them.
async fn seal_clear_keys(db: &Db, wrap: &Wrap) -> Result<bool, Error> {
    if wrap.0.is_none() {
        return Ok(false);
    }
    let clear: Vec<(String, String, Option<i64>)> =
        sqlx::query_as("SELECT kid, private_pem, retired_at FROM sso_keys WHERE private_pem NOT LIKE 'sealed:%'")
            .fetch_all(db.pool())
            .await?;
    if clear.is_empty() {
        return Ok(false);
    }
    let mut tx = db.begin_write().await?;
    for (kid, pem, _) in &clear {
        sqlx::query("UPDATE sso_keys SET private_pem = $1 WHERE kid = $2 AND private_pem = $3")
            .bind(wrap.store(pem))
            .bind(kid)
            .bind(pem)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    tracing::info!(keys = clear.len(), "sealed the signing keys stored in the clear with the secrets key");
    Ok(clear.iter().any(|(_, _, retired)| retired.is_none()))
}

async fn read_keys(db: &Db, now: i64, known: &[Key], wrap: &Wrap) -> Result<Vec<Key>, Error> {
    let rows: Vec<(String, String, String, String, i64, Option<i64>, String)> = sqlx::query_as(
        "SELECT kid, private_pem, n, e, created_at, retired_at, alg FROM sso_keys \
         WHERE retired_at IS NULL OR retired_at > $1 ORDER BY created_at DESC",
    )
    .bind(now - PUBLISH_AFTER_RETIRE_MS)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(kid, pem, n, e, created_at, retired_at, alg)| {
            let unreadable = |e: String| Error::Internal(format!("stored key {kid} is unreadable: {e}"));
            let alg = Alg::parse(&alg).ok_or_else(|| unreadable(format!("unknown algorithm {alg}")))?;
            let material = match known.iter().find(|k| k.kid == kid) {
                Some(k) => k.material.clone(),
                None => std::sync::Arc::new(match (alg, wrap.open(&kid, &pem)?) {
                    (Alg::Rs256, pem) => {
                        let private = RsaPrivateKey::from_pkcs8_pem(&pem).map_err(|e| unreadable(e.to_string()))?;
                        let der = private.to_pkcs8_der().map_err(|e| unreadable(e.to_string()))?;
                        let signer = RsaKeyPair::from_pkcs8(der.as_bytes()).map_err(|e| unreadable(e.to_string()))?;
                        let public = RsaPublicKey::from(&private);
                        Material::Rsa { signer, n_bytes: public.n().to_bytes_be(), e_bytes: public.e().to_bytes_be() }
                    }
                    (Alg::Es256, pem) => {
                        let der = crypto::b64url_decode(&pem).ok_or_else(|| unreadable("not base64url".into()))?;
                        let rng = ring::rand::SystemRandom::new();
                        let signer = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &der, &rng)
                            .map_err(|e| unreadable(e.to_string()))?;
                        let public = signer.public_key().as_ref().to_vec();
                        Material::Ec { signer, public }
                    }
                }),
            };
            Ok(Key { kid, alg, material, n, e, created_at, retired_at })
        })
        .collect()
}

impl KeyRing {
    /// Load the keys, creating the first one on an empty database.
    /// With a wrapping key, keys stored in the clear (from before one was
    /// set) are sealed now.
    /// Copies of the database made before (backups, logs) still hold those
    /// keys in the clear, so the current ones are then also rotated: the
    /// old stay published until their tokens expire, and sign nothing new
    /// once the new keys have been published for long enough.
    pub async fn load(db: &Db, now: i64, wrap: Wrap) -> Result<Self, Error> {
        if seal_clear_keys(db, &wrap).await? {
            let kid = rotate(db, now, &wrap).await?;
            tracing::info!(kid, "rotated the signing keys that had been kept in the clear");
        }
        let mut keys = read_keys(db, now, &[], &wrap).await?;
        if ensure_current(db, now, &keys, &wrap).await? {
            keys = read_keys(db, now, &keys, &wrap).await?;
        }
        Ok(Self { state: RwLock::new(Loaded { keys, loaded_at: now }), wrap })
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
        let keys = read_keys(db, now, &known, &self.wrap).await?;
        if [Alg::Rs256, Alg::Es256].iter().all(|a| keys.iter().any(|k| k.alg == *a && k.retired_at.is_none())) {
            let mut s = self.state.write().unwrap_or_else(|e| e.into_inner());
            s.keys = keys;
        }
        Ok(())
    }

    /// Sign claims as a compact JWS with `alg`, using the newest key of that
    /// algorithm that has been published long enough (or, on a first start,
    /// the only one).
    pub fn sign(&self, alg: Alg, typ: &str, claims: &Value, now: i64) -> Result<String, Error> {
        // Take the key out of the lock: an RSA signature takes most of a millisecond.
        let key = {
            let s = self.state.read().unwrap_or_else(|e| e.into_inner());
            let of_alg = || s.keys.iter().filter(|k| k.alg == alg);
            of_alg()
                .filter(|k| k.created_at <= now - PUBLISH_BEFORE_USE_MS)
                .max_by_key(|k| k.created_at)
                .or_else(|| of_alg().max_by_key(|k| k.created_at))
                .cloned()
                .ok_or_else(|| Error::Internal(format!("no {} signing key", alg.as_str())))?
        };
        let header = json!({"alg": alg.as_str(), "typ": typ, "kid": key.kid});
        let signing_input = format!(
            "{}.{}",
            crypto::b64url(header.to_string().as_bytes()),
            crypto::b64url(claims.to_string().as_bytes())
        );
        let rng = ring::rand::SystemRandom::new();
        let sig = match &*key.material {
            Material::Rsa { signer, .. } => {
                let mut sig = vec![0u8; signer.public().modulus_len()];
                signer
                    .sign(&RSA_PKCS1_SHA256, &rng, signing_input.as_bytes(), &mut sig)
                    .map_err(|_| Error::Internal("RSA signing failed".into()))?;
                sig
            }
            Material::Ec { signer, .. } => signer
                .sign(&rng, signing_input.as_bytes())
                .map_err(|_| Error::Internal("ECDSA signing failed".into()))?
                .as_ref()
                .to_vec(),
        };
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
        let alg = Alg::parse(header.get("alg")?.as_str()?)?;
        let kid = header.get("kid")?.as_str()?;
        let s = self.state.read().unwrap_or_else(|e| e.into_inner());
        // The key must be of the algorithm the header names: no confusion.
        let key = s.keys.iter().find(|k| k.kid == kid && k.alg == alg)?.clone();
        drop(s);
        let sig = crypto::b64url_decode(sig)?;
        let input = format!("{h}.{c}");
        match &*key.material {
            Material::Rsa { n_bytes, e_bytes, .. } => {
                let public = RsaPublicKeyComponents { n: n_bytes, e: e_bytes };
                public.verify(&RSA_PKCS1_2048_8192_SHA256, input.as_bytes(), &sig).ok()?;
            }
            Material::Ec { public, .. } => {
                UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, public).verify(input.as_bytes(), &sig).ok()?;
            }
        }
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
            .map(|k| match k.alg {
                Alg::Rs256 => json!({"kty": "RSA", "use": "sig", "alg": "RS256", "kid": k.kid, "n": k.n, "e": k.e}),
                Alg::Es256 => {
                    json!({"kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": k.kid, "x": k.n, "y": k.e})
                }
            })
            .collect();
        json!({ "keys": keys })
    }
}
