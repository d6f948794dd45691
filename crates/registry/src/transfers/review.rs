//! Step 6: an officer with no part in the transfer approves it (ownership
//! changes through `vehicles::owners`, the new logbook is ordered, ready by
//! approval + 7 working days) or rejects it with a reason.

use db::WriteTx;
use domain::Date;
use domain::transfer::{Command, LogbookState, Party as Role, StaffAction, Step, logbook_ready_on};
use secure::new_id;
use texts::{Sms, Text as _, TransferRefusal};

use super::notify::tell;
use super::store::{self, Line, Logbook, Row, Val, who};
use super::view::{TransferView, view};
use super::{decide, lang, officiate, step, today_eat};
use crate::signin::Actor;
use crate::vehicles::owners;
use crate::{Error, FieldErrors, Registry, uploads};

#[tracing::instrument(skip_all, fields(transfer = %id, vehicle = tracing::field::Empty, actor = %actor.person.id))]
pub async fn review(
    reg: &Registry,
    actor: &Actor,
    id: &str,
    approve: bool,
    reason: Option<&str>,
) -> Result<TransferView, Error> {
    if !actor.is_staff() {
        return Err(Error::Forbidden(TransferRefusal::OfficersOnlyReview.render(lang(actor))));
    }
    if approve {
        // An officer approves only what they could check: the scan must open.
        uploads::scan_opens(reg, id, lang(actor)).await?;
    }
    let (mut tx, row, cons, _) = step(reg, actor, id).await?;
    officiate(actor, &row, &cons, StaffAction::Review)?;
    let reason = reason.map(str::trim).filter(|r| !r.is_empty()).map(str::to_string);
    if reason.as_ref().is_some_and(|r| r.len() > 500) {
        return Err(FieldErrors::single("reason", TransferRefusal::ReasonTooLong.render(lang(actor))));
    }
    let now = reg.now_ms();
    let (_, calendar) = reg.rules().await?;
    let cmd = if approve {
        Command::OfficerApprove
    } else {
        Command::OfficerReject { reason: reason.clone().unwrap_or_default() }
    };
    let line = Line::by(Step::of(&cmd), actor).detail(reason.as_deref());
    let t = decide(&row, &cons, cmd, &Role::Officer, lang(actor))?;
    let mut after = store::advance(&mut tx, &row, t.to, now, &[("reason", Val::Text(reason.clone()))], line).await?;
    let (reference, reg_no) = (row.reference.as_str(), row.reg_no.as_str());
    let office = row.collection_office.clone().unwrap_or_default();
    let sms = if approve {
        let ready = logbook_ready_on(&calendar, today_eat(now));
        after.logbook = Some(hand_over(&mut tx, &row, actor, &office, ready, now).await?);
        Sms::Approved { reference, reg_no, office: &office, ready }
    } else {
        Sms::Rejected { reference, reg_no, reason: reason.as_deref().unwrap_or_default() }
    };
    for id in [&row.seller_id, &row.buyer_id] {
        tell(&mut tx, id, &row, &sms, now).await?;
    }
    tx.commit().await?;
    reg.wake_outbox();
    metrics::counter!("tims_transfers_decided_total", "decision" => if approve { "approved" } else { "rejected" })
        .increment(1);
    view(reg, actor, after, cons).await
}

/// In an approval's transaction: the buyer becomes the vehicle's only owner
/// (a financier who consented has released it) and the new logbook is
/// ordered.
async fn hand_over(
    tx: &mut WriteTx,
    row: &Row,
    actor: &Actor,
    office: &str,
    ready: Date,
    now: i64,
) -> Result<Logbook, Error> {
    let serial = format!("LB{}", &new_id()[..10].to_ascii_uppercase());
    owners::hand_over(tx, &row.vehicle_id, &row.buyer_id, &serial, &row.id, who(actor), now).await?;
    let book =
        Logbook { serial, state: LogbookState::Printing, office: office.to_string(), ready_by: ready.to_string() };
    store::order_logbook(tx, row, &book, who(actor), now).await?;
    Ok(book)
}
