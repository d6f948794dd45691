//! Expiry: open transfers no one completed in time end, and everyone named
//! in them is told. Run by the periodic sweep.
//!
//! A transfer an officer returned for a new scan expires like the others
//! when the seller never resubmits it (the return gives the seller the
//! usual period again). A fee paid on it follows the schedule's rule on
//! expiry (see `refund`): refunded by staff, or kept.

use domain::transfer::{Command, Party as Role, Step};
use texts::Sms;

use super::machine;
use super::notify::tell_all;
use super::store::{self, Line};
use crate::{Error, Registry};

/// Expire open transfers no one completed in time. Returns how many.
#[tracing::instrument(skip_all)]
pub async fn expire_due(reg: &Registry) -> Result<usize, Error> {
    let now = reg.now_ms();
    let due = store::due_to_expire(reg.db(), now).await?;
    let mut n = 0;
    for id in due {
        if expire(reg, &id, now).await? {
            n += 1;
        }
    }
    if n > 0 {
        reg.wake_outbox();
    }
    Ok(n)
}

/// Expire one transfer, unless someone moved it meanwhile.
#[tracing::instrument(skip_all, fields(transfer = %id))]
async fn expire(reg: &Registry, id: &str, now: i64) -> Result<bool, Error> {
    let mut tx = reg.db().begin_write().await?;
    let Some((row, cons)) = store::load(&mut tx, id).await? else { return Ok(false) };
    let Ok(t) = machine(&row, &cons)?.apply(Command::Expire, &Role::System) else { return Ok(false) };
    match store::advance(&mut tx, &row, t.to, now, &[], Line::system(Step::Expire)).await {
        Ok(_) => {}
        Err(Error::Conflict(_)) => return Ok(false),
        Err(e) => return Err(e),
    }
    super::refund::on_end(reg, &mut tx, &row, t.to, now).await?;
    let sms = Sms::Expired { reference: &row.reference, reg_no: &row.reg_no };
    tell_all(&mut tx, &row, &cons, &sms, now, true).await?;
    tx.commit().await?;
    Ok(true)
}
