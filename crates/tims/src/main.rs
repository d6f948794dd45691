//! The `tims` command line: `serve`, `migrate`, and the sign-on's operator
//! commands.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use db::{Clock, SystemClock};
use tims::{Application, Config};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "tims", version, about = "A national motor-vehicle registry and its sign-on")]
struct Cli {
    /// A TOML configuration file (defaults < file < TIMS_* environment < flags).
    #[arg(long, global = true, env = "TIMS_CONFIG")]
    config: Option<PathBuf>,
    /// Directory for the SQLite database and uploads.
    #[arg(long, global = true)]
    data: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (the default command).
    Serve {
        /// Address to listen on, e.g. 127.0.0.1:8080.
        #[arg(long)]
        listen: Option<std::net::SocketAddr>,
        /// Refuse development adapters and insecure settings.
        #[arg(long)]
        production: bool,
    },
    /// Run the database migrations and exit.
    Migrate,
    /// The sign-on's operator commands.
    Sso {
        #[command(subcommand)]
        command: SsoCommand,
    },
    /// The agency's staff in the registry.
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// Gazetted public holidays (the fixed ones and Easter are built in).
    Holidays {
        #[command(subcommand)]
        command: HolidaysCommand,
    },
    /// The transfer fee schedules.
    Fees {
        #[command(subcommand)]
        command: FeesCommand,
    },
    /// Development helpers (refused in production mode).
    Dev {
        #[command(subcommand)]
        command: DevCommand,
    },
}

#[derive(Subcommand)]
enum DevCommand {
    /// Print an access token for the API for an existing account, as the
    /// sign-on's token endpoint would issue it, without signing in. Run it
    /// with the server's configuration (public address, database, secrets
    /// key). Refused in production mode.
    Token {
        #[arg(long = "id-number")]
        id_number: String,
        /// citizen (national ID), resident (alien ID) or foreigner (passport).
        #[arg(long = "type", default_value = "citizen")]
        account_type: String,
        /// A registered client with API access; by default the registry's own.
        #[arg(long)]
        client: Option<String>,
    },
}

#[derive(Subcommand)]
enum StaffCommand {
    /// Grant a staff role (officer, supervisor or admin) to a person by ID number.
    Grant {
        #[arg(long = "id-number")]
        id_number: String,
        /// citizen (national ID), resident (alien ID) or foreigner (passport).
        #[arg(long = "type", default_value = "citizen")]
        account_type: String,
        #[arg(long)]
        role: String,
    },
}

#[derive(Subcommand)]
enum HolidaysCommand {
    /// Add a gazetted holiday, e.g. --date 2026-03-20 --name "Idd-ul-Fitr".
    Add {
        #[arg(long)]
        date: String,
        #[arg(long)]
        name: String,
    },
    /// List the public holidays of a year.
    List {
        #[arg(long)]
        year: i32,
    },
}

#[derive(Subcommand)]
enum FeesCommand {
    /// Load a new schedule from a JSON file (version, effective_from, bands);
    /// it applies from its effective date, without a release.
    Load { file: PathBuf },
    /// Print the loaded schedules as JSON.
    List,
}

#[derive(Subcommand)]
enum SsoCommand {
    /// Add a new signing key; the old one stays published until its tokens expire.
    RotateKey,
    /// Clients (relying parties).
    Client {
        #[command(subcommand)]
        command: ClientCommand,
    },
}

#[derive(Subcommand)]
enum ClientCommand {
    /// Register a client; prints its id and generated secret as JSON.
    Add {
        #[arg(long)]
        id: String,
        /// Exact redirect URI; repeat for several.
        #[arg(long = "redirect-uri", required = true)]
        redirect_uris: Vec<String>,
        /// Exact address allowed after sign-out; repeat for several.
        #[arg(long = "post-logout-redirect-uri")]
        post_logout_redirect_uris: Vec<String>,
        /// Let the client call the registry's API: its access tokens name
        /// the API (audience tims-api) beside the client's id.
        #[arg(long)]
        api: bool,
    },
}

fn init_logs(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    // Colour codes only for a person at a terminal: a file, a pipe or a log
    // collector gets plain text (logs go to stderr). NO_COLOR is honoured.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr()) && std::env::var_os("NO_COLOR").is_none();
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
    if format == "json" {
        builder.json().with_current_span(true).init();
    } else {
        builder.init();
    }
}

/// The shutdown signal, with its handlers installed now (not when first
/// polled), so a SIGTERM right after start-up is a clean stop.
fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let (mut term, mut int) = {
        use tokio::signal::unix::{SignalKind, signal};
        (signal(SignalKind::terminate()).ok(), signal(SignalKind::interrupt()).ok())
    };
    async move {
        #[cfg(unix)]
        {
            let term = async {
                match term.as_mut() {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            let int = async {
                match int.as_mut() {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! { _ = term => {}, _ = int => {} }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        tracing::info!("shutting down: finishing requests in flight");
    }
}

/// A registry error as one line for the operator.
fn cli_error(e: registry::Error) -> String {
    match e {
        registry::Error::Invalid(f) => f.0.iter().map(|(k, m)| format!("{k}: {m}")).collect::<Vec<_>>().join("; "),
        other => other.to_string(),
    }
}

fn main() -> anyhow::Result<()> {
    // Workers look at the shared queue every few tasks instead of every 61.
    // Tasks woken from outside the runtime land there, among them a write
    // transaction whose statement SQLite has just finished on its own
    // thread; while it waits its turn behind a worker's local queue it holds
    // the database's one write lock, and every other writer waits too.
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .global_queue_interval(GLOBAL_QUEUE_INTERVAL)
        // Workers keep their read snapshot between requests, and give it
        // back when they have nothing to do, so the log can be copied into
        // the database (see db::read).
        .on_thread_start(db::read::keep_snapshots_on_this_thread)
        .on_thread_park(db::read::release_thread_snapshots)
        .build()?
        .block_on(run())
}

const GLOBAL_QUEUE_INTERVAL: u32 = 4;

async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let mut cfg = Config::load(cli.config.as_deref())?;
    if let Some(d) = cli.data {
        cfg.data = d;
    }
    init_logs(&cfg.log_format);
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    match cli.command.unwrap_or(Command::Serve { listen: None, production: false }) {
        Command::Serve { listen, production } => {
            if let Some(l) = listen {
                cfg.listen = l;
            }
            cfg.production |= production;
            // What the configuration itself refuses first, then its adapters.
            cfg.check_production()?;
            let adapters = tims::sso_adapters(&cfg, clock.clone())?;
            let app = Application::build(&cfg, clock, adapters).await?;
            let stop = shutdown_signal();
            if let Some(text) = app.demo_instructions() {
                eprintln!("\n{text}");
            }
            tracing::info!(listen = %cfg.listen, public_url = %cfg.public_url, production = cfg.production, "tims is serving");
            app.run_until_stopped(stop).await
        }
        Command::Migrate => {
            let db = tims::open_db(&cfg).await?;
            db.close().await;
            tracing::info!("migrations are up to date");
            Ok(())
        }
        Command::Staff { command: StaffCommand::Grant { id_number, account_type, role } } => {
            let db = tims::open_db(&cfg).await?;
            let kind = domain::AccountType::parse(&account_type).map_err(|e| anyhow::anyhow!("--type: {e}"))?;
            let role = registry::parties::StaffRole::parse(&role).map_err(|e| anyhow::anyhow!("--role: {e}"))?;
            registry::parties::grant_staff(&db, clock.now_ms(), kind, &id_number, role, "tims staff grant")
                .await
                .map_err(|e| anyhow::anyhow!("{}", cli_error(e)))?;
            db.close().await;
            eprintln!("{} {id_number} is now {} in the registry.", kind.document(), role.as_str());
            Ok(())
        }
        Command::Holidays { command } => holidays(&cfg, command, clock.now_ms()).await,
        Command::Fees { command } => fees(&cfg, command, clock.now_ms()).await,
        Command::Dev { command: DevCommand::Token { id_number, account_type, client } } => {
            let t = tims::dev_access_token(&cfg, clock, &account_type, &id_number, client.as_deref()).await?;
            println!("{}", t.access_token);
            eprintln!(
                "Access token for {account_type} {id_number} (audience {}, scope \"{}\"), valid {} minutes. \
                 Try: curl -H \"Authorization: Bearer $TOKEN\" {}/api/v1/me",
                t.audience.join(", "),
                sso::oidc::DEV_TOKEN_SCOPE,
                t.expires_in_secs / 60,
                cfg.public_url()?
            );
            Ok(())
        }
        Command::Sso { command } => sso_command(&cfg, command, clock.now_ms()).await,
    }
}

/// `tims holidays …`
async fn holidays(cfg: &Config, command: HolidaysCommand, now: i64) -> anyhow::Result<()> {
    let db = tims::open_db(cfg).await?;
    match command {
        HolidaysCommand::Add { date, name } => {
            let day = domain::Date::parse(&date).map_err(|e| anyhow::anyhow!("--date: {e}"))?;
            registry::add_holiday(&db, day, &name, now).await.map_err(|e| anyhow::anyhow!("{}", cli_error(e)))?;
            eprintln!("{day} ({}) is a public holiday. Running servers use it within a minute.", name.trim());
        }
        HolidaysCommand::List { year } => {
            let (_, calendar) = registry::read_rules(&db).await.map_err(|e| anyhow::anyhow!("{}", cli_error(e)))?;
            for h in calendar.holidays_in_year(year) {
                println!("{}  {}", h.date, h.name);
            }
        }
    }
    db.close().await;
    Ok(())
}

/// `tims fees …`
async fn fees(cfg: &Config, command: FeesCommand, now: i64) -> anyhow::Result<()> {
    let db = tims::open_db(cfg).await?;
    match command {
        FeesCommand::Load { file } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let schedule: domain::fees::FeeSchedule =
                serde_json::from_str(&text).with_context(|| format!("{} is not a fee schedule", file.display()))?;
            registry::store_fee_schedule(&db, &schedule, now).await.map_err(|e| anyhow::anyhow!("{}", cli_error(e)))?;
            eprintln!(
                "Fee schedule {} loaded; it applies from {}. Running servers use it within a minute.",
                schedule.version, schedule.effective_from
            );
        }
        FeesCommand::List => {
            let (fees, _) = registry::read_rules(&db).await.map_err(|e| anyhow::anyhow!("{}", cli_error(e)))?;
            println!("{}", serde_json::to_string_pretty(fees.all())?);
        }
    }
    db.close().await;
    Ok(())
}

/// `tims sso …`
async fn sso_command(cfg: &Config, command: SsoCommand, now: i64) -> anyhow::Result<()> {
    let db = tims::open_db(cfg).await?;
    match command {
        SsoCommand::RotateKey => {
            let kid = sso::keys::rotate(&db, now, &tims::signing_key_wrap(cfg))
                .await
                .context("cannot rotate the signing key")?;
            println!("{}", serde_json::json!({ "kid": kid }));
            eprintln!(
                "New signing key {kid}. Running servers use it within a minute; the old key stays published until its tokens expire."
            );
        }
        SsoCommand::Client { command: ClientCommand::Add { id, redirect_uris, post_logout_redirect_uris, api } } => {
            let client = sso::oidc::NewClient { id, redirect_uris, post_logout_redirect_uris, api };
            match sso::oidc::add_client(&db, &client, now).await {
                Ok(secret) => {
                    println!("{}", serde_json::json!({ "client_id": client.id, "client_secret": secret, "api": api }));
                    eprintln!(
                        "Client {} is registered and usable at once{}. Its secret is shown only this once.",
                        client.id,
                        if api {
                            format!("; its access tokens are for the API (audience {})", sso::oidc::API_AUDIENCE)
                        } else {
                            String::new()
                        }
                    );
                }
                Err(sso::Error::Invalid(fe)) => {
                    let msgs: Vec<String> =
                        fe.0.iter().map(|(f, m)| format!("--{}: {m}", f.replace('_', "-"))).collect();
                    anyhow::bail!("{}", msgs.join("\n"));
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    db.close().await;
    Ok(())
}
