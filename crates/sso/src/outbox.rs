//! The sign-on's outbox (see `adapters::outbox`): messages written in the
//! same transaction as the change that causes them, and their delivery
//! after commit (run by `worker`). It knows nothing of why a message is
//! sent.

use adapters::outbox::Outbox;
pub use adapters::sms::SmsTag;
use db::WriteTx;

use crate::{Error, Sso};

/// The sign-on's outbox table.
pub const OUTBOX: Outbox = Outbox::new("sso_outbox");

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

/// Deliver what is due, once. Returns how many messages were sent.
pub async fn deliver_due(sso: &Sso) -> Result<usize, Error> {
    let sms = &*sso.adapters().sms;
    Ok(adapters::outbox::deliver_due(sso.db(), OUTBOX, sms, sso.clock(), domain::policy::code::TTL_MS).await?)
}
