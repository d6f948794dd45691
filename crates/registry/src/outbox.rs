//! The registry's outbox (see `adapters::outbox`), `reg_outbox`: SMS
//! written in the same transaction as the change that causes them, and the
//! worker that delivers them after commit. It only delivers: the periodic
//! jobs are the scheduler's (see the `jobs` module). It knows nothing of
//! why a message is sent.

use adapters::outbox::Outbox;
pub use adapters::sms::SmsTag;
use db::WriteTx;

use crate::{Error, Registry};

/// The registry's outbox table.
pub const OUTBOX: Outbox = Outbox::new("reg_outbox");

/// Queue an SMS in `tx`; `tag` says what it is for (see [`SmsTag`]).
pub async fn enqueue(
    tx: &mut WriteTx,
    to: &str,
    body: &str,
    secret: bool,
    tag: &SmsTag,
    now: i64,
) -> Result<(), Error> {
    Ok(adapters::outbox::enqueue(tx, OUTBOX, to, body, secret, tag, now).await?)
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
    Ok(adapters::outbox::deliver_due(reg.db(), OUTBOX, sms, reg.clock(), domain::policy::code::TTL_MS).await?)
}

/// Run the worker until `shutdown` (see [`adapters::outbox::Pump`]): it
/// sends as soon as a commit queues a message, many at once.
pub async fn run_worker(reg: Registry, shutdown: tokio::sync::watch::Receiver<bool>) {
    let pump = adapters::outbox::Pump {
        db: reg.db(),
        outbox: OUTBOX,
        sms: &*reg.adapters().sms,
        clock: reg.clock(),
        code_ttl_ms: domain::policy::code::TTL_MS,
        wake: reg.outbox_wake(),
    };
    pump.run(shutdown).await;
}
