//! A transfer as the person asking sees it: its state and what comes next,
//! the parties, the fee, the consents, the new logbook and the timeline
//! (read from the journal). Reads only.

use domain::transfer::{LogbookState, Party as Role, StaffAction, State, Step};
use domain::{BuyerType, ConsentDecision, ConsentRole};
use serde::Serialize;
use texts::{Lang, RegistryPage, StepRefusal, Text as _};

use super::store::{Consenter, PartySummary, Row};
use super::{REVIEW_WORKING_DAYS, lang, party_to, roles, today_eat, visible};
use crate::signin::Actor;
use crate::{Error, Registry, journal};

/// The language of the labels a view carries (`state_label`, `next_step`):
/// the API answers them in English, as it always has; pages render their
/// own from the state, in the reader's language.
pub const API_LANG: Lang = Lang::En;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FeeView {
    /// The transfer fee, by the schedule's line `rule`.
    pub amount_cents: i64,
    pub amount: String,
    pub rule: String,
    pub schedule: String,
    /// The platform's access fee charged with it (0 when none).
    pub platform_fee_cents: i64,
    /// What the payer is asked for: the transfer fee and the platform fee.
    pub total_cents: i64,
    pub total: String,
    /// Who pays: `buyer_at_acceptance` or `seller_at_submission`.
    #[schema(schema_with = domain::fees::Payer::schema)]
    pub payer: String,
    /// Whether the buyer is asked to pay on accepting: not when the seller
    /// pays, nor when a payment kept from an earlier transfer paid for it.
    pub buyer_pays: bool,
}

impl FeeView {
    pub fn of(row: &Row) -> Self {
        let total = row.invoice().total_cents();
        Self {
            amount_cents: row.fee_cents,
            amount: domain::fees::format_kes(row.fee_cents),
            rule: row.fee_rule.clone(),
            schedule: row.fee_schedule.clone(),
            platform_fee_cents: row.platform_fee_cents,
            total_cents: total,
            total: domain::fees::format_kes(total),
            payer: row.payer.as_str().to_string(),
            buyer_pays: row.payer == domain::fees::Payer::BuyerAtAcceptance && row.fee_kept_from.is_none(),
        }
    }
}

/// A consent needed for a transfer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Consent {
    pub party_id: String,
    pub name: String,
    #[schema(schema_with = ConsentRole::schema)]
    pub role: String,
    /// None yet while null.
    #[schema(schema_with = ConsentDecision::schema_or_null)]
    pub decision: Option<String>,
}

impl From<Consenter> for Consent {
    fn from(c: Consenter) -> Self {
        Self {
            party_id: c.party_id,
            name: c.name,
            role: c.role.as_str().to_string(),
            decision: c.decision.map(|d| d.as_str().to_string()),
        }
    }
}

/// A line of the timeline.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Event {
    pub seq: i64,
    pub at_ms: i64,
    #[schema(schema_with = Step::schema)]
    pub action: String,
    #[schema(schema_with = State::schema_or_null)]
    pub from_state: Option<String>,
    #[schema(schema_with = State::schema)]
    pub to_state: String,
    pub actor: Option<String>,
    pub acting_for: Option<String>,
    pub address: Option<String>,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LogbookView {
    pub serial: String,
    #[schema(schema_with = LogbookState::schema)]
    pub state: String,
    pub state_label: String,
    pub office: String,
    pub ready_by: String,
    pub next_step: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TransferView {
    pub id: String,
    pub reference: String,
    #[schema(schema_with = State::schema)]
    pub state: String,
    pub state_label: String,
    pub next_step: String,
    #[schema(schema_with = domain::openapi::transfer_roles)]
    pub your_roles: Vec<String>,
    pub registration_number: String,
    pub vehicle: String,
    pub seller: PartySummary,
    pub buyer: PartySummary,
    #[schema(schema_with = BuyerType::schema)]
    pub buyer_type: String,
    pub fee: FeeView,
    pub consents: Vec<Consent>,
    pub logbook_scan: Option<String>,
    pub postal_address: Option<String>,
    pub collection_office: Option<String>,
    pub reason: Option<String>,
    /// Why an officer rejected it, or returned it for a new scan, from the list.
    #[schema(schema_with = domain::transfer::RejectReason::schema_or_null)]
    pub reason_code: Option<String>,
    pub payment_ref: Option<String>,
    pub created_at_ms: i64,
    pub expires_at_ms: Option<i64>,
    pub queued_at_ms: Option<i64>,
    pub review_deadline: Option<String>,
    pub logbook: Option<LogbookView>,
    pub timeline: Vec<Event>,
    /// For staff who are a party to this transfer (themselves or through
    /// an organisation they belong to): why another officer must act on it.
    pub conflict_of_interest: Option<String>,
}

/// The timeline, with where each request came from shown to officers only.
async fn timeline(reg: &Registry, transfer_id: &str, officer: bool) -> Result<Vec<Event>, Error> {
    let lines = journal::transfer_steps(reg.db(), transfer_id).await?;
    Ok(lines
        .into_iter()
        .map(|l| Event {
            seq: l.seq,
            at_ms: l.at,
            action: l.step.as_str().to_string(),
            from_state: l.from.map(|s| s.as_str().to_string()),
            to_state: l.to.as_str().to_string(),
            actor: l.actor,
            acting_for: l.acting_for,
            // Where a request came from is for the agency's eyes.
            address: l.address.filter(|_| officer),
            detail: l.detail,
        })
        .collect())
}

/// Why staff who are a party to the transfer may not do what staff would do
/// next to it, if anything.
fn conflict_of_interest(actor: &Actor, row: &Row, cons: &[Consenter]) -> Option<String> {
    let staff_next = match row.state {
        State::Approved => Some(StaffAction::Logbook),
        s if s.is_open() => Some(StaffAction::Review),
        _ => None,
    };
    staff_next
        .filter(|_| actor.is_staff() && party_to(actor, row, cons))
        .map(|action| StepRefusal::OwnCase { action }.render(lang(actor)))
}

/// The transfer as the actor sees it.
pub(super) async fn view(reg: &Registry, actor: &Actor, row: Row, cons: Vec<Consenter>) -> Result<TransferView, Error> {
    let roles = roles(actor, &row, &cons);
    let conflict_of_interest = conflict_of_interest(actor, &row, &cons);
    let timeline = timeline(reg, &row.id, roles.contains(&Role::Officer)).await?;
    let logbook = row.logbook.clone().map(|b| LogbookView {
        serial: b.serial,
        state_label: RegistryPage::LogbookStateLabel { state: b.state }.render(API_LANG),
        next_step: RegistryPage::LogbookNextStep { state: b.state }.render(API_LANG),
        state: b.state.as_str().to_string(),
        office: b.office,
        ready_by: b.ready_by,
    });
    let review_deadline = match row.queued_at {
        Some(q) if row.state == State::InReview => {
            let (_, calendar) = reg.rules().await?;
            Some(calendar.add_working_days(today_eat(q), REVIEW_WORKING_DAYS).to_string())
        }
        _ => None,
    };
    let fee = FeeView::of(&row);
    Ok(TransferView {
        state_label: RegistryPage::StateLabel { state: row.state }.render(API_LANG),
        next_step: RegistryPage::StateNextStep { state: row.state }.render(API_LANG),
        state: row.state.as_str().to_string(),
        your_roles: roles.iter().map(|r| r.role().to_string()).collect(),
        registration_number: row.reg_no,
        vehicle: row.vehicle,
        seller: row.seller,
        buyer: row.buyer,
        buyer_type: row.buyer_type.as_str().to_string(),
        fee,
        consents: cons.into_iter().map(Consent::from).collect(),
        logbook_scan: row.logbook_type,
        postal_address: row.postal_address,
        collection_office: row.collection_office,
        reason: row.reason,
        reason_code: row.reason_code.map(|r| r.as_str().to_string()),
        payment_ref: row.payment_ref,
        created_at_ms: row.created_at,
        expires_at_ms: row.state.can_expire().then_some(row.expires_at),
        queued_at_ms: row.queued_at,
        review_deadline,
        logbook,
        timeline,
        conflict_of_interest,
        id: row.id,
        reference: row.reference,
    })
}

/// One transfer, for a party to it or staff.
#[tracing::instrument(skip_all, fields(transfer = %id, vehicle = tracing::field::Empty, actor = %actor.person.id))]
pub async fn get(reg: &Registry, actor: &Actor, id: &str) -> Result<TransferView, Error> {
    let (row, cons, _) = visible(reg, actor, id).await?;
    view(reg, actor, row, cons).await
}
