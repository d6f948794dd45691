//! Step 7: staff move the new logbook on: printing → ready for collection →
//! collected. The buyer is told when it is ready.

use domain::transfer::{LogbookState, StaffAction, Step};
use texts::{Sms, StepRefusal, Text as _, TransferRefusal};

use super::notify::tell;
use super::store::{self, Line};
use super::view::TransferView;
use super::view::view;
use super::{get, lang, officiate, visible};
use crate::signin::Actor;
use crate::{Error, FieldErrors, Registry};

#[tracing::instrument(skip_all, fields(transfer = %id, vehicle = tracing::field::Empty, actor = %actor.person.id))]
pub async fn advance_logbook(reg: &Registry, actor: &Actor, id: &str, to: &str) -> Result<TransferView, Error> {
    if !actor.is_staff() {
        return Err(Error::Forbidden(TransferRefusal::StaffOnlyLogbook.render(lang(actor))));
    }
    let to = LogbookState::parse(to).map_err(|e| FieldErrors::single("state", e.message))?;
    let (row, cons, _) = visible(reg, actor, id).await?;
    officiate(actor, &row, &cons, StaffAction::Logbook)?;
    let now = reg.now_ms();
    let mut tx = reg.db().begin_write().await?;
    let Some((from, office)) = store::logbook_in(&mut tx, &row.id).await? else {
        return Err(Error::Conflict(TransferRefusal::NoLogbookYet.render(lang(actor))));
    };
    from.advance(to)
        .map_err(|e| Error::Conflict(StepRefusal::LogbookOutOfOrder { from: e.from, to: e.to }.render(lang(actor))))?;
    store::move_logbook(&mut tx, &row.id, from, to, now, lang(actor)).await?;
    let step = Step::logbook(to).ok_or_else(|| Error::Internal("a logbook moved back to printing".into()))?;
    store::advance(&mut tx, &row, row.state, now, &[], Line::by(step, actor)).await?;
    if to == LogbookState::ReadyForCollection {
        let sms = Sms::LogbookReady { reference: &row.reference, office: &office };
        tell(&mut tx, &row.buyer_id, &row, &sms, now).await?;
    }
    tx.commit().await?;
    reg.wake_outbox();
    get(reg, actor, &row.id).await
}

/// The step the new logbook takes next, for staff with no part in the
/// transfer to confirm (the page that asks before `advance_logbook`).
#[tracing::instrument(skip_all, fields(transfer = %id, vehicle = tracing::field::Empty, actor = %actor.person.id))]
pub async fn next_logbook(reg: &Registry, actor: &Actor, id: &str) -> Result<(TransferView, LogbookState), Error> {
    if !actor.is_staff() {
        return Err(Error::Forbidden(TransferRefusal::StaffOnlyLogbook.render(lang(actor))));
    }
    let (row, cons, _) = visible(reg, actor, id).await?;
    officiate(actor, &row, &cons, StaffAction::Logbook)?;
    let Some(book) = &row.logbook else {
        return Err(Error::Conflict(TransferRefusal::NoLogbookYet.render(lang(actor))));
    };
    let Some(next) = book.state.next() else {
        return Err(Error::Conflict(TransferRefusal::LogbookCollected.render(lang(actor))));
    };
    Ok((view(reg, actor, row, cons).await?, next))
}
