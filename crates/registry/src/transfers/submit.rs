//! Step 2: the seller submits with the SMS code. Joint owners and the
//! financier are asked next, or the buyer when there are none.
//!
//! The same step resubmits a transfer an officer returned for a new scan:
//! with a scan uploaded since the return and the seller's SMS code, it goes
//! back to the officers' queue without a second payment (the fee, the
//! consents and the buyer's acceptance stand). It joins the queue at the
//! back, as a transfer paid just now would: what an officer must check is
//! new, its review deadline runs from now, and a transfer that came right
//! the first time is not made to wait behind it.

use domain::ConsentRole;
use domain::transfer::{Command, Deed, Party as Role, RejectReason, State, Step};
use texts::{Sms, StepRefusal, StepTaker, Text as _, TransferRefusal};

use db::WriteTx;

use super::code::{CodeStep, check_code};
use super::notify::{tell, tell_buyer};
use super::store::{self, Consenter, Line, Row, Val};
use super::view::{TransferView, view};
use super::{decide, lang, need, need_transactor, step, visible};
use crate::signin::Actor;
use crate::{Error, FieldErrors, Registry};

#[tracing::instrument(skip_all, fields(transfer = %id, vehicle = tracing::field::Empty, actor = %actor.person.id))]
pub async fn submit(reg: &Registry, actor: &Actor, id: &str, code: &str) -> Result<TransferView, Error> {
    let (tx, row, cons, roles) = step(reg, actor, id).await?;
    need(actor, &roles, |r| *r == Role::Seller, StepTaker::Seller)?;
    need_transactor(actor)?;
    if row.state == State::ReturnedForScan {
        return resubmit(reg, actor, tx, row, cons, code).await;
    }
    if row.logbook_key.is_none() {
        return Err(FieldErrors::single("logbook", TransferRefusal::UploadLogbookFirst.render(lang(actor))));
    }
    let now = reg.now_ms();
    let t = decide(&row, &cons, Command::SellerSubmit, &Role::Seller, lang(actor))?;
    let mut tx = check_code(reg, tx, actor, &row, CodeStep::Submit, code).await?;
    let set = [("submitted_at", Val::Int(now))];
    let after = store::advance(&mut tx, &row, t.to, now, &set, Line::by(Step::SellerSubmit, actor)).await?;
    ask_next(&mut tx, &row, &cons, t.to, now).await?;
    tx.commit().await?;
    reg.wake_outbox();
    view(reg, actor, after, cons).await
}

/// Ask whoever the transfer now waits for: the buyer, or each joint owner
/// and the financier. Nothing is asked of anyone while the seller's fee is
/// awaited (the pages tell the seller to pay).
pub(super) async fn ask_next(
    tx: &mut WriteTx,
    row: &Row,
    cons: &[Consenter],
    to: State,
    now: i64,
) -> Result<(), Error> {
    match to {
        State::AwaitingBuyer => tell_buyer(tx, row, now).await?,
        State::AwaitingConsents => {
            for c in cons {
                let role = match c.role {
                    ConsentRole::Financier => texts::ConsentRole::Financier,
                    ConsentRole::CoOwner => texts::ConsentRole::JointOwner,
                };
                let sms = Sms::ConsentNeeded { reference: &row.reference, reg_no: &row.reg_no, role };
                tell(tx, &c.party_id, row, &sms, now).await?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// A returned transfer back to review, with its new scan.
async fn resubmit(
    reg: &Registry,
    actor: &Actor,
    tx: WriteTx,
    row: Row,
    cons: Vec<Consenter>,
    code: &str,
) -> Result<TransferView, Error> {
    let now = reg.now_ms();
    let new_scan = row.logbook_key.is_some() && row.logbook_key != row.returned_scan;
    let t = decide(&row, &cons, Command::SellerResubmit { new_scan }, &Role::Seller, lang(actor))?;
    let mut tx = check_code(reg, tx, actor, &row, CodeStep::Submit, code).await?;
    let set = [("queued_at", Val::Int(now)), ("returned_scan", Val::Text(None))];
    let after = store::advance(&mut tx, &row, t.to, now, &set, Line::by(Step::SellerResubmit, actor)).await?;
    tx.commit().await?;
    view(reg, actor, after, cons).await
}

/// What the seller checks before resubmitting a returned transfer.
#[derive(Debug, Clone)]
pub struct Resubmission {
    pub id: String,
    pub reference: String,
    pub reg_no: String,
    pub reason: Option<RejectReason>,
    /// The officer's own words, if any.
    pub note: Option<String>,
    /// The kind of the scan uploaded since the return (application/pdf,
    /// image/jpeg or image/png), if there is one yet.
    pub new_scan: Option<String>,
    pub fee: String,
}

/// A returned transfer as its seller resubmits it.
#[tracing::instrument(skip_all, fields(transfer = %id, vehicle = tracing::field::Empty, actor = %actor.person.id))]
pub async fn resubmission(reg: &Registry, actor: &Actor, id: &str) -> Result<Resubmission, Error> {
    let (row, _, roles) = visible(reg, actor, id).await?;
    need(actor, &roles, |r| *r == Role::Seller, StepTaker::Seller)?;
    if row.state != State::ReturnedForScan {
        let refusal = StepRefusal::NotNow { state: row.state, deed: Deed::Resubmit };
        return Err(Error::Conflict(refusal.render(lang(actor))));
    }
    let new_scan = row.logbook_type.filter(|_| row.logbook_key.is_some() && row.logbook_key != row.returned_scan);
    Ok(Resubmission {
        id: row.id,
        reference: row.reference,
        reg_no: row.reg_no,
        reason: row.reason_code,
        note: row.reason,
        new_scan,
        fee: domain::fees::format_kes(row.fee_cents),
    })
}
