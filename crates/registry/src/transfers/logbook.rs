//! Step 7: staff move the new logbook on: printing → ready for collection →
//! collected. The buyer is told when it is ready.

use domain::transfer::{LogbookState, StaffAction, Step};

use super::store::{self, Line};
use super::view::TransferView;
use super::{get, officiate, visible};
use crate::signin::Actor;
use crate::{Error, FieldErrors, Registry, outbox};

#[tracing::instrument(skip_all, fields(transfer = %id, vehicle = tracing::field::Empty, actor = %actor.person.id))]
pub async fn advance_logbook(reg: &Registry, actor: &Actor, id: &str, to: &str) -> Result<TransferView, Error> {
    if !actor.is_staff() {
        return Err(Error::Forbidden("Only the agency's staff can update a logbook".into()));
    }
    let to = LogbookState::parse(to).map_err(|e| FieldErrors::single("state", e.message))?;
    let (row, cons, _) = visible(reg, actor, id).await?;
    officiate(actor, &row, &cons, StaffAction::Logbook)?;
    let now = reg.now_ms();
    let mut tx = reg.db().begin_write().await?;
    let Some((from, office)) = store::logbook_in(&mut tx, &row.id).await? else {
        return Err(Error::Conflict("This transfer has no logbook yet: it is ordered when an officer approves".into()));
    };
    from.advance(to).map_err(|e| Error::Conflict(e.to_string()))?;
    store::move_logbook(&mut tx, &row.id, from, to, now).await?;
    let step = Step::logbook(to).ok_or_else(|| Error::Internal("a logbook moved back to printing".into()))?;
    store::advance(&mut tx, &row, row.state, now, &[], Line::by(step, actor)).await?;
    if to == LogbookState::ReadyForCollection {
        let buyer = &row.buyer_id;
        let text = format!("tims: the new logbook for transfer {} is ready for collection at {office}.", row.reference);
        outbox::alert(&mut tx, buyer, &text, &row.reference, now).await?;
    }
    tx.commit().await?;
    reg.wake_outbox();
    get(reg, actor, &row.id).await
}
