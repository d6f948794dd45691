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

/// How long the registry keeps an SMS that left the queue (sent, delivered,
/// failed or given up on): the staff's history of a number looks back this
/// far. A message still queued is never purged.
pub const KEEP_SMS_MS: i64 = 180 * domain::policy::DAY_MS;
/// How long a buyer lookup is kept (who looked up whom, `reg_buyer_lookups`):
/// the budget looks back a day, an inquiry into misuse a year.
pub const KEEP_LOOKUPS_MS: i64 = 365 * domain::policy::DAY_MS;
/// Rows one purge statement removes at most, so that a large backlog goes
/// in short transactions.
const PURGE_BATCH: i64 = 5_000;
/// Batches a run at most; the rest waits for the next hour.
const PURGE_BATCHES: usize = 20;

/// Remove the SMS and buyer lookups older than they are kept; how many.
pub async fn purge_history(reg: &Registry) -> Result<u64, Error> {
    let now = reg.now_ms();
    let steps = [
        (
            "DELETE FROM reg_outbox WHERE id IN (SELECT id FROM reg_outbox WHERE created_at < $1 \
             AND status <> 'queued' ORDER BY created_at LIMIT $2)",
            now - KEEP_SMS_MS,
        ),
        (
            "DELETE FROM reg_buyer_lookups WHERE id IN (SELECT id FROM reg_buyer_lookups WHERE at < $1 \
             ORDER BY at LIMIT $2)",
            now - KEEP_LOOKUPS_MS,
        ),
    ];
    let mut removed = 0;
    for (sql, before) in steps {
        for _ in 0..PURGE_BATCHES {
            let q = sqlx::query(sql).bind(before).bind(PURGE_BATCH);
            let n = reg.db().execute_write(q).await?.rows_affected();
            removed += n;
            if n < PURGE_BATCH as u64 {
                break;
            }
        }
    }
    Ok(removed)
}
