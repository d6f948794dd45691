//! Step 6: an officer with no part in the transfer decides it. Approving
//! changes ownership through `vehicles::owners` and orders the new logbook
//! (ready by approval + 7 working days). Rejecting names a reason from the
//! list (`domain::transfer::RejectReason`) with the officer's own words: a
//! reason about the scan returns the transfer to the seller for a new one
//! (the fee stays paid, the consents and the buyer's acceptance stand, and
//! the seller has the usual expiry period again to resubmit); any other
//! ends it. The parties are told by SMS, in the step's transaction.

use db::WriteTx;
use domain::Date;
use domain::policy::DAY_MS;
use domain::transfer::{
    Command, LogbookState, Party as Role, RejectReason, StaffAction, State, Step, logbook_ready_on,
};
use secure::new_id;
use texts::{Sms, Text as _, TransferRefusal};

use super::notify::tell;
use super::store::{self, Line, Logbook, Row, Val, who};
use super::view::{TransferView, view};
use super::{decide, lang, officiate, step, today_eat};
use crate::signin::Actor;
use crate::vehicles::owners;
use crate::{Error, Registry, uploads};

/// What an officer decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision<'a> {
    Approve,
    /// `note` is the officer's own words (required with another reason).
    Reject {
        reason: RejectReason,
        note: &'a str,
    },
}

#[tracing::instrument(skip_all, fields(transfer = %id, vehicle = tracing::field::Empty, actor = %actor.person.id))]
pub async fn review(reg: &Registry, actor: &Actor, id: &str, decision: Decision<'_>) -> Result<TransferView, Error> {
    if !actor.is_staff() {
        return Err(Error::Forbidden(TransferRefusal::OfficersOnlyReview.render(lang(actor))));
    }
    if decision == Decision::Approve {
        // An officer approves only what they could check: the scan must open.
        uploads::scan_opens(reg, id, lang(actor)).await?;
    }
    let (mut tx, row, cons, _) = step(reg, actor, id).await?;
    officiate(actor, &row, &cons, StaffAction::Review)?;
    let now = reg.now_ms();
    let cmd = match decision {
        Decision::Approve => Command::OfficerApprove,
        Decision::Reject { reason, note } => Command::OfficerReject { reason, note: note.trim().to_string() },
    };
    let t = decide(&row, &cons, cmd.clone(), &Role::Officer, lang(actor))?;
    let line = Line::by(Step::of(&cmd), actor);
    let (reference, reg_no) = (row.reference.as_str(), row.reg_no.as_str());
    let after = match cmd {
        Command::OfficerReject { reason, note } => {
            let note = Some(note).filter(|n| !n.is_empty());
            let detail = match &note {
                Some(n) => format!("{}: {n}", reason.as_str()),
                None => reason.as_str().to_string(),
            };
            let mut set =
                vec![("reason", Val::Text(note)), ("reason_code", Val::Text(Some(reason.as_str().to_string())))];
            if t.to == State::ReturnedForScan {
                // The seller has the usual time again to send a new scan.
                let expires = now + i64::from(reg.config().transfer_expiry_days) * DAY_MS;
                set.extend([("returned_scan", Val::Text(row.logbook_key.clone())), ("expires_at", Val::Int(expires))]);
            }
            let after = store::advance(&mut tx, &row, t.to, now, &set, line.detail(Some(&detail))).await?;
            if t.to == State::ReturnedForScan {
                tell(&mut tx, &row.seller_id, &row, &Sms::ReturnedForScan { reference, reg_no, reason }, now).await?;
                tell(&mut tx, &row.buyer_id, &row, &Sms::ReturnedToSeller { reference, reg_no }, now).await?;
            } else {
                super::refund::on_end(reg, &mut tx, &row, t.to, now).await?;
                let sms = Sms::Rejected { reference, reg_no, reason };
                for id in [&row.seller_id, &row.buyer_id] {
                    tell(&mut tx, id, &row, &sms, now).await?;
                }
            }
            after
        }
        _ => approve(reg, &mut tx, &row, line, now).await?,
    };
    tx.commit().await?;
    reg.wake_outbox();
    let decided = match t.to {
        State::Approved => "approved",
        State::ReturnedForScan => "returned",
        _ => "rejected",
    };
    metrics::counter!("tims_transfers_decided_total", "decision" => decided).increment(1);
    view(reg, actor, after, cons).await
}

/// In the approval's transaction: the transfer is approved, the buyer
/// becomes the owner, the new logbook is ordered, and both parties are told.
async fn approve(reg: &Registry, tx: &mut WriteTx, row: &Row, line: Line<'_>, now: i64) -> Result<Row, Error> {
    let actor = line.actor.ok_or_else(|| Error::Internal("an approval without its officer".into()))?;
    let (_, calendar) = reg.rules().await?;
    // A reason left from a return for a new scan no longer applies.
    let set = [("reason", Val::Text(None)), ("reason_code", Val::Text(None))];
    let mut after = store::advance(tx, row, State::Approved, now, &set, line).await?;
    let office = row.collection_office.clone().unwrap_or_default();
    let ready = logbook_ready_on(&calendar, today_eat(now));
    after.logbook = Some(hand_over(tx, row, actor, &office, ready, now).await?);
    let sms = Sms::Approved { reference: &row.reference, reg_no: &row.reg_no, office: &office, ready };
    for id in [&row.seller_id, &row.buyer_id] {
        tell(tx, id, row, &sms, now).await?;
    }
    Ok(after)
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
