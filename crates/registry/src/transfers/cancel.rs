//! The seller cancels, until the buyer accepts. A fee the seller paid on
//! submitting follows the schedule's rule (see `refund`).

use domain::transfer::{Command, Party as Role, State, Step};
use texts::{Sms, StepTaker};

use super::notify::tell_all;
use super::store::{self, Line};
use super::view::{TransferView, view};
use super::{decide, lang, need, need_transactor, step};
use crate::signin::Actor;
use crate::{Error, Registry};

#[tracing::instrument(skip_all, fields(transfer = %id, vehicle = tracing::field::Empty, actor = %actor.person.id))]
pub async fn cancel(reg: &Registry, actor: &Actor, id: &str) -> Result<TransferView, Error> {
    let (mut tx, row, cons, roles) = step(reg, actor, id).await?;
    need(actor, &roles, |r| *r == Role::Seller, StepTaker::Seller)?;
    need_transactor(actor)?;
    let now = reg.now_ms();
    let t = decide(&row, &cons, Command::SellerCancel, &Role::Seller, lang(actor))?;
    let after = store::advance(&mut tx, &row, t.to, now, &[], Line::by(Step::SellerCancel, actor)).await?;
    super::refund::on_end(reg, &mut tx, &row, t.to, now).await?;
    if row.state != State::Draft {
        let sms = Sms::SellerCancelled { reference: &row.reference, reg_no: &row.reg_no };
        tell_all(&mut tx, &row, &cons, &sms, now, false).await?;
    }
    tx.commit().await?;
    reg.wake_outbox();
    view(reg, actor, after, cons).await
}
