//! The tims application: builds every part from the configuration, mounts
//! them on one HTTP server, and runs the background workers. The binary in
//! `main.rs` is a thin command line over this; tests start the same
//! `Application` on port 0.

pub mod config;
mod http;
mod serve;
mod sms_reports;
mod sms_staff;

use std::sync::Arc;

use anyhow::Context;
use db::{Clock, Db, PoolSettings};
use sso::registers::{DevKraRegister, DevPopulationRegister, HttpRegister, KraRegister, PopulationRegister};
use sso::sms::DevSmsSink;
use tokio::net::TcpListener;

pub use config::{Config, Secret};

/// Open the database named by the configuration and run its migrations.
pub async fn open_db(cfg: &Config) -> anyhow::Result<Db> {
    let url = cfg.database_url();
    let max_connections = match cfg.database_max_connections {
        0 => db::default_pool_size(db::Backend::from_url(&url)?),
        n => n,
    };
    let settings = PoolSettings { max_connections, ..PoolSettings::default() };
    let db = Db::connect(&url, &settings).await.context("cannot open the database")?;
    db.migrate().await.context("cannot migrate the database")?;
    registry::ensure_defaults(&db, db::SystemClock.now_ms()).await.context("cannot load the default fee schedule")?;
    Ok(db)
}

fn register_url(raw: &Option<String>, what: &str) -> anyhow::Result<Option<url::Url>> {
    raw.as_deref().map(|u| url::Url::parse(u).with_context(|| format!("{what} {u:?} is not a URL"))).transpose()
}

/// Build the sign-on's adapters from the configuration. The SMS gateway,
/// when one is configured, is shared with the registry (`registry_adapters`)
/// and so are its send-rate limits; otherwise the development sink.
pub fn sso_adapters(cfg: &Config, clock: Arc<dyn Clock>) -> anyhow::Result<sso::Adapters> {
    let (sms, dev_sms): (Arc<dyn sso::sms::SmsSender>, _) = match cfg.sms.gateway()? {
        Some(settings) => {
            let gateway = adapters::africastalking::AfricasTalking::new(settings)
                .context("cannot set up the SMS gateway's HTTP client")?;
            (Arc::new(adapters::throttle::Throttled::new(Arc::new(gateway), cfg.sms.limits(), clock)), None)
        }
        None => {
            let sink = Arc::new(DevSmsSink::new(clock));
            (sink.clone(), Some(sink))
        }
    };
    let population: Arc<dyn PopulationRegister> =
        match register_url(&cfg.sso.population_register_url, "population_register_url")? {
            Some(u) => Arc::new(HttpRegister::new(
                u,
                cfg.sso.population_register_token.as_ref().map(|s| s.expose().to_string()),
            )),
            None => Arc::new(DevPopulationRegister::default()),
        };
    let kra: Arc<dyn KraRegister> = match register_url(&cfg.sso.kra_register_url, "kra_register_url")? {
        Some(u) => Arc::new(HttpRegister::new(u, cfg.sso.kra_register_token.as_ref().map(|s| s.expose().to_string()))),
        None => Arc::new(DevKraRegister::default()),
    };
    Ok(sso::Adapters { sms, population, kra, dev_sms })
}

/// Production mode refuses every development adapter, naming each.
pub fn check_adapters(cfg: &Config, a: &sso::Adapters) -> anyhow::Result<()> {
    if !cfg.production {
        return Ok(());
    }
    let mut dev: Vec<&str> = vec![];
    let sms_missing: String;
    if a.sms.is_development() {
        let mut missing = cfg.sms.missing();
        if cfg.sms.report_secret.is_none() {
            missing.push("sms.report_secret (TIMS_SMS_REPORT_SECRET)".into());
        }
        sms_missing = format!("the development SMS sink (set {} for the SMS gateway)", missing.join(", "));
        dev.push(sms_missing.as_str());
    }
    if a.population.is_development() {
        dev.push("the development population register (set TIMS_POPULATION_REGISTER_URL)");
    }
    if a.kra.is_development() {
        dev.push("the development KRA register (set TIMS_KRA_REGISTER_URL)");
    }
    if dev.is_empty() {
        Ok(())
    } else {
        anyhow::bail!("production mode refuses development adapters:\n  - {}", dev.join("\n  - "))
    }
}

/// The registry's adapters: M-Pesa when it is configured, else the
/// development payer (which production refuses, naming the M-Pesa settings
/// missing), and scanned logbooks in the configured S3-compatible bucket or
/// else a folder under the data directory.
pub fn registry_adapters(cfg: &Config, sso: &sso::Adapters) -> anyhow::Result<registry::Adapters> {
    let store: Arc<dyn registry::scans::BlobStore> = match cfg.uploads.s3()? {
        Some(s3) => Arc::new(registry::scans::S3::new(&s3).context("cannot use the object storage for uploads")?),
        None => Arc::new(registry::scans::LocalDir::new(cfg.data.join("uploads"))),
    };
    let payments: Arc<dyn registry::payments::Payments> = match cfg.mpesa.settings()? {
        // Daraja checks timestamps against its own clock: the real one.
        Some(s) => Arc::new(
            adapters::mpesa::Mpesa::new(s, Arc::new(db::SystemClock))
                .map_err(|e| anyhow::anyhow!("cannot use M-Pesa: {e}"))?,
        ),
        // Production refuses it when the application is built
        // (`check_registry_adapters`), after the plainer settings' checks.
        None => Arc::new(registry::payments::DevPayer::default()),
    };
    Ok(registry::Adapters { sms: sso.sms.clone(), payments, store })
}

/// In production, refuse the registry's development adapters, naming what
/// to set instead.
fn check_registry_adapters(cfg: &Config, a: &registry::Adapters) -> anyhow::Result<()> {
    if !cfg.production {
        return Ok(());
    }
    let mut dev = vec![];
    if a.payments.is_development() {
        dev.push(format!("the development payer (set {})", cfg.mpesa.missing().join(", ")));
    }
    if a.store.is_development() {
        dev.push("the local upload folder (set TIMS_S3_BUCKET and the object storage's settings)".to_string());
    }
    if dev.is_empty() {
        Ok(())
    } else {
        anyhow::bail!("production mode refuses development adapters:\n  - {}", dev.join("\n  - "))
    }
}

/// A secret derived from the operator's `secrets_key` (HMAC-SHA256 of the
/// secret's name, in hex), or `None` without one, when the secret is kept
/// in the database instead. Each name gives its own secret, and none of
/// them tells anything of the key or of the others.
pub fn keyed_secret(cfg: &Config, name: &str) -> Option<String> {
    use hmac::Mac as _;
    let key = cfg.secrets_key.as_ref()?;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key.expose().as_bytes()).ok()?;
    mac.update(b"tims secrets key: ");
    mac.update(name.as_bytes());
    Some(sso::crypto::hex(&mac.finalize().into_bytes()))
}

/// The sign-on's secrets derived from the operator's key, if one is set.
fn sso_keyed_secrets(cfg: &Config) -> Option<sso::KeyedSecrets> {
    Some(sso::KeyedSecrets {
        code_pepper: keyed_secret(cfg, "sso/code_pepper")?.into_bytes(),
        code_seal_key: keyed_secret(cfg, "sso/code_seal_key")?.into_bytes(),
        signing_key_wrap: signing_key_wrap(cfg).0?,
    })
}

/// The key that seals the sign-on's signing keys in the database (none
/// without the operator's secrets key).
pub fn signing_key_wrap(cfg: &Config) -> sso::keys::Wrap {
    sso::keys::Wrap(keyed_secret(cfg, "sso/signing_key_wrap").map(String::into_bytes))
}

/// The sign-on's settings, its issuer under the public address.
fn sso_config(cfg: &Config, public_url: &str, adapters: &sso::Adapters) -> sso::SsoConfig {
    sso::SsoConfig {
        issuer: format!("{public_url}/sso"),
        dev_pages: !cfg.production && adapters.dev_sms.is_some(),
        clients: cfg.sso.clients.clone(),
        keyed: sso_keyed_secrets(cfg),
        limits: cfg.sso.limits(),
        client_ip_header: cfg.sso.client_ip_header.clone(),
        // The registry's home, as its built-in client is registered with
        // the sign-on (`registry_config`).
        registry_url: Some(format!("{public_url}/")),
    }
}

/// `tims dev token`: an access token for an existing account, signed as
/// the sign-on's token endpoint signs them for `client` (by default the
/// registry's own), made without a sign-in. Development only: production
/// mode refuses it, and so does a registry trusting an outside provider.
/// The configuration must be the server's (public address, database,
/// secrets key), or the token names another issuer or key.
pub async fn dev_access_token(
    cfg: &Config,
    clock: Arc<dyn Clock>,
    account_type: &str,
    id_number: &str,
    client: Option<&str>,
) -> anyhow::Result<sso::oidc::DevAccessToken> {
    if cfg.production {
        anyhow::bail!(
            "production mode refuses `tims dev token`: it makes access tokens without a sign-in, for development only"
        );
    }
    if cfg.registry.oidc_issuer.is_some() {
        anyhow::bail!(
            "the registry trusts an outside provider (registry.oidc_issuer): get access tokens from that provider"
        );
    }
    let kind = domain::AccountType::parse(account_type).map_err(|e| anyhow::anyhow!("--type: {e}"))?;
    let public_url = cfg.public_url()?;
    let client_id = client.unwrap_or(&cfg.registry.oidc_client_id);
    let db = open_db(cfg).await?;
    let adapters = sso_adapters(cfg, clock.clone())?;
    let sso_cfg = sso_config(cfg, &public_url, &adapters);
    let made = match Sso::start(db.clone(), clock, sso_cfg, adapters).await {
        Ok(sso) => sso::oidc::development_access_token(&sso, kind, id_number, client_id).await,
        Err(e) => Err(e),
    };
    db.close().await;
    let token = made.map_err(|e| match e {
        sso::Error::Invalid(fe) => {
            let mut lines: Vec<String> = fe.0.iter().map(|(f, m)| format!("--{}: {m}", f.replace('_', "-"))).collect();
            if client.is_none() && fe.0.iter().any(|(f, _)| *f == "client") {
                lines.push(format!("(the registry registers its client {client_id} when `tims serve` first starts)"));
            }
            anyhow::anyhow!("{}", lines.join("\n"))
        }
        other => anyhow::Error::new(other).context("cannot make a development access token"),
    })?;
    let mut accepted = vec![cfg.registry.oidc_client_id.as_str()];
    accepted.extend(cfg.registry.api_audiences.iter().map(String::as_str));
    if !token.audience.iter().any(|a| accepted.contains(&a.as_str())) {
        anyhow::bail!(
            "--client: the API would refuse the tokens of client {client_id} (audience {}; it accepts {}): grant it \
             API access (`tims sso client add --api`, or `api = true` under [[sso.clients]])",
            token.audience.join(", "),
            accepted.join(", ")
        );
    }
    Ok(token)
}

/// The registry's settings; with the built-in provider its client is
/// registered with the sign-on here, under a secret generated once.
async fn registry_config(
    cfg: &Config,
    db: &Db,
    public_url: &str,
    now: i64,
) -> anyhow::Result<registry::RegistryConfig> {
    let r = &cfg.registry;
    let secret = match (&r.oidc_issuer, &r.oidc_client_secret) {
        (_, Some(s)) => s.expose().to_string(),
        (None, None) => match keyed_secret(cfg, "registry/oidc_client_secret") {
            Some(s) => {
                // One kept before a key was set is of no use any more.
                registry::forget_secret(db, "oidc_client_secret").await?;
                s
            }
            None => registry::load_or_create_secret(db, "oidc_client_secret", now).await?,
        },
        (Some(_), None) => anyhow::bail!(
            "registry.oidc_issuer names an outside provider: set registry.oidc_client_secret (TIMS_OIDC_CLIENT_SECRET) too"
        ),
    };
    let issuer = match &r.oidc_issuer {
        Some(i) => i.trim_end_matches('/').to_string(),
        None => {
            let client = sso::ClientConfig {
                id: r.oidc_client_id.clone(),
                secret: secret.clone(),
                name: Some("Vehicle registry".into()),
                redirect_uris: vec![format!("{public_url}/signin/callback")],
                post_logout_redirect_uris: vec![format!("{public_url}/")],
                // The registry's own tokens are for it already.
                api: false,
            };
            sso::oidc::upsert_configured_client(db, &client, now)
                .await
                .context("cannot register the registry with the sign-on")?;
            format!("{public_url}/sso")
        }
    };
    let mut api_audiences = vec![r.oidc_client_id.clone()];
    api_audiences.extend(r.api_audiences.iter().cloned());
    Ok(registry::RegistryConfig {
        public_url: public_url.to_string(),
        oidc: registry::OidcSettings {
            issuer,
            client_id: r.oidc_client_id.clone(),
            client_secret: secret,
            api_audiences,
        },
        transfer_expiry_days: r.transfer_expiry_days,
        revocation_give_up_days: r.revocation_give_up_days.max(1),
        offices: r.offices.clone(),
        payment_query_after_secs: r.payment_query_after_secs.max(10),
        payment_give_up_secs: r.payment_give_up_secs.max(r.payment_query_after_secs).max(60),
        code_pepper: keyed_secret(cfg, "registry/code_pepper").map(|p| registry::SecretBytes(p.into_bytes())),
        token_seal_key: keyed_secret(cfg, "registry/refresh_token_seal").map(|k| registry::SecretBytes(k.into_bytes())),
        c2b_secret: cfg
            .mpesa
            .c2b_secret
            .as_ref()
            .filter(|s| !s.expose().trim().is_empty())
            .map(|s| registry::SecretBytes(s.expose().as_bytes().to_vec())),
    })
}

/// The demo people and organisations of the sign-on, as the registry's
/// demo data needs them.
fn registry_demo_people() -> (Vec<registry::demo::DemoPerson>, Vec<registry::demo::DemoOrg>) {
    let sample = sso::registers::sample_people();
    let people = sso::demo::PEOPLE
        .iter()
        .map(|d| registry::demo::DemoPerson {
            account_type: d.account_type,
            id_number: d.id_number.to_string(),
            name: sample
                .iter()
                .find(|p| p.id_number == d.id_number)
                .map_or_else(|| d.id_number.to_string(), |p| p.full_name.clone()),
            phone: d.phone.to_string(),
        })
        .collect();
    let orgs = sso::registers::sample_taxpayers()
        .into_iter()
        .filter(|t| t.kra_pin.starts_with('P'))
        .map(|t| registry::demo::DemoOrg {
            kra_pin: t.kra_pin.clone(),
            name: t.name.clone(),
            kind: t.kind.as_str().into(),
        })
        .collect();
    (people, orgs)
}

/// A built application, bound to its port, not yet serving.
pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    /// The metrics address and its routes, when metrics have one.
    metrics: Option<(TcpListener, axum::Router)>,
    limits: serve::Limits,
    sso: Sso,
    registry: registry::Registry,
    db: Db,
    public_url: String,
    banner: Banner,
}

/// What the start-up banner shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Banner {
    /// Production mode: nothing.
    None,
    /// Development mode, the demo data just made: all of it.
    Full,
    /// Development mode, every other start: the demo accounts (if there
    /// are any) and the addresses to try.
    Short { demo: bool },
}

pub use sso::Sso;

impl Application {
    /// Build everything from `cfg`, with `clock` for time and `adapters` for
    /// the outside world.
    pub async fn build(cfg: &Config, clock: Arc<dyn Clock>, adapters: sso::Adapters) -> anyhow::Result<Self> {
        let listener =
            TcpListener::bind(cfg.listen).await.with_context(|| format!("cannot listen on {}", cfg.listen))?;
        let reg_adapters = registry_adapters(cfg, &adapters)?;
        Self::build_on(listener, cfg, clock, adapters, reg_adapters).await
    }

    /// Build on a listener that is already bound (tests bind port 0 first so
    /// that the public address is known before the issuer is).
    pub async fn build_on(
        listener: TcpListener,
        cfg: &Config,
        clock: Arc<dyn Clock>,
        adapters: sso::Adapters,
        reg_adapters: registry::Adapters,
    ) -> anyhow::Result<Self> {
        cfg.check_production()?;
        check_adapters(cfg, &adapters)?;
        check_registry_adapters(cfg, &reg_adapters)?;
        let public_url = cfg.public_url()?;
        let db = open_db(cfg).await?;
        let sso_cfg = sso_config(cfg, &public_url, &adapters);
        let sso = Sso::start(db.clone(), clock.clone(), sso_cfg, adapters).await.context("cannot start the sign-on")?;
        let reg_cfg = registry_config(cfg, &db, &public_url, clock.now_ms()).await?;
        let registry = registry::Registry::start(db.clone(), clock, reg_cfg, reg_adapters)
            .await
            .context("cannot start the registry")?;
        let demo_created = if cfg.demo_data && !cfg.production {
            let created = sso::demo::seed_if_empty(&sso).await.context("cannot create demo data")?;
            let (people, orgs) = registry_demo_people();
            registry::demo::seed_if_empty(&registry, &people, &orgs)
                .await
                .context("cannot create registry demo data")?;
            created
        } else {
            false
        };
        let banner = match (cfg.production, demo_created) {
            (true, _) => Banner::None,
            (false, true) => Banner::Full,
            (false, false) => Banner::Short { demo: sso::demo::present(&sso).await? },
        };
        let frame = http::FrameOptions { hsts: cfg.production };
        let metrics_routes = http::metrics_routes(registry.clone(), cfg.metrics_token.clone());
        let (here, metrics) = match cfg.metrics_listen {
            Some(addr) => {
                let l =
                    TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr} for metrics"))?;
                (None, Some((l, http::metrics_router(metrics_routes, frame))))
            }
            // Metrics tell the size of queues and traffic: in production
            // not to anyone who asks.
            None if cfg.production && cfg.metrics_token.is_none() => {
                tracing::info!("/metrics is not served: set TIMS_METRICS_TOKEN or TIMS_METRICS_LISTEN");
                (None, None)
            }
            None => (Some(metrics_routes), None),
        };
        let reports = sms_reports::router(registry.clone(), cfg.sms.report_secret.clone())
            .merge(sms_staff::router(registry.clone()));
        let router = http::router(db.clone(), sso.clone(), registry.clone(), here, reports, frame);
        let limits = serve::Limits {
            max_connections: cfg.http.max_connections,
            header_timeout: cfg.http.header_timeout,
            body_timeout: cfg.http.body_timeout,
            idle_timeout: cfg.http.idle_timeout,
        };
        Ok(Self { listener, router, metrics, limits, sso, registry, db, public_url, banner })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// The port of the metrics address, when metrics have one.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics.as_ref().and_then(|(l, _)| l.local_addr().ok()).map(|a| a.port())
    }

    pub fn sso(&self) -> &Sso {
        &self.sso
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub fn registry(&self) -> &registry::Registry {
        &self.registry
    }

    /// The start-up banner: in development mode, on every start, how to
    /// try it (in full when the demo data was just made); none in
    /// production.
    pub fn demo_instructions(&self) -> Option<String> {
        let url = &self.public_url;
        let api = |who: &str| {
            format!(
                "API: {url}/api/v1 (OpenAPI: {url}/api/openapi.json); an access token: tims dev token --id-number {who}"
            )
        };
        match self.banner {
            Banner::None => None,
            Banner::Full => {
                let (sso, registry) = (sso::demo::instructions(url), registry::demo::instructions(url));
                Some(format!("{sso}\n{registry}\n{}", api("12345678")))
            }
            Banner::Short { demo: true } => Some(format!("{}{}", sso::demo::short_instructions(url), api("12345678"))),
            Banner::Short { demo: false } => Some(format!(
                "Development mode: sign in at {url}/sso/signin; SMS codes at {url}/sso/dev/sms.\n{}",
                api("N")
            )),
        }
    }

    /// Serve until `shutdown` resolves, then finish in-flight requests, stop
    /// the workers and close the database.
    pub async fn run_until_stopped(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let checkpointer = self.db.spawn_checkpointer(stop_rx.clone());
        let worker = tokio::spawn(sso::worker::run_worker(self.sso.clone(), stop_rx.clone()));
        let reg_worker = tokio::spawn(registry::outbox::run_worker(self.registry.clone(), stop_rx.clone()));
        let revoker = tokio::spawn(registry::signin::revocation::run_worker(self.registry.clone(), stop_rx.clone()));
        let sso_jobs = tokio::spawn(sso::jobs::run(self.sso.clone(), stop_rx.clone()));
        let jobs = tokio::spawn(registry::jobs::run(self.registry.clone(), stop_rx));
        let (serving_tx, serving) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            shutdown.await;
            let _ = serving_tx.send(true);
        });
        let metrics = async {
            if let Some((listener, router)) = self.metrics {
                serve::serve(listener, router, self.limits, serving.clone()).await;
            }
        };
        tokio::join!(serve::serve(self.listener, self.router, self.limits, serving.clone()), metrics);
        let _ = stop_tx.send(true);
        let _ = worker.await;
        let _ = reg_worker.await;
        let _ = revoker.await;
        let _ = jobs.await;
        let _ = sso_jobs.await;
        if let Some(c) = checkpointer {
            let _ = c.await;
        }
        self.db.close().await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_names_the_sms_gateway_settings_it_misses() {
        let clock: Arc<dyn Clock> = Arc::new(db::ManualClock::new(0));
        let mut cfg = Config { production: true, ..Config::default() };
        cfg.sms.africastalking_username = Some("tims".into());
        let err = sso_adapters(&cfg, clock.clone()).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("TIMS_AFRICASTALKING_URL") && err.contains("TIMS_AFRICASTALKING_API_KEY"), "{err}");
        cfg.sms.africastalking_username = None;
        let adapters = sso_adapters(&cfg, clock.clone()).unwrap_or_else(|e| panic!("{e}"));
        let err = check_adapters(&cfg, &adapters).err().map(|e| e.to_string()).unwrap_or_default();
        for setting in ["TIMS_AFRICASTALKING_URL", "TIMS_AFRICASTALKING_USERNAME", "TIMS_AFRICASTALKING_API_KEY"] {
            assert!(err.contains(setting), "{err}");
        }
        assert!(err.contains("TIMS_SMS_REPORT_SECRET"), "{err}");
        cfg.sms.africastalking_url = Some("https://api.example".into());
        cfg.sms.africastalking_username = Some("tims".into());
        cfg.sms.africastalking_api_key = Some(Secret::new("k"));
        let adapters = sso_adapters(&cfg, clock).unwrap_or_else(|e| panic!("{e}"));
        assert!(adapters.dev_sms.is_none() && !adapters.sms.is_development(), "the gateway replaces the sink");
        let err = check_adapters(&cfg, &adapters).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(!err.contains("SMS"), "{err}");
    }

    #[test]
    fn each_keyed_secret_is_its_own_and_stable() {
        let mut cfg = Config::default();
        assert_eq!(keyed_secret(&cfg, "sso/code_pepper"), None, "without a key, secrets stay in the database");
        cfg.secrets_key = Some(Secret::new("k".repeat(32)));
        let a = keyed_secret(&cfg, "sso/code_pepper").unwrap_or_default();
        assert_eq!(a.len(), 64);
        assert_eq!(keyed_secret(&cfg, "sso/code_pepper").as_deref(), Some(a.as_str()));
        assert_ne!(keyed_secret(&cfg, "registry/code_pepper").as_deref(), Some(a.as_str()));
        cfg.secrets_key = Some(Secret::new("j".repeat(32)));
        assert_ne!(keyed_secret(&cfg, "sso/code_pepper").as_deref(), Some(a.as_str()));
    }

    #[test]
    fn fees_go_to_m_pesa_when_configured_and_production_names_what_is_missing() {
        let prod = Config { production: true, ..Config::default() };
        let sso = sso_adapters(&prod, Arc::new(db::SystemClock)).unwrap();
        let err = check_registry_adapters(&prod, &registry_adapters(&prod, &sso).unwrap()).unwrap_err().to_string();
        assert!(err.contains("development payer") && err.contains("TIMS_MPESA_BASE_URL"), "{err}");
        assert!(err.contains("TIMS_MPESA_CONSUMER_SECRET"), "{err}");
        let mut cfg = Config::default();
        assert!(registry_adapters(&cfg, &sso).unwrap().payments.is_development());
        let env = |k: &str| {
            Some(String::from(match k {
                "TIMS_MPESA_BASE_URL" => "https://sandbox.safaricom.co.ke",
                "TIMS_MPESA_SHORTCODE" => "174379",
                "TIMS_MPESA_PASSKEY" | "TIMS_MPESA_CONSUMER_KEY" | "TIMS_MPESA_CONSUMER_SECRET" => "s3cr3t",
                _ => return None,
            }))
        };
        cfg.apply_env(env).unwrap();
        let payments = registry_adapters(&cfg, &sso).unwrap().payments;
        assert_eq!((payments.name(), payments.is_development()), ("mpesa", false));
    }
}
