//! The registry's periodic jobs, in one place: each by name, with its
//! interval and what it calls, run by `adapters::jobs`'s scheduler on
//! `reg_jobs`, so that several nodes run each once per interval. The jobs
//! themselves live with what they tend (transfers, idempotency, sign-in,
//! uploads); this module only lists them, and nothing imports it but the
//! binary that starts the scheduler.

use std::time::Duration;

use adapters::jobs::{Job, JobFuture, Part, Scheduler};
use db::{Clock, Db};

use crate::{Registry, idempotency, signin, transfers, uploads};

/// The table the registry's jobs are kept in.
pub const TABLE: &str = "reg_jobs";

const MINUTE: Duration = Duration::from_secs(60);

impl Part for Registry {
    fn db(&self) -> &Db {
        Registry::db(self)
    }

    fn clock(&self) -> &dyn Clock {
        Registry::clock(self)
    }
}

/// The registry's jobs.
pub fn scheduler() -> Scheduler<Registry> {
    Scheduler::new(
        TABLE,
        vec![
            // Transfers no one completed in time.
            Job { name: "transfer_expiry", every: MINUTE, run: expire_transfers },
            // Answers to Idempotency-Key older than a day.
            Job { name: "idempotency_purge", every: MINUTE, run: purge_idempotency_keys },
            // The refresh tokens of idle page sessions, queued for revocation.
            Job { name: "stale_session_tokens", every: MINUTE, run: forget_stale_session_tokens },
            // Page sessions a day past their longest life.
            Job { name: "session_purge", every: MINUTE, run: purge_old_sessions },
            // Payment requests whose callback never came.
            Job { name: "payment_reconcile", every: MINUTE, run: reconcile_payments },
            // Replaced and unfinished uploads.
            Job { name: "upload_sweep", every: MINUTE, run: sweep_uploads },
            // SMS and buyer lookups older than they are kept.
            Job { name: "history_purge", every: Duration::from_secs(3600), run: purge_history },
        ],
    )
}

/// Run the registry's jobs until `shutdown`.
pub async fn run(reg: Registry, shutdown: tokio::sync::watch::Receiver<bool>) {
    scheduler().run(reg, shutdown).await;
}

fn expire_transfers(reg: Registry) -> JobFuture {
    Box::pin(async move { Ok(transfers::expire_due(&reg).await? as u64) })
}

fn reconcile_payments(reg: Registry) -> JobFuture {
    Box::pin(async move { Ok(transfers::reconcile::reconcile_due(&reg).await?) })
}

fn purge_idempotency_keys(reg: Registry) -> JobFuture {
    Box::pin(async move { Ok(idempotency::purge(&reg).await?) })
}

/// At most this many batches a run, so that a run stays far inside its
/// lease however large the backlog; the rest waits for the next minute.
const FORGET_BATCHES_PER_RUN: usize = 20;

/// A batch at a time; a busy hour's worth goes in several.
fn forget_stale_session_tokens(reg: Registry) -> JobFuture {
    Box::pin(async move {
        let mut forgotten = 0;
        for _ in 0..FORGET_BATCHES_PER_RUN {
            let n = signin::forget_stale_sessions(&reg).await?;
            forgotten += n;
            if n < signin::FORGET_BATCH {
                break;
            }
        }
        Ok(forgotten)
    })
}

fn purge_old_sessions(reg: Registry) -> JobFuture {
    Box::pin(async move { Ok(signin::purge_old_sessions(&reg).await?) })
}

fn purge_history(reg: Registry) -> JobFuture {
    Box::pin(async move { Ok(crate::outbox::purge_history(&reg).await?) })
}

fn sweep_uploads(reg: Registry) -> JobFuture {
    Box::pin(async move { Ok(uploads::sweep(&reg).await?) })
}
