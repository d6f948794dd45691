//! The tims application: builds every part from the configuration, mounts
//! them on one HTTP server, and runs the background workers. The binary in
//! `main.rs` is a thin command line over this; tests start the same
//! `Application` on port 0.

pub mod config;
mod http;

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
    let settings = PoolSettings { max_connections: cfg.database_max_connections, ..PoolSettings::default() };
    let db = Db::connect(&url, &settings).await.context("cannot open the database")?;
    db.migrate().await.context("cannot migrate the database")?;
    Ok(db)
}

fn register_url(raw: &Option<String>, what: &str) -> anyhow::Result<Option<url::Url>> {
    raw.as_deref().map(|u| url::Url::parse(u).with_context(|| format!("{what} {u:?} is not a URL"))).transpose()
}

/// Build the sign-on's adapters from the configuration.
pub fn sso_adapters(cfg: &Config, clock: Arc<dyn Clock>) -> anyhow::Result<sso::Adapters> {
    let dev_sms = Arc::new(DevSmsSink::new(clock));
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
    Ok(sso::Adapters { sms: dev_sms.clone(), population, kra, dev_sms: Some(dev_sms) })
}

/// Production mode refuses every development adapter, naming each.
pub fn check_adapters(cfg: &Config, a: &sso::Adapters) -> anyhow::Result<()> {
    if !cfg.production {
        return Ok(());
    }
    let mut dev = vec![];
    if a.sms.is_development() {
        dev.push("the development SMS sink (no SMS gateway adapter is configured)");
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

/// A built application, bound to its port, not yet serving.
pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    sso: Sso,
    db: Db,
    public_url: String,
    demo_created: bool,
}

pub use sso::Sso;

impl Application {
    /// Build everything from `cfg`, with `clock` for time and `adapters` for
    /// the outside world.
    pub async fn build(cfg: &Config, clock: Arc<dyn Clock>, adapters: sso::Adapters) -> anyhow::Result<Self> {
        let listener =
            TcpListener::bind(cfg.listen).await.with_context(|| format!("cannot listen on {}", cfg.listen))?;
        Self::build_on(listener, cfg, clock, adapters).await
    }

    /// Build on a listener that is already bound (tests bind port 0 first so
    /// that the public address is known before the issuer is).
    pub async fn build_on(
        listener: TcpListener,
        cfg: &Config,
        clock: Arc<dyn Clock>,
        adapters: sso::Adapters,
    ) -> anyhow::Result<Self> {
        cfg.check_production()?;
        check_adapters(cfg, &adapters)?;
        let public_url = cfg.public_url()?;
        let db = open_db(cfg).await?;
        let sso_cfg = sso::SsoConfig {
            issuer: format!("{public_url}/sso"),
            dev_pages: !cfg.production && adapters.dev_sms.is_some(),
            clients: cfg.sso.clients.clone(),
        };
        let sso = Sso::start(db.clone(), clock, sso_cfg, adapters).await.context("cannot start the sign-on")?;
        let demo_created = if cfg.demo_data && !cfg.production {
            sso::demo::seed_if_empty(&sso).await.context("cannot create demo data")?
        } else {
            false
        };
        let router = http::router(db.clone(), sso.clone());
        Ok(Self { listener, router, sso, db, public_url, demo_created })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    pub fn sso(&self) -> &Sso {
        &self.sso
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub fn demo_instructions(&self) -> Option<String> {
        self.demo_created.then(|| sso::demo::instructions(&self.public_url))
    }

    /// Serve until `shutdown` resolves, then finish in-flight requests, stop
    /// the workers and close the database.
    pub async fn run_until_stopped(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let checkpointer = self.db.spawn_checkpointer(stop_rx.clone());
        let worker = tokio::spawn(sso::outbox::run_worker(self.sso.clone(), stop_rx));
        let app = self.router.into_make_service_with_connect_info::<std::net::SocketAddr>();
        axum::serve(self.listener, app).with_graceful_shutdown(shutdown).await.context("server failed")?;
        let _ = stop_tx.send(true);
        let _ = worker.await;
        if let Some(c) = checkpointer {
            let _ = c.await;
        }
        self.db.close().await;
        Ok(())
    }
}
