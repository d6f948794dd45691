//! The national sign-on (eCitizen's role in the seeds).
//!
//! `sso` owns the people who sign in and everything about proving who they
//! are: accounts of citizens, residents and foreigners checked against the
//! population register, verified phones, SMS one-time codes, sign-in with
//! growing delays after repeated failures (never a block the owner cannot
//! undo at once), self-service recovery,
//! sessions, organisations added by KRA PIN with their members' roles, and an
//! OpenID Connect provider that tells relying parties all of this in signed
//! tokens. It owns the `sso_*` tables. It knows nothing of vehicles: the
//! registry reaches it only through OpenID Connect over HTTP.
//!
//! Inside, by what people and relying parties do: `accounts/` (register,
//! sign in, recover, preferences), `orgs`, `oidc/` (the provider: clients,
//! authorize, token, claims, logout, discovery), `grants` (what a sign-in
//! gave a relying party, which accounts and `oidc` both revoke) and
//! `http/` (pages and the protocol's framing), with `sessions`, `keys`,
//! `limits`, `outbox` and `worker` beside them.

pub mod accounts;
pub mod crypto;
pub mod demo;
pub mod error;
pub mod grants;
pub mod http;
pub mod jobs;
pub mod keys;
pub mod limits;
pub mod oidc;
pub mod orgs;
pub mod outbox;
pub mod registers;
pub mod sessions;
pub use adapters::sms;
pub mod worker;

use std::sync::Arc;

use db::{Clock, Db};
use serde::Deserialize;

pub use error::{Error, FieldErrors};

/// A client (relying party) registered by configuration.
#[derive(Clone, Deserialize)]
pub struct ClientConfig {
    pub id: String,
    pub secret: String,
    #[serde(default)]
    pub name: Option<String>,
    pub redirect_uris: Vec<String>,
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
    /// Whether the client may call the registry's API: its access tokens
    /// then name the API ([`oidc::API_AUDIENCE`]) in `aud` beside its id.
    #[serde(default)]
    pub api: bool,
}

impl std::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientConfig")
            .field("id", &self.id)
            .field("secret", &"[redacted]")
            .field("redirect_uris", &self.redirect_uris)
            .field("api", &self.api)
            .finish()
    }
}

/// What the sign-on needs to know of its deployment.
#[derive(Debug, Clone)]
pub struct SsoConfig {
    /// The issuer: the public address plus `/sso`, without a trailing slash.
    pub issuer: String,
    /// Show the development SMS page (`/sso/dev/sms`). Never in production.
    pub dev_pages: bool,
    pub clients: Vec<ClientConfig>,
    /// The code pepper and the sealing key of authorization codes, when the
    /// operator derives them from a key kept outside the database; `None`
    /// keeps them in the database, made on first start.
    pub keyed: Option<KeyedSecrets>,
    /// Per-source, per-node and hashing limits (see [`limits`]).
    pub limits: limits::LimitsConfig,
    /// Behind a proxy, the header in which it appends the client's address
    /// (for example `X-Forwarded-For`); the last address in it is taken.
    /// Unset: the connection's peer address.
    pub client_ip_header: Option<String>,
    /// The home page of the vehicle registry, the service its built-in
    /// client is: the account page and the pages ending a journey link
    /// back to it. `None` links nowhere.
    pub registry_url: Option<String>,
}

/// Secrets given to the sign-on rather than kept in its database.
#[derive(Clone)]
pub struct KeyedSecrets {
    pub code_pepper: Vec<u8>,
    pub code_seal_key: Vec<u8>,
    /// Seals the signing keys in the database (see [`keys::Wrap`]).
    pub signing_key_wrap: Vec<u8>,
}

impl std::fmt::Debug for KeyedSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyedSecrets([redacted])")
    }
}

/// The outside systems the sign-on talks to.
#[derive(Debug, Clone)]
pub struct Adapters {
    pub sms: Arc<dyn sms::SmsSender>,
    pub population: Arc<dyn registers::PopulationRegister>,
    pub kra: Arc<dyn registers::KraRegister>,
    /// Set when `sms` is the development sink, so its page can read it.
    pub dev_sms: Option<Arc<sms::DevSmsSink>>,
}

/// The sign-on: its storage, clock, adapters and signing keys. Cheap to clone.
#[derive(Clone)]
pub struct Sso {
    inner: Arc<Inner>,
}

/// Never prints the pepper or the code key.
impl std::fmt::Debug for Sso {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sso").field("issuer", &self.inner.cfg.issuer).finish_non_exhaustive()
    }
}

struct Inner {
    db: Db,
    clock: Arc<dyn Clock>,
    cfg: SsoConfig,
    adapters: Adapters,
    pepper: Vec<u8>,
    /// Seals authorization codes (see `oidc::authorize`).
    code_key: Vec<u8>,
    keys: keys::KeyRing,
    clients: oidc::ClientCache,
    outbox_wake: tokio::sync::Notify,
    limits: limits::Limits,
}

impl Sso {
    /// Load (or on first start create) the code pepper and the signing key,
    /// and register the configured clients. Migrations must have run.
    pub async fn start(db: Db, clock: Arc<dyn Clock>, cfg: SsoConfig, adapters: Adapters) -> Result<Self, Error> {
        let now = clock.now_ms();
        let (pepper, code_key) = match &cfg.keyed {
            Some(k) => {
                // Those kept before a key was set are of no use any more.
                db.execute_write(sqlx::query("DELETE FROM sso_secrets WHERE name IN ('code_pepper', 'code_seal_key')"))
                    .await?;
                (k.code_pepper.clone(), k.code_seal_key.clone())
            }
            None => (
                load_or_create_secret(&db, "code_pepper", now).await?,
                load_or_create_secret(&db, "code_seal_key", now).await?,
            ),
        };
        let wrap = keys::Wrap(cfg.keyed.as_ref().map(|k| k.signing_key_wrap.clone()));
        let keys = keys::KeyRing::load(&db, now, wrap).await?;
        for c in &cfg.clients {
            oidc::upsert_configured_client(&db, c, now).await?;
        }
        let limits = limits::Limits::new(cfg.limits);
        Ok(Self {
            inner: Arc::new(Inner {
                limits,
                db,
                clock,
                cfg,
                adapters,
                pepper,
                code_key,
                keys,
                clients: oidc::ClientCache::default(),
                outbox_wake: tokio::sync::Notify::new(),
            }),
        })
    }

    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    pub fn now_ms(&self) -> i64 {
        self.inner.clock.now_ms()
    }

    pub fn clock(&self) -> &dyn Clock {
        &*self.inner.clock
    }

    pub fn config(&self) -> &SsoConfig {
        &self.inner.cfg
    }

    pub fn adapters(&self) -> &Adapters {
        &self.inner.adapters
    }

    pub(crate) fn pepper(&self) -> &[u8] {
        &self.inner.pepper
    }

    pub(crate) fn code_key(&self) -> &[u8] {
        &self.inner.code_key
    }

    pub(crate) fn client_cache(&self) -> &oidc::ClientCache {
        &self.inner.clients
    }

    pub fn limits(&self) -> &limits::Limits {
        &self.inner.limits
    }

    pub(crate) fn keys(&self) -> &keys::KeyRing {
        &self.inner.keys
    }

    /// Wake the outbox worker after a commit that queued messages.
    pub(crate) fn wake_outbox(&self) {
        self.inner.outbox_wake.notify_one();
    }

    pub(crate) fn outbox_wake(&self) -> &tokio::sync::Notify {
        &self.inner.outbox_wake
    }
}

pub async fn load_or_create_secret(db: &Db, name: &str, now: i64) -> Result<Vec<u8>, Error> {
    let fresh = crypto::hex(&crypto::random_bytes::<32>());
    // Insert-if-absent then read, so concurrent first starts agree.
    db.execute_write(
        sqlx::query(
            "INSERT INTO sso_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(&fresh)
        .bind(now),
    )
    .await?;
    let value: String =
        sqlx::query_scalar("SELECT value FROM sso_secrets WHERE name = $1").bind(name).fetch_one(db.pool()).await?;
    Ok(value.into_bytes())
}
