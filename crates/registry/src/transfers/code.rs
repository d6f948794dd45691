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
    /// A code for either consent answer (kept for the API's clients; the
    /// pages ask for one of the two that follow).
    Consent,
    /// A code for either answer of the buyer (kept for the API's clients;
    /// the pages ask for one of the two that follow).
    Answer,
    /// A code that approves a consent and nothing else.
    Approve,
    /// A code that refuses a consent and nothing else.
    Refuse,
    /// A code that accepts the transfer and nothing else.
    Accept,
    /// A code that declines the transfer and nothing else.
    Decline,
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
            "approve" => Ok(Self::Approve),
            "refuse" => Ok(Self::Refuse),
            "accept" => Ok(Self::Accept),
            "decline" => Ok(Self::Decline),
            _ => Err(FieldErrors::single("step", StepRefusal::ChooseCodeStep.render(lang))),
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Consent => "consent",
            Self::Answer => "answer",
            Self::Approve => "approve",
            Self::Refuse => "refuse",
            Self::Accept => "accept",
            Self::Decline => "decline",
        }
    }

    /// The steps whose code an answer takes: its own, else the older code
    /// good for either answer. A code sent to accept never declines.
    pub(super) fn for_answer(self) -> [CodeStep; 2] {
        match self {
            Self::Approve | Self::Refuse => [self, Self::Consent],
            Self::Accept | Self::Decline => [self, Self::Answer],
            other => [other, other],
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
        CodeStep::Consent | CodeStep::Approve | CodeStep::Refuse => (
            row.state == State::AwaitingConsents
                && cons.iter().any(|c| c.party_id == actor.principal_id() && c.decision.is_none()),
            match step {
                CodeStep::Approve => CodeFor::ApproveTransfer,
                CodeStep::Refuse => CodeFor::RefuseTransfer,
                _ => CodeFor::AnswerTransfer,
            },
        ),
        CodeStep::Answer | CodeStep::Accept | CodeStep::Decline => (
            roles.contains(&Role::Buyer) && row.state == State::AwaitingBuyer,
            match step {
                CodeStep::Accept => CodeFor::AcceptTransfer,
                CodeStep::Decline => CodeFor::DeclineTransfer,
                _ => CodeFor::AnswerTransfer,
            },
        ),
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
    Ok(actor.person.phone.as_deref().map(texts::format::phone_masked).unwrap_or_default())
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
    let [own, older] = step.for_answer();
    let mut purpose = own.purpose(&row.id);
    if older != own && !codes::sent(&mut tx, &actor.person.id, &purpose).await? {
        purpose = older.purpose(&row.id);
    }
    match codes::consume(reg, &mut tx, &actor.person.id, &purpose, code).await? {
        Ok(()) => Ok(tx),
        Err(refusal) => {
            tx.commit().await?;
            Err(refusal)
        }
    }
}
