//! The sign-on's outbox worker: it delivers the outbox after every commit
//! (and at least once a second, for retries and other nodes' rows), and
//! does nothing else; periodic purges are jobs (`jobs`). It decides nothing
//! about the rows it delivers.

use std::time::Duration;

use crate::{Sso, outbox};

/// Run the worker until `shutdown` resolves: deliver on every wake-up after a
/// commit, and at least once a second for retries and other nodes' rows.
pub async fn run_worker(sso: Sso, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    loop {
        match outbox::deliver_due(&sso).await {
            Ok(n) if n == adapters::outbox::BATCH => continue,
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "outbox delivery pass failed"),
        }
        tokio::select! {
            _ = sso.outbox_woken() => {}
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = shutdown.changed() => return,
        }
    }
}
