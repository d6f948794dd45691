//! Step 2: the seller submits with the SMS code. Joint owners and the
//! financier are asked next, or the buyer when there are none.

use domain::ConsentRole;
use domain::transfer::{Command, Party as Role, State, Step};

use super::code::{CodeStep, check_code};
use super::notify::tell_buyer;
use super::store::{self, Line, Val};
use super::view::{TransferView, view};
use super::{machine, need, need_transactor, step};
use crate::signin::Actor;
use crate::{Error, FieldErrors, Registry, outbox};

#[tracing::instrument(skip_all, fields(transfer = %id, vehicle = tracing::field::Empty, actor = %actor.person.id))]
pub async fn submit(reg: &Registry, actor: &Actor, id: &str, code: &str) -> Result<TransferView, Error> {
    let (tx, row, cons, roles) = step(reg, actor, id).await?;
    need(&roles, |r| *r == Role::Seller, "the seller")?;
    need_transactor(actor)?;
    if row.logbook_key.is_none() {
        return Err(FieldErrors::single("logbook", "Upload the scanned logbook before you submit"));
    }
    let now = reg.now_ms();
    let t = machine(&row, &cons)?.apply(Command::SellerSubmit, &Role::Seller)?;
    let mut tx = check_code(reg, tx, actor, &row, CodeStep::Submit, code).await?;
    let set = [("submitted_at", Val::Int(now))];
    let after = store::advance(&mut tx, &row, t.to, now, &set, Line::by(Step::SellerSubmit, actor)).await?;
    let reg_no = row.reg_no.clone();
    if t.to == State::AwaitingBuyer {
        tell_buyer(&mut tx, &row, &reg_no, now).await?;
    } else {
        for c in &cons {
            let p = &c.party_id;
            let text = format!(
                "tims: the transfer {} of {reg_no} needs your consent as {}. Sign in to approve or refuse it.",
                row.reference,
                if c.role == ConsentRole::Financier { "financier" } else { "joint owner" }
            );
            outbox::alert(&mut tx, p, &text, &row.reference, now).await?;
        }
    }
    tx.commit().await?;
    reg.wake_outbox();
    view(reg, actor, after, cons).await
}
