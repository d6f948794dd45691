//! The sign-on's outbox worker (see [`adapters::outbox::Pump`]): it sends
//! as soon as a commit queues a message, many at once, and looks once a
//! second for retries and other nodes' rows; periodic purges are jobs
//! (`jobs`). It decides nothing about the rows it delivers.

use crate::{Sso, outbox};

/// Run the worker until `shutdown` resolves, then finish what is out.
pub async fn run_worker(sso: Sso, shutdown: tokio::sync::watch::Receiver<bool>) {
    let pump = adapters::outbox::Pump {
        db: sso.db(),
        outbox: outbox::OUTBOX,
        sms: &*sso.adapters().sms,
        clock: sso.clock(),
        code_ttl_ms: domain::policy::code::TTL_MS,
        wake: sso.outbox_wake(),
    };
    pump.run(shutdown).await;
}
