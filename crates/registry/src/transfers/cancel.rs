//! The seller cancels, until the buyer accepts.

use domain::transfer::{Command, Party as Role, State, Step};

use super::notify::tell_all;
use super::store::{self, Line};
use super::view::{TransferView, view};
use super::{machine, need, need_transactor, step};
use crate::signin::Actor;
use crate::{Error, Registry};

#[tracing::instrument(skip_all, fields(transfer = %id, vehicle = tracing::field::Empty, actor = %actor.person.id))]
pub async fn cancel(reg: &Registry, actor: &Actor, id: &str) -> Result<TransferView, Error> {
    let (mut tx, row, cons, roles) = step(reg, actor, id).await?;
    need(&roles, |r| *r == Role::Seller, "the seller")?;
    need_transactor(actor)?;
    let now = reg.now_ms();
    let t = machine(&row, &cons)?.apply(Command::SellerCancel, &Role::Seller)?;
    let after = store::advance(&mut tx, &row, t.to, now, &[], Line::by(Step::SellerCancel, actor)).await?;
    if row.state != State::Draft {
        let reg_no = row.reg_no.clone();
        let text = format!("tims: the seller cancelled the transfer {} of {reg_no}.", row.reference);
        tell_all(&mut tx, &row, &cons, &text, now, false).await?;
    }
    tx.commit().await?;
    reg.wake_outbox();
    view(reg, actor, after, cons).await
}
