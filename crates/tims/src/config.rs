//! Configuration: defaults, then an optional TOML file, then `TIMS_…`
//! environment variables, then command-line flags. Secrets are wrapped so
//! that they never reach a log.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

mod sms;
pub use sms::SmsSection;

/// A value that must never be printed (one type for every part of tims).
pub use secure::Secret;

mod mpesa;
pub use mpesa::MpesaSection;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Directory for the SQLite database and uploads.
    pub data: PathBuf,
    /// `sqlite://…` or `postgres://…`; default: SQLite in `data`.
    pub database_url: Option<Secret>,
    /// The address people and relying parties reach tims at.
    pub public_url: String,
    /// Refuse development adapters and insecure settings.
    pub production: bool,
    /// `text` or `json`.
    pub log_format: String,
    /// Create demo data on an empty database (never in production).
    pub demo_data: bool,
    /// Pool size; 0 (the default) picks one for the backend.
    pub database_max_connections: u32,
    /// The key the keyed secrets (the code peppers, the sealing key of
    /// authorization codes, the built-in registry client's secret) are
    /// derived from, and the sign-on's signing keys are sealed with in the
    /// database, kept outside it so that a copy of the database alone holds
    /// none of them. Unset: they are generated once and kept in the
    /// database (development only; production requires it).
    pub secrets_key: Option<Secret>,
    /// A second address serving only `/metrics`; the main port then has
    /// none.
    pub metrics_listen: Option<SocketAddr>,
    /// A bearer token `/metrics` asks for. Without one (and without
    /// `metrics_listen`), production serves no metrics.
    pub metrics_token: Option<Secret>,
    pub http: HttpSection,
    pub uploads: UploadsSection,
    pub sso: SsoSection,
    pub registry: RegistrySection,
    /// The payment gateway; unset, the development payer.
    pub mpesa: MpesaSection,
    pub sms: SmsSection,
}

/// Where scanned logbooks are kept: the data directory's `uploads` folder
/// (one node, development), or an S3-compatible bucket every node shares.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UploadsSection {
    pub s3_bucket: Option<String>,
    /// For a store other than Amazon S3: its address (`https://…`).
    pub s3_endpoint: Option<String>,
    pub s3_region: Option<String>,
    pub s3_access_key_id: Option<String>,
    pub s3_secret_access_key: Option<Secret>,
    /// Keys go under this prefix in the bucket.
    pub s3_prefix: Option<String>,
}

impl UploadsSection {
    /// The bucket's settings, if one is set; a bucket without its keys is
    /// an error that names what is missing.
    pub fn s3(&self) -> Result<Option<registry::scans::S3Settings>, ConfigError> {
        let Some(bucket) = self.s3_bucket.clone().filter(|b| !b.is_empty()) else { return Ok(None) };
        let missing = |what: &str| ConfigError::Invalid(format!("uploads.s3_bucket is set but {what} is not"));
        Ok(Some(registry::scans::S3Settings {
            bucket,
            endpoint: self.s3_endpoint.clone().filter(|e| !e.is_empty()),
            region: self.s3_region.clone().unwrap_or_else(|| "us-east-1".into()),
            access_key_id: self
                .s3_access_key_id
                .clone()
                .ok_or_else(|| missing("s3_access_key_id (TIMS_S3_ACCESS_KEY_ID)"))?,
            secret_access_key: self
                .s3_secret_access_key
                .as_ref()
                .map(|s| s.expose().to_string())
                .ok_or_else(|| missing("s3_secret_access_key (TIMS_S3_SECRET_ACCESS_KEY)"))?,
            prefix: self.s3_prefix.clone().unwrap_or_default(),
        }))
    }
}

/// The HTTP server's limits, so that slow or silent clients cannot hold
/// connections for good.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpSection {
    /// Connections served at once; more wait to be accepted.
    #[serde(deserialize_with = "at_least_one")]
    pub max_connections: usize,
    /// Longest time from a request's first byte to the end of its head.
    #[serde(rename = "header_timeout_secs", deserialize_with = "seconds")]
    pub header_timeout: Duration,
    /// Longest pause in a request body (then answered 408), or in the
    /// client's taking of a response.
    #[serde(rename = "body_timeout_secs", deserialize_with = "seconds")]
    pub body_timeout: Duration,
    /// How long a kept-alive connection waits for its next request; longer
    /// than the idle timeout of a proxy in front, which reuses connections.
    #[serde(rename = "idle_timeout_secs", deserialize_with = "seconds")]
    pub idle_timeout: Duration,
}

impl Default for HttpSection {
    fn default() -> Self {
        Self {
            max_connections: 10_000,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(75),
        }
    }
}

fn at_least_one<'de, D: serde::Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    match usize::deserialize(d)? {
        0 => Err(serde::de::Error::custom("use a whole number from 1")),
        n => Ok(n),
    }
}

fn seconds<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let secs = u64::deserialize(d)?;
    if !(1..=3600).contains(&secs) {
        return Err(serde::de::Error::custom("use a whole number of seconds from 1 to 3600"));
    }
    Ok(Duration::from_secs(secs))
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct SsoSection {
    pub clients: Vec<sso::ClientConfig>,
    /// Base URL of the population register's HTTP interface; unset means
    /// the development register.
    pub population_register_url: Option<String>,
    pub population_register_token: Option<Secret>,
    /// Base URL of the KRA PIN register's HTTP interface; unset means the
    /// development register.
    pub kra_register_url: Option<String>,
    pub kra_register_token: Option<Secret>,
    /// Requests that send an SMS from one source address in 15 minutes.
    pub sms_per_source: Option<u32>,
    /// Requests that send an SMS on one node in a minute, from everyone.
    pub sms_per_minute: Option<u32>,
    /// Password attempts from one source address in a minute.
    pub passwords_per_source: Option<u32>,
    /// Password checks one source address may have under way at once.
    pub password_checks_per_source: Option<u32>,
    /// Behind a proxy: the header it appends the client's address to.
    pub client_ip_header: Option<String>,
}

impl SsoSection {
    /// The sign-on's limits: the defaults, with what is set here.
    pub fn limits(&self) -> sso::limits::LimitsConfig {
        let d = sso::limits::LimitsConfig::default();
        sso::limits::LimitsConfig {
            sms_per_source: self.sms_per_source.unwrap_or(d.sms_per_source),
            sms_per_minute: self.sms_per_minute.unwrap_or(d.sms_per_minute),
            passwords_per_source: self.passwords_per_source.unwrap_or(d.passwords_per_source),
            hashes_per_source: self.password_checks_per_source.map_or(d.hashes_per_source, |n| n as usize),
            ..d
        }
    }
}

/// The registry's settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RegistrySection {
    /// The OpenID Connect provider's issuer; by default the built-in sign-on
    /// (the public address plus `/sso`), reached over HTTP like any other.
    pub oidc_issuer: Option<String>,
    pub oidc_client_id: String,
    /// Needed for an outside provider; for the built-in one it is generated
    /// and registered at start when not given.
    pub oidc_client_secret: Option<Secret>,
    /// Client ids whose JWT access tokens the API accepts (besides the
    /// registry's own).
    pub api_audiences: Vec<String>,
    pub transfer_expiry_days: u32,
    /// How long the registry keeps trying to have a refresh token it let go
    /// of revoked at the provider: the life of the provider's refresh
    /// tokens (30 days at the built-in sign-on).
    pub revocation_give_up_days: u32,
    /// Offices where new logbooks are collected.
    pub offices: Vec<String>,
    /// Seconds a payment request may go without the gateway's callback
    /// before the gateway is asked about it.
    pub payment_query_after_secs: u32,
    /// Seconds after which an unanswered payment request is given up on.
    pub payment_give_up_secs: u32,
}

impl Default for RegistrySection {
    fn default() -> Self {
        Self {
            oidc_issuer: None,
            oidc_client_id: "tims-registry".into(),
            oidc_client_secret: None,
            api_audiences: vec![sso::oidc::API_AUDIENCE.into()],
            transfer_expiry_days: domain::transfer::DEFAULT_EXPIRY_DAYS,
            revocation_give_up_days: 30,
            offices: ["Nairobi (Likoni Road)", "Mombasa", "Kisumu", "Nakuru", "Eldoret", "Nyeri"]
                .map(String::from)
                .to_vec(),
            payment_query_after_secs: 60,
            payment_give_up_secs: 15 * 60,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data: PathBuf::from("./data"),
            database_url: None,
            public_url: "http://localhost:8080".into(),
            production: false,
            log_format: "text".into(),
            demo_data: true,
            secrets_key: None,
            database_max_connections: 0,
            metrics_listen: None,
            metrics_token: None,
            http: HttpSection::default(),
            uploads: UploadsSection::default(),
            sso: SsoSection::default(),
            registry: RegistrySection::default(),
            mpesa: MpesaSection::default(),
            sms: SmsSection::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("the configuration file {path} is not valid: {message}")]
    Parse { path: String, message: String },
    #[error("{name} is not valid: {message}")]
    Env { name: String, message: String },
    #[error("{0}")]
    Invalid(String),
}

impl Config {
    /// Defaults, overlaid by the TOML file (if any) and the environment.
    pub fn load(file: Option<&std::path::Path>) -> Result<Self, ConfigError> {
        let mut cfg = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|source| ConfigError::Read { path: path.display().to_string(), source })?;
                toml::from_str(&text).map_err(|e| ConfigError::Parse {
                    path: path.display().to_string(),
                    message: e.message().to_string(),
                })?
            }
            None => Config::default(),
        };
        cfg.apply_env(|k| std::env::var(k).ok())?;
        Ok(cfg)
    }

    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        let bad = |name: &str, message: String| ConfigError::Env { name: name.into(), message };
        if let Some(v) = get("TIMS_LISTEN") {
            self.listen =
                v.parse().map_err(|_| bad("TIMS_LISTEN", format!("{v:?} is not an address like 127.0.0.1:8080")))?;
        }
        if let Some(v) = get("TIMS_DATA") {
            self.data = PathBuf::from(v);
        }
        if let Some(v) = get("TIMS_DATABASE_URL").filter(|v| !v.is_empty()) {
            self.database_url = Some(Secret::new(v));
        }
        if let Some(v) = get("TIMS_PUBLIC_URL") {
            self.public_url = v;
        }
        if let Some(v) = get("TIMS_PRODUCTION") {
            self.production = parse_bool(&v).ok_or_else(|| bad("TIMS_PRODUCTION", "use true or false".into()))?;
        }
        if let Some(v) = get("TIMS_LOG_FORMAT") {
            self.log_format = v;
        }
        if let Some(v) = get("TIMS_DEMO_DATA") {
            self.demo_data = parse_bool(&v).ok_or_else(|| bad("TIMS_DEMO_DATA", "use true or false".into()))?;
        }
        if let Some(v) = get("TIMS_SECRETS_KEY").filter(|v| !v.is_empty()) {
            self.secrets_key = Some(Secret::new(v));
        }
        if let Some(v) = get("TIMS_DATABASE_MAX_CONNECTIONS") {
            self.database_max_connections =
                v.parse().map_err(|_| bad("TIMS_DATABASE_MAX_CONNECTIONS", "use a whole number".into()))?;
        }
        if let Some(v) = get("TIMS_POPULATION_REGISTER_URL") {
            self.sso.population_register_url = Some(v);
        }
        if let Some(v) = get("TIMS_POPULATION_REGISTER_TOKEN") {
            self.sso.population_register_token = Some(Secret::new(v));
        }
        if let Some(v) = get("TIMS_KRA_REGISTER_URL") {
            self.sso.kra_register_url = Some(v);
        }
        if let Some(v) = get("TIMS_OIDC_ISSUER").filter(|v| !v.is_empty()) {
            self.registry.oidc_issuer = Some(v);
        }
        if let Some(v) = get("TIMS_OIDC_CLIENT_ID").filter(|v| !v.is_empty()) {
            self.registry.oidc_client_id = v;
        }
        if let Some(v) = get("TIMS_OIDC_CLIENT_SECRET").filter(|v| !v.is_empty()) {
            self.registry.oidc_client_secret = Some(Secret::new(v));
        }
        if let Some(v) = get("TIMS_API_AUDIENCES") {
            self.registry.api_audiences =
                v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
        }
        if let Some(v) = get("TIMS_TRANSFER_EXPIRY_DAYS") {
            self.registry.transfer_expiry_days =
                v.parse().ok().filter(|d| (1..=365).contains(d)).ok_or_else(|| {
                    bad("TIMS_TRANSFER_EXPIRY_DAYS", "use a whole number of days from 1 to 365".into())
                })?;
        }
        if let Some(v) = get("TIMS_REVOCATION_GIVE_UP_DAYS") {
            self.registry.revocation_give_up_days =
                v.parse().ok().filter(|d| (1..=3650).contains(d)).ok_or_else(|| {
                    bad("TIMS_REVOCATION_GIVE_UP_DAYS", "use a whole number of days from 1 to 3650".into())
                })?;
        }
        self.apply_env_payments(&get)?;
        if let Some(v) = get("TIMS_KRA_REGISTER_TOKEN") {
            self.sso.kra_register_token = Some(Secret::new(v));
        }
        self.mpesa.apply_env(&get)?;
        self.sms.apply_env(&get)?;
        self.apply_env_edge(&get)
    }

    /// The environment's settings of payments: when to ask the gateway about
    /// a request that had no callback, and when to give up on it.
    fn apply_env_payments(&mut self, get: &impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        let bad = |name: &str, message: String| ConfigError::Env { name: name.into(), message };
        if let Some(v) = get("TIMS_PAYMENT_QUERY_AFTER_SECS") {
            self.registry.payment_query_after_secs =
                v.parse().ok().filter(|s| (10..=3600).contains(s)).ok_or_else(|| {
                    bad("TIMS_PAYMENT_QUERY_AFTER_SECS", "use a whole number of seconds from 10 to 3600".into())
                })?;
        }
        if let Some(v) = get("TIMS_PAYMENT_GIVE_UP_SECS") {
            self.registry.payment_give_up_secs =
                v.parse().ok().filter(|s| (60..=7 * 86_400).contains(s)).ok_or_else(|| {
                    bad("TIMS_PAYMENT_GIVE_UP_SECS", "use a whole number of seconds from 60 to 604800".into())
                })?;
        }
        Ok(())
    }

    /// The environment's settings of the edge: the sign-on's limits, the
    /// upload store, metrics and the HTTP server's limits.
    fn apply_env_edge(&mut self, get: &impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        let bad = |name: &str, message: String| ConfigError::Env { name: name.into(), message };
        for (name, slot) in [
            ("TIMS_SMS_PER_SOURCE", &mut self.sso.sms_per_source),
            ("TIMS_SMS_PER_MINUTE", &mut self.sso.sms_per_minute),
            ("TIMS_PASSWORDS_PER_SOURCE", &mut self.sso.passwords_per_source),
            ("TIMS_PASSWORD_CHECKS_PER_SOURCE", &mut self.sso.password_checks_per_source),
        ] {
            if let Some(v) = get(name) {
                *slot = Some(
                    v.parse().ok().filter(|n| *n >= 1).ok_or_else(|| bad(name, "use a whole number from 1".into()))?,
                );
            }
        }
        if let Some(v) = get("TIMS_CLIENT_IP_HEADER").filter(|v| !v.is_empty()) {
            self.sso.client_ip_header = Some(v);
        }
        for (name, slot) in [
            ("TIMS_S3_BUCKET", &mut self.uploads.s3_bucket),
            ("TIMS_S3_ENDPOINT", &mut self.uploads.s3_endpoint),
            ("TIMS_S3_REGION", &mut self.uploads.s3_region),
            ("TIMS_S3_ACCESS_KEY_ID", &mut self.uploads.s3_access_key_id),
            ("TIMS_S3_PREFIX", &mut self.uploads.s3_prefix),
        ] {
            if let Some(v) = get(name).filter(|v| !v.is_empty()) {
                *slot = Some(v);
            }
        }
        if let Some(v) = get("TIMS_S3_SECRET_ACCESS_KEY").filter(|v| !v.is_empty()) {
            self.uploads.s3_secret_access_key = Some(Secret::new(v));
        }
        if let Some(v) = get("TIMS_METRICS_LISTEN") {
            self.metrics_listen =
                match v.trim() {
                    "" => None,
                    a => Some(a.parse().map_err(|_| {
                        bad("TIMS_METRICS_LISTEN", format!("{v:?} is not an address like 127.0.0.1:9100"))
                    })?),
                };
        }
        if let Some(v) = get("TIMS_METRICS_TOKEN").filter(|v| !v.is_empty()) {
            self.metrics_token = Some(Secret::new(v));
        }
        if let Some(v) = get("TIMS_HTTP_MAX_CONNECTIONS") {
            self.http.max_connections = v
                .parse()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| bad("TIMS_HTTP_MAX_CONNECTIONS", "use a whole number from 1".into()))?;
        }
        for (name, field) in [
            ("TIMS_HTTP_HEADER_TIMEOUT_SECS", &mut self.http.header_timeout),
            ("TIMS_HTTP_BODY_TIMEOUT_SECS", &mut self.http.body_timeout),
            ("TIMS_HTTP_IDLE_TIMEOUT_SECS", &mut self.http.idle_timeout),
        ] {
            if let Some(v) = get(name) {
                *field = v
                    .parse()
                    .ok()
                    .filter(|s| (1..=3600).contains(s))
                    .map(Duration::from_secs)
                    .ok_or_else(|| bad(name, "use a whole number of seconds from 1 to 3600".into()))?;
            }
        }
        Ok(())
    }

    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(u) => u.expose().to_string(),
            None => db::sqlite_url_in(&self.data),
        }
    }

    /// The public address without a trailing slash, checked.
    pub fn public_url(&self) -> Result<String, ConfigError> {
        let trimmed = self.public_url.trim_end_matches('/');
        let u = url::Url::parse(trimmed)
            .map_err(|_| ConfigError::Invalid(format!("public_url {:?} is not an absolute URL", self.public_url)))?;
        if u.scheme() != "http" && u.scheme() != "https" {
            return Err(ConfigError::Invalid("public_url must start with http:// or https://".into()));
        }
        if u.query().is_some() || u.fragment().is_some() {
            return Err(ConfigError::Invalid("public_url must not have a query or fragment".into()));
        }
        Ok(trimmed.to_string())
    }

    /// What production mode refuses, apart from development adapters (which
    /// the application checks once they are built).
    pub fn check_production(&self) -> Result<(), ConfigError> {
        if !self.production {
            return Ok(());
        }
        let mut problems = vec![];
        if !self.public_url()?.starts_with("https://") {
            problems.push("public_url must be https:// (session cookies are Secure)".to_string());
        }
        if self.demo_data {
            problems.push("demo_data must be false (set TIMS_DEMO_DATA=false)".to_string());
        }
        match &self.secrets_key {
            None => problems.push(
                "secrets_key must be set (TIMS_SECRETS_KEY, at least 32 random characters), so that the keyed \
                 secrets are not kept in the database"
                    .to_string(),
            ),
            Some(k) if k.expose().len() < 32 => problems.push("secrets_key must be at least 32 characters".to_string()),
            Some(_) => {}
        }
        if self.uploads.s3_endpoint.as_ref().is_some_and(|e| !e.starts_with("https://")) {
            problems.push("uploads.s3_endpoint must be https://".to_string());
        }
        if self.metrics_token.as_ref().is_some_and(|t| t.expose().len() < 32) {
            problems.push("metrics_token must be at least 32 characters".to_string());
        }
        if let Some(issuer) = &self.registry.oidc_issuer
            && !issuer.starts_with("https://")
        {
            problems.push("registry.oidc_issuer must be https://".to_string());
        }
        // The registers take a bearer token and answer with personal data.
        for (name, url) in [
            ("population_register_url", &self.sso.population_register_url),
            ("kra_register_url", &self.sso.kra_register_url),
        ] {
            if let Some(u) = url
                && !u.starts_with("https://")
            {
                problems.push(format!("sso.{name} must be https://"));
            }
        }
        problems.extend(self.mpesa.production_problems());
        if self.registry.oidc_issuer.is_some() && self.registry.oidc_client_secret.is_none() {
            problems
                .push("an outside provider needs registry.oidc_client_secret (TIMS_OIDC_CLIENT_SECRET)".to_string());
        }
        for c in &self.sso.clients {
            if c.secret.len() < 32 {
                problems.push(format!("the secret of client {:?} must be at least 32 characters", c.id));
            }
            if c.redirect_uris.iter().any(|u| u.starts_with("http://")) {
                problems.push(format!("client {:?} has a plain http redirect URI", c.id));
            }
        }
        problems.extend(self.sms.production_problems());
        if let Some(at) = adapters::crashpoint::armed() {
            problems.push(format!(
                "{} must not be set (it is {at:?}): it is for the crash tests",
                adapters::crashpoint::VAR
            ));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ConfigError::Invalid(format!(
                "production mode refuses this configuration:\n  - {}",
                problems.join("\n  - ")
            )))
        }
    }
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_overrides_defaults() {
        let mut c = Config::default();
        let env = |k: &str| match k {
            "TIMS_LISTEN" => Some("0.0.0.0:9000".to_string()),
            "TIMS_DATABASE_URL" => Some("postgres://u:pw@h/db".to_string()),
            "TIMS_PRODUCTION" => Some("true".to_string()),
            _ => None,
        };
        c.apply_env(env).unwrap();
        assert_eq!(c.listen.port(), 9000);
        assert!(c.production);
        assert_eq!(c.database_url(), "postgres://u:pw@h/db");
        assert!(!format!("{c:?}").contains("pw@"), "secrets must not be printed");
    }

    #[test]
    fn a_bad_environment_value_names_the_variable() {
        let mut c = Config::default();
        let err = c.apply_env(|k| (k == "TIMS_LISTEN").then(|| "nope".to_string())).unwrap_err();
        assert!(err.to_string().starts_with("TIMS_LISTEN"), "{err}");
    }

    #[test]
    fn the_revocation_give_up_is_a_bounded_number_of_days() {
        let mut c = Config::default();
        assert_eq!(c.registry.revocation_give_up_days, 30);
        c.apply_env(|k| (k == "TIMS_REVOCATION_GIVE_UP_DAYS").then(|| "90".to_string())).unwrap();
        assert_eq!(c.registry.revocation_give_up_days, 90);
        for bad in ["0", "3651", "a month"] {
            let err = c.apply_env(|k| (k == "TIMS_REVOCATION_GIVE_UP_DAYS").then(|| bad.to_string())).unwrap_err();
            assert!(err.to_string().starts_with("TIMS_REVOCATION_GIVE_UP_DAYS"), "{err}");
        }
        let c: Config = toml::from_str("[registry]\nrevocation_give_up_days = 60\n").unwrap();
        assert_eq!(c.registry.revocation_give_up_days, 60);
    }

    #[test]
    fn production_refuses_plain_http_and_demo_data() {
        let c = Config { production: true, ..Config::default() };
        let err = c.check_production().unwrap_err().to_string();
        assert!(err.contains("https://") && err.contains("demo_data") && err.contains("TIMS_SECRETS_KEY"), "{err}");
        let short = Config { secrets_key: Some(Secret::new("too short")), ..c.clone() };
        assert!(short.check_production().unwrap_err().to_string().contains("at least 32 characters"));
        let ok = Config {
            production: true,
            demo_data: false,
            public_url: "https://tims.example".into(),
            secrets_key: Some(Secret::new("k".repeat(32))),
            ..Config::default()
        };
        ok.check_production().unwrap();
        let mut plain = ok.clone();
        plain.sso.population_register_url = Some("http://register.example".into());
        plain.sso.kra_register_url = Some("https://kra.example".into());
        let err = plain.check_production().unwrap_err().to_string();
        assert!(err.contains("sso.population_register_url must be https://"), "{err}");
        assert!(!err.contains("kra_register_url"), "{err}");
    }

    #[test]
    fn http_limits_and_metrics_access_are_settings() {
        let mut c = Config::default();
        assert_eq!((c.http.max_connections, c.http.header_timeout.as_secs()), (10_000, 10));
        let env = |k: &str| match k {
            "TIMS_HTTP_MAX_CONNECTIONS" => Some("500".to_string()),
            "TIMS_HTTP_BODY_TIMEOUT_SECS" => Some("45".to_string()),
            "TIMS_METRICS_LISTEN" => Some("127.0.0.1:9100".to_string()),
            "TIMS_METRICS_TOKEN" => Some("t".repeat(32)),
            _ => None,
        };
        c.apply_env(env).unwrap();
        assert_eq!((c.http.max_connections, c.http.body_timeout.as_secs()), (500, 45));
        assert_eq!(c.metrics_listen.map(|a| a.port()), Some(9100));
        assert!(!format!("{c:?}").contains("tttt"), "the metrics token must not be printed");
        for (name, bad) in
            [("TIMS_HTTP_MAX_CONNECTIONS", "0"), ("TIMS_HTTP_IDLE_TIMEOUT_SECS", "0"), ("TIMS_METRICS_LISTEN", "9100")]
        {
            let err = c.apply_env(|k| (k == name).then(|| bad.to_string())).unwrap_err();
            assert!(err.to_string().starts_with(name), "{err}");
        }
        let c: Config = toml::from_str("[http]\nheader_timeout_secs = 5\nidle_timeout_secs = 120\n").unwrap();
        assert_eq!((c.http.header_timeout.as_secs(), c.http.idle_timeout.as_secs()), (5, 120));
        assert!(toml::from_str::<Config>("[http]\nmax_connections = 0\n").is_err());
        assert!(toml::from_str::<Config>("[http]\nbody_timeout_secs = 0\n").is_err());
    }

    #[test]
    fn production_refuses_a_short_metrics_token() {
        let c = Config {
            production: true,
            demo_data: false,
            public_url: "https://tims.example".into(),
            secrets_key: Some(Secret::new("k".repeat(32))),
            metrics_token: Some(Secret::new("short")),
            ..Config::default()
        };
        let err = c.check_production().unwrap_err().to_string();
        assert!(err.contains("metrics_token must be at least 32 characters"), "{err}");
    }

    #[test]
    fn the_toml_file_is_read_and_unknown_keys_refused() {
        let c: Config = toml::from_str("listen = \"127.0.0.1:1\"\n[sso]\nclients = []\n").unwrap();
        assert_eq!(c.listen.port(), 1);
        assert!(toml::from_str::<Config>("lisen = 1").is_err());
        let c: Config = toml::from_str(
            "[[sso.clients]]\nid = \"dealer\"\nsecret = \"s\"\nredirect_uris = [\"https://d.example/cb\"]\napi = true\n\n\
             [[sso.clients]]\nid = \"bank\"\nsecret = \"s\"\nredirect_uris = [\"https://b.example/cb\"]\n",
        )
        .unwrap();
        let api: Vec<(&str, bool)> = c.sso.clients.iter().map(|c| (c.id.as_str(), c.api)).collect();
        assert_eq!(api, [("dealer", true), ("bank", false)], "API access is granted client by client");
    }
}
