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
    },
}

fn init_logs(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
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

#[tokio::main]
async fn main() -> anyhow::Result<()> {
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
        Command::Sso { command } => {
            let db = tims::open_db(&cfg).await?;
            let now = clock.now_ms();
            match command {
                SsoCommand::RotateKey => {
                    let kid = sso::keys::rotate(&db, now).await.context("cannot rotate the signing key")?;
                    println!("{}", serde_json::json!({ "kid": kid }));
                    eprintln!(
                        "New signing key {kid}. Running servers use it within a minute; the old key stays published until its tokens expire."
                    );
                }
                SsoCommand::Client { command: ClientCommand::Add { id, redirect_uris, post_logout_redirect_uris } } => {
                    match sso::oidc::add_client(&db, &id, &redirect_uris, &post_logout_redirect_uris, now).await {
                        Ok(secret) => println!("{}", serde_json::json!({ "client_id": id, "client_secret": secret })),
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
    }
}
