//! Step 3: a joint owner or the financier approves or refuses with a code.
//! The last approval sends the transfer to the buyer; a refusal ends it.

use domain::ConsentDecision;
use domain::transfer::{Command, Party as Role, State, Step};
use texts::{Sms, StepTaker};

use super::code::{CodeStep, check_code};
use super::notify::{tell, tell_buyer};
use super::store::{self, Line};
use super::view::{TransferView, view};
use super::{decide, lang, need, need_transactor, step};
use crate::signin::Actor;
use crate::{Error, Registry};

#[tracing::instrument(skip_all, fields(transfer = %id, vehicle = tracing::field::Empty, actor = %actor.person.id))]
pub async fn consent(
    reg: &Registry,
    actor: &Actor,
    id: &str,
    approve: bool,
    code: &str,
) -> Result<TransferView, Error> {
    let (tx, row, mut cons, roles) = step(reg, actor, id).await?;
    let role = need(actor, &roles, |r| matches!(r, Role::CoOwner(_) | Role::Financier(_)), StepTaker::Consenter)?;
    need_transactor(actor)?;
    let now = reg.now_ms();
    let party_id = actor.principal_id().to_string();
    let cmd = Command::Consent { party_id: party_id.clone(), approve };
    let line = Line::by(Step::of(&cmd), actor);
    let t = decide(&row, &cons, cmd, &role, lang(actor))?;
    let mut tx =
        check_code(reg, tx, actor, &row, if approve { CodeStep::Approve } else { CodeStep::Refuse }, code).await?;
    let after = store::advance(&mut tx, &row, t.to, now, &[], line).await?;
    super::refund::on_end(reg, &mut tx, &row, t.to, now).await?;
    let decision = if approve { ConsentDecision::Approved } else { ConsentDecision::Refused };
    store::decide_consent(&mut tx, &row.id, &party_id, decision, &actor.person.id, now).await?;
    for c in cons.iter_mut().filter(|c| c.party_id == party_id) {
        c.decision = Some(decision);
    }
    match t.to {
        State::AwaitingBuyer => tell_buyer(&mut tx, &row, now).await?,
        State::ConsentRefused => {
            let sms = Sms::ConsentRefused { reference: &row.reference, reg_no: &row.reg_no };
            tell(&mut tx, &row.seller_id, &row, &sms, now).await?;
        }
        _ => {}
    }
    tx.commit().await?;
    reg.wake_outbox();
    view(reg, actor, after, cons).await
}
