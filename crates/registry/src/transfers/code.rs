//! Security verification for the steps that need it: an SMS code for one
//! step of one transfer, sent to the phone of the person taking it, and
//! checked in the step's transaction.

use db::WriteTx;
use domain::transfer::{Party as Role, State};
use serde::{Deserialize, Serialize};
use texts::{CodeFor, StepRefusal, Text as _, TransferRefusal};

use super::store::Row;
use super::{lang, need_transactor, visible};
use crate::signin::Actor;
use crate::{Error, FieldErrors, Registry, codes, outbox, parties};

/// The steps that need an SMS code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CodeStep {
    Submit,
    Consent,
    Answer,
}

impl CodeStep {
    /// The step `raw` names. Its refusal is read by no known party: the
    /// API does not yet say whose language it answers in.
    pub fn parse(raw: &str) -> Result<Self, Error> {
        let lang = parties::NO_PARTY_LANG;
        match raw.trim() {
            "submit" => Ok(Self::Submit),
            "consent" => Ok(Self::Consent),
            "answer" => Ok(Self::Answer),
            _ => Err(FieldErrors::single("step", StepRefusal::ChooseCodeStep.render(lang))),
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Consent => "consent",
            Self::Answer => "answer",
        }
    }

    fn purpose(self, transfer_id: &str) -> String {
        format!("transfer:{transfer_id}:{}", self.as_str())
    }

    /// What the SMS with the code is for: `transfer_submit`, and so on.
    fn sms_tag(self, reference: &str) -> outbox::SmsTag {
        outbox::SmsTag::new(&format!("transfer_{}", self.as_str()), Some(reference))
    }
}

/// Send an SMS code for one step of one transfer to the phone of the person
/// taking it. Returns the phone number, masked.
#[tracing::instrument(skip_all, fields(transfer = %id, vehicle = tracing::field::Empty, actor = %actor.person.id))]
pub async fn send_code(reg: &Registry, actor: &Actor, id: &str, step: CodeStep) -> Result<String, Error> {
    let (row, cons, roles) = visible(reg, actor, id).await?;
    need_transactor(actor)?;
    let (ok, what) = match step {
        CodeStep::Submit => (
            roles.contains(&Role::Seller) && matches!(row.state, State::Draft | State::ReturnedForScan),
            CodeFor::SubmitTransfer,
        ),
        CodeStep::Consent => (
            row.state == State::AwaitingConsents
                && cons.iter().any(|c| c.party_id == actor.principal_id() && c.decision.is_none()),
            CodeFor::AnswerTransfer,
        ),
        CodeStep::Answer => {
            (roles.contains(&Role::Buyer) && row.state == State::AwaitingBuyer, CodeFor::AnswerTransfer)
        }
    };
    let lang = lang(actor);
    if !ok {
        return Err(Error::Conflict(StepRefusal::NoCodeNeeded { state: row.state }.render(lang)));
    }
    // A returned transfer needs a scan other than the one returned.
    if step == CodeStep::Submit && (row.logbook_key.is_none() || row.logbook_key == row.returned_scan) {
        // Not worth an SMS (nor one of the person's few codes) yet.
        return Err(FieldErrors::single("logbook", TransferRefusal::UploadLogbookBeforeCode.render(lang)));
    }
    let mut tx = reg.db().begin_write().await?;
    let (purpose, tag) = (step.purpose(&row.id), step.sms_tag(&row.reference));
    codes::issue(reg, &mut tx, &actor.person, &purpose, (what, &row.reference), &tag).await?;
    tx.commit().await?;
    reg.wake_outbox();
    let phone = actor.person.phone.as_deref().unwrap_or_default();
    Ok(domain::Phone::parse(phone).map(|p| p.masked()).unwrap_or_default())
}

/// Check the code for `step` inside `tx`; on a wrong code, commit the
/// counted failure and return the refusal. Callers check first that the
/// step is allowed now, so that a code typed at the wrong moment is not
/// counted against the person and the answer says why.
pub(super) async fn check_code(
    reg: &Registry,
    mut tx: WriteTx,
    actor: &Actor,
    row: &Row,
    step: CodeStep,
    code: &str,
) -> Result<WriteTx, Error> {
    match codes::consume(reg, &mut tx, &actor.person.id, &step.purpose(&row.id), code).await? {
        Ok(()) => Ok(tx),
        Err(refusal) => {
            tx.commit().await?;
            Err(refusal)
        }
    }
}
