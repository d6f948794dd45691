//! The registry's outbox (see `adapters::outbox`): SMS written in the same
//! transaction as the change that causes them, delivered by a worker after
//! commit; and the worker, which also runs the registry's minute sweep.

use std::time::Duration;

use adapters::outbox::Outbox;
pub use adapters::sms::SmsTag;
use db::WriteTx;

use crate::{Error, Registry};

const COALESCE_MS: u64 = 20;

/// Queue an SMS in `tx`; `tag` says what it is for (see [`SmsTag`]).
pub async fn enqueue(
    tx: &mut WriteTx,
    to: &str,
    body: &str,
    secret: bool,
    tag: &SmsTag,
    now: i64,
) -> Result<(), Error> {
    Ok(adapters::outbox::enqueue(tx, Outbox::Registry, to, body, secret, tag, now).await?)
}

/// What a transaction alert is for: `transfer_notice`, about the transfer
/// with this reference.
pub const ALERT_PURPOSE: &str = "transfer_notice";

/// Queue a transaction alert about the transfer `reference` for a party, in
/// one statement: to the person, if they take alerts; for an organisation,
/// to each of its admins and transactors who take alerts. Codes do not come
/// here: they are always sent.
pub async fn alert(tx: &mut WriteTx, party_id: &str, body: &str, reference: &str, now: i64) -> Result<(), Error> {
    sqlx::query(
        "INSERT INTO reg_outbox (to_phone, body, secret, purpose, reference, created_at, available_at) \
         SELECT p.phone, $2, 0, $4, $5, $3, $3 FROM reg_parties p \
         WHERE p.id = $1 AND p.kind = 'person' AND p.sms_alerts = 1 AND p.phone IS NOT NULL \
         UNION ALL \
         SELECT p.phone, $2, 0, $4, $5, $3, $3 FROM reg_org_members m JOIN reg_parties p ON p.id = m.person_id \
         WHERE m.org_id = $1 AND m.role IN ('admin', 'transactor') AND p.sms_alerts = 1 AND p.phone IS NOT NULL",
    )
    .bind(party_id)
    .bind(body)
    .bind(now)
    .bind(ALERT_PURPOSE)
    .bind(reference)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Deliver what is due, once. Returns how many messages were sent.
pub async fn deliver_due(reg: &Registry) -> Result<usize, Error> {
    let sms = &*reg.adapters().sms;
    Ok(adapters::outbox::deliver_due(reg.db(), Outbox::Registry, sms, reg.clock(), domain::policy::code::TTL_MS)
        .await?)
}

/// Run the worker until `shutdown`: deliver on every wake-up after a commit
/// and at least once a second; once a minute, expire stale transfers,
/// forget old idempotency answers, old page sessions and the refresh tokens
/// of idle sessions, delete replaced and unfinished uploads (which [`crate::revocation::run_worker`] then revokes).
pub async fn run_worker(reg: Registry, mut shutdown: tokio::sync::watch::Receiver<bool>) {
    let mut next_sweep = tokio::time::Instant::now();
    loop {
        if tokio::time::Instant::now() >= next_sweep {
            next_sweep += Duration::from_secs(60);
            match crate::transfers::expire_due(&reg).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(expired = n, "expired unanswered transfers"),
                Err(e) => tracing::warn!(error = %e, "transfer expiry pass failed"),
            }
            if let Err(e) = crate::api::purge_keys(&reg).await {
                tracing::warn!(error = %e, "purge of old idempotency keys failed");
            }
            if let Err(e) = crate::auth::purge_old_sessions(&reg).await {
                tracing::warn!(error = %e, "purge of old page sessions failed");
            }
            match crate::uploads::sweep(&reg).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(removed = n, "deleted replaced and unfinished uploads"),
                Err(e) => tracing::warn!(error = %e, "upload sweep failed"),
            }
            // A pass at a time; a busy hour's worth goes in several.
            loop {
                match crate::auth::forget_stale_sessions(&reg).await {
                    Ok(n) if n == crate::auth::FORGET_BATCH => continue,
                    Ok(_) => break,
                    Err(e) => {
                        tracing::warn!(error = %e, "forgetting the refresh tokens of stale sessions failed");
                        break;
                    }
                }
            }
        }
        match deliver_due(&reg).await {
            Ok(n) if n == adapters::outbox::BATCH => continue,
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "registry outbox delivery pass failed"),
        }
        tokio::select! {
            // A short wait after a wake-up lets a busy moment's messages go
            // out as one batch; a code still arrives within a blink.
            _ = reg.outbox_woken() => tokio::time::sleep(Duration::from_millis(COALESCE_MS)).await,
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = shutdown.changed() => return,
        }
    }
}
