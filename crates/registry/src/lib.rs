//! The vehicle registry: the agency's service (TIMS's role).
//!
//! `registry` owns the `reg_*` tables: the people and organisations it has
//! met, vehicles and their owners, transfers and their timelines, consents,
//! codes for actions on transfers, payments, logbooks, fee schedules and
//! gazetted holidays, and its outbox. It signs people in through OpenID
//! Connect with the built-in sign-on or any other provider, always over the
//! network (HTTP or HTTPS), never by calling the sign-on's code; it
//! takes Bearer access tokens on its JSON API, and sends SMS, takes payments
//! and keeps scanned logbooks through small interfaces with development
//! adapters. The rules it applies (identifiers, fees, working days, the
//! transfer state machine) come from `domain`; it knows nothing of the
//! sign-on's tables.

pub mod codes;
pub mod demo;
pub mod error;
pub mod http;
pub mod idempotency;
pub mod jobs;
pub mod journal;
pub mod outbox;
pub mod paging;
pub mod parties;
pub mod payments;
pub mod reference;
pub mod scans;
pub mod signin;
pub mod transfers;
pub mod uploads;
pub mod vehicles;

use std::sync::{Arc, RwLock};

use adapters::sms::SmsSender;
use db::{Clock, Db};
use domain::fees::{FeeSchedule, FeeSchedules};
use domain::workdays::Calendar;

pub use error::{Error, FieldErrors};

/// How the registry reaches its OpenID Connect provider.
#[derive(Clone)]
pub struct OidcSettings {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// Audiences (client ids) whose JWT access tokens the API accepts.
    pub api_audiences: Vec<String>,
}

/// Never prints the client secret.
impl std::fmt::Debug for OidcSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcSettings")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("api_audiences", &self.api_audiences)
            .finish()
    }
}

#[derive(Debug, Clone)]
pub struct RegistryConfig {
    /// The public address, without a trailing slash.
    pub public_url: String,
    pub oidc: OidcSettings,
    /// Days after which a transfer no one completes expires.
    pub transfer_expiry_days: u32,
    /// Days the registry keeps trying to have a refresh token it let go of
    /// revoked (the life of the provider's refresh tokens).
    pub revocation_give_up_days: u32,
    /// Offices where logbooks are collected.
    pub offices: Vec<String>,
    /// Seconds a payment request may go without the gateway's callback
    /// before the gateway is asked about it (and between such questions).
    pub payment_query_after_secs: u32,
    /// Seconds after which a payment request no one can get an answer for
    /// is given up on (staff see it; a late callback still settles it).
    pub payment_give_up_secs: u32,
    /// The pepper of SMS codes, when the operator derives it from a key kept
    /// outside the database; `None` keeps it in the database.
    pub code_pepper: Option<SecretBytes>,
    /// The key page sessions' refresh tokens are sealed under, derived from
    /// the operator's secrets key; `None` stores them in the clear.
    pub token_seal_key: Option<SecretBytes>,
    /// The secret in the addresses M-Pesa posts paybill payments to
    /// (`/payments/c2b/{validation,confirmation}/{secret}`); `None` answers
    /// every such post 404.
    pub c2b_secret: Option<SecretBytes>,
}

/// Key material that never shows in `Debug` output or logs.
#[derive(Clone)]
pub struct SecretBytes(pub Vec<u8>);

impl std::fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

impl RegistryConfig {
    pub fn redirect_uri(&self) -> String {
        format!("{}/signin/callback", self.public_url)
    }
}

/// The outside world, as the registry sees it.
#[derive(Clone, Debug)]
pub struct Adapters {
    pub sms: Arc<dyn SmsSender>,
    pub payments: Arc<dyn payments::Payments>,
    pub store: Arc<dyn scans::BlobStore>,
}

struct Inner {
    db: Db,
    clock: Arc<dyn Clock>,
    cfg: RegistryConfig,
    adapters: Adapters,
    http: reqwest::Client,
    provider: tokio::sync::Mutex<Option<oidc_rp::Provider>>,
    rules: RwLock<Rules>,
    outbox_wake: tokio::sync::Notify,
    pepper: Vec<u8>,
    tokens: signin::TokenCache,
}

/// Fee schedules and the holiday calendar, re-read from the database a
/// minute after the last read so an operator's change reaches every node.
struct Rules {
    fees: Arc<FeeSchedules>,
    calendar: Arc<Calendar>,
    loaded_at: i64,
}

const RULES_RELOAD_MS: i64 = 60_000;

#[derive(Clone)]
pub struct Registry(Arc<Inner>);

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry").field("public_url", &self.0.cfg.public_url).finish_non_exhaustive()
    }
}

impl Registry {
    /// Start the registry on a migrated database: load the default fee
    /// schedule on an empty table, and read the rules.
    pub async fn start(db: Db, clock: Arc<dyn Clock>, cfg: RegistryConfig, adapters: Adapters) -> Result<Self, Error> {
        let now = clock.now_ms();
        let pepper = match &cfg.code_pepper {
            Some(p) => {
                // One kept before a key was set is of no use any more.
                forget_secret(&db, "code_pepper").await?;
                p.0.clone()
            }
            None => load_or_create_secret(&db, "code_pepper", now).await?.into_bytes(),
        };
        ensure_defaults(&db, now).await?;
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::Internal(format!("HTTP client: {e}")))?;
        let (fees, calendar) = read_rules(&db).await?;
        let inner = Inner {
            db,
            clock,
            cfg,
            adapters,
            http,
            provider: tokio::sync::Mutex::new(None),
            rules: RwLock::new(Rules { fees: Arc::new(fees), calendar: Arc::new(calendar), loaded_at: now }),
            outbox_wake: tokio::sync::Notify::new(),
            pepper,
            tokens: signin::TokenCache::default(),
        };
        let reg = Self(Arc::new(inner));
        signin::revocation::seal_clear_tokens(&reg).await?;
        Ok(reg)
    }

    pub fn db(&self) -> &Db {
        &self.0.db
    }

    pub fn now_ms(&self) -> i64 {
        self.0.clock.now_ms()
    }

    pub fn clock(&self) -> &dyn Clock {
        &*self.0.clock
    }

    pub fn config(&self) -> &RegistryConfig {
        &self.0.cfg
    }

    pub fn adapters(&self) -> &Adapters {
        &self.0.adapters
    }

    pub(crate) fn pepper(&self) -> &[u8] {
        &self.0.pepper
    }

    pub(crate) fn token_cache(&self) -> &signin::TokenCache {
        &self.0.tokens
    }

    /// Wake the outbox worker after a commit that queued messages.
    pub fn wake_outbox(&self) {
        self.0.outbox_wake.notify_one();
    }

    pub(crate) fn outbox_wake(&self) -> &tokio::sync::Notify {
        &self.0.outbox_wake
    }

    /// The provider, discovered on first use (and again after a failure, so
    /// a provider that was down at start is picked up when it answers).
    pub async fn provider(&self) -> Result<oidc_rp::Provider, Error> {
        let mut slot = self.0.provider.lock().await;
        if let Some(p) = slot.as_ref() {
            return Ok(p.clone());
        }
        let o = &self.0.cfg.oidc;
        let cfg = oidc_rp::ClientConfig {
            issuer: o.issuer.clone(),
            client_id: o.client_id.clone(),
            client_secret: oidc_rp::Secret::new(o.client_secret.clone()),
            redirect_uri: self.0.cfg.redirect_uri(),
            // offline_access: a refresh token, with which a page session
            // re-reads the person's claims (see signin::from_session).
            scopes: ["openid", "profile", "phone", "organisations", "offline_access"].map(String::from).to_vec(),
        };
        let p = oidc_rp::Provider::discover(self.0.http.clone(), cfg).await.map_err(|e| {
            tracing::warn!(error = %e, "the sign-on provider could not be reached");
            Error::Unavailable(texts::Text::render(&texts::Refusal::ServiceUnreachable, crate::parties::NO_PARTY_LANG))
        })?;
        *slot = Some(p.clone());
        Ok(p)
    }

    /// The fee schedules and the calendar in force, re-read when stale.
    pub async fn rules(&self) -> Result<(Arc<FeeSchedules>, Arc<Calendar>), Error> {
        let now = self.now_ms();
        {
            let r = self.0.rules.read().unwrap_or_else(|e| e.into_inner());
            if now - r.loaded_at < RULES_RELOAD_MS {
                return Ok((r.fees.clone(), r.calendar.clone()));
            }
        }
        self.reload_rules().await
    }

    /// Re-read fee schedules and holidays now (after an operator's change).
    pub async fn reload_rules(&self) -> Result<(Arc<FeeSchedules>, Arc<Calendar>), Error> {
        let (fees, calendar) = read_rules(&self.0.db).await?;
        let mut r = self.0.rules.write().unwrap_or_else(|e| e.into_inner());
        *r = Rules { fees: Arc::new(fees), calendar: Arc::new(calendar), loaded_at: self.now_ms() };
        Ok((r.fees.clone(), r.calendar.clone()))
    }
}

/// Load the default fee schedule (the seed's, as gazetted in 2018) into an
/// empty table, so a new database prices transfers from the start.
pub async fn ensure_defaults(db: &Db, now: i64) -> Result<(), Error> {
    let have: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM reg_fee_schedules").fetch_one(db.pool()).await?;
    if have == 0 {
        store_fee_schedule(db, &FeeSchedule::kenya_2018(), now).await?;
    }
    Ok(())
}

/// The fee schedules and the holiday calendar as stored.
pub async fn read_rules(db: &Db) -> Result<(FeeSchedules, Calendar), Error> {
    let bodies: Vec<String> =
        sqlx::query_scalar("SELECT body FROM reg_fee_schedules ORDER BY effective_from").fetch_all(db.pool()).await?;
    let mut schedules = vec![];
    for b in bodies {
        let s: FeeSchedule = serde_json::from_str(&b)
            .map_err(|e| Error::Internal(format!("a stored fee schedule is unreadable: {e}")))?;
        schedules.push(s);
    }
    let fees = FeeSchedules::new(schedules).map_err(|e| Error::Internal(format!("stored fee schedules: {e}")))?;
    let mut calendar = Calendar::kenya();
    let days: Vec<(String, String)> = sqlx::query_as("SELECT day, name FROM reg_holidays").fetch_all(db.pool()).await?;
    for (day, name) in days {
        let d = domain::Date::parse(&day).map_err(|e| Error::Internal(format!("stored holiday {day}: {e}")))?;
        calendar.add_extra(d, name);
    }
    Ok((fees, calendar))
}

/// A secret of the registry's, created on first use (insert-if-absent then
/// read, so concurrent first starts agree).
pub async fn load_or_create_secret(db: &Db, name: &str, now: i64) -> Result<String, Error> {
    let fresh = secure::hex(&secure::random_bytes::<32>());
    db.execute_write(
        sqlx::query(
            "INSERT INTO reg_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(&fresh)
        .bind(now),
    )
    .await?;
    Ok(sqlx::query_scalar("SELECT value FROM reg_secrets WHERE name = $1").bind(name).fetch_one(db.pool()).await?)
}

/// Forget a secret of the registry's kept in the database (one the operator
/// now derives from a key kept outside it).
pub async fn forget_secret(db: &Db, name: &str) -> Result<(), Error> {
    db.execute_write(sqlx::query("DELETE FROM reg_secrets WHERE name = $1").bind(name)).await?;
    Ok(())
}

/// Load a fee schedule (validated; a version is loaded once).
pub async fn store_fee_schedule(db: &Db, s: &FeeSchedule, now: i64) -> Result<(), Error> {
    s.validate().map_err(|e| FieldErrors::single("schedule", e.to_string()))?;
    let body = serde_json::to_string(s).map_err(|e| Error::Internal(e.to_string()))?;
    let r = db
        .execute_write(
            sqlx::query(
                "INSERT INTO reg_fee_schedules (version, effective_from, body, loaded_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (version) DO NOTHING",
            )
            .bind(&s.version)
            .bind(s.effective_from.to_string())
            .bind(body)
            .bind(now),
        )
        .await?;
    if r.rows_affected() == 0 {
        return Err(FieldErrors::single("version", format!("A schedule with version {} is already loaded", s.version)));
    }
    Ok(())
}

/// Add a gazetted public holiday.
pub async fn add_holiday(db: &Db, day: domain::Date, name: &str, now: i64) -> Result<bool, Error> {
    let name = name.trim();
    if name.is_empty() || name.len() > 80 {
        return Err(FieldErrors::single("name", "Give the holiday's name, at most 80 characters"));
    }
    let r = db
        .execute_write(
            sqlx::query(
                "INSERT INTO reg_holidays (day, name, added_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (day) DO UPDATE SET name = excluded.name",
            )
            .bind(day.to_string())
            .bind(name)
            .bind(now),
        )
        .await?;
    Ok(r.rows_affected() > 0)
}
