//! What an officer checks a transfer's scanned logbook against: the
//! vehicle as the register holds it, its owners, the seller and the buyer
//! as the registers give them (the KRA register's kind for an
//! organisation), the fee paid, and any earlier return for a new scan.
//! For staff with no part in the transfer, while it is in review. Reads
//! only; the review page and the API's review operation show it.

use domain::transfer::{Deed, RejectReason, StaffAction, State};
use domain::{OwnerRole, RegistrationNumber};
use serde::Serialize;
use texts::{StepRefusal, Text as _, TransferRefusal};

use super::store::Row;
use super::view::{Consent, FeeView};
use super::{REVIEW_WORKING_DAYS, lang, officiate, today_eat, visible};
use crate::signin::Actor;
use crate::vehicles::{self, Owner, Vehicle};
use crate::{Error, Registry, parties};

/// A party to the transfer as the registers give them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RegisteredParty {
    pub name: String,
    #[schema(schema_with = domain::PartyKind::schema)]
    pub kind: String,
    #[schema(schema_with = domain::DocType::schema)]
    pub doc_type: String,
    pub doc_number: String,
    /// An organisation's kind as the KRA register gives it (null for a
    /// person, or when the register does not say).
    #[schema(schema_with = domain::org::OrgKind::schema_or_null)]
    pub org_kind: Option<String>,
}

impl RegisteredParty {
    fn of(p: parties::Party) -> Self {
        Self {
            name: p.name,
            kind: p.kind.as_str().to_string(),
            doc_type: p.doc_type,
            doc_number: p.doc_number,
            org_kind: p.org_kind.map(|k| k.as_str().to_string()),
        }
    }
}

/// The uploaded scan: what it is, and where to open it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScanInfo {
    /// application/pdf, image/jpeg or image/png.
    pub content_type: String,
    pub size_bytes: Option<i64>,
    /// The API's address of the scan itself.
    pub href: String,
}

/// Why the transfer was returned for a new scan before, if it was.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EarlierReturn {
    #[schema(schema_with = RejectReason::schema)]
    pub reason_code: String,
    pub reason: Option<String>,
}

/// Everything an officer checks the scan against, typed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReviewView {
    pub id: String,
    pub reference: String,
    #[schema(schema_with = State::schema)]
    pub state: String,
    /// The vehicle as the register holds it.
    pub vehicle: Vehicle,
    /// The owners on the logbook, the financier among them while a loan is open.
    pub owners: Vec<Owner>,
    pub seller: RegisteredParty,
    pub buyer: RegisteredParty,
    pub consents: Vec<Consent>,
    pub scan: Option<ScanInfo>,
    pub fee: FeeView,
    pub payment_ref: Option<String>,
    pub queued_at_ms: Option<i64>,
    /// The day the review is due by (YYYY-MM-DD, East Africa Time).
    pub review_deadline: Option<String>,
    pub earlier_return: Option<EarlierReturn>,
}

impl ReviewView {
    /// The financier on the logbook, if a loan is open.
    pub fn financier(&self) -> Option<&Owner> {
        self.owners.iter().find(|o| o.role == OwnerRole::Financier.as_str())
    }
}

/// The review of a transfer in review, for staff who are no party to it.
#[tracing::instrument(skip_all, fields(transfer = %id, vehicle = tracing::field::Empty, actor = %actor.person.id))]
pub async fn inspect(reg: &Registry, actor: &Actor, id: &str) -> Result<ReviewView, Error> {
    if !actor.is_staff() {
        return Err(Error::Forbidden(TransferRefusal::OfficersOnlyReview.render(lang(actor))));
    }
    let (row, cons, _) = visible(reg, actor, id).await?;
    officiate(actor, &row, &cons, StaffAction::Review)?;
    if row.state != State::InReview {
        let refusal = StepRefusal::NotNow { state: row.state, deed: Deed::Approve };
        return Err(Error::Conflict(refusal.render(lang(actor))));
    }
    let reg_no = RegistrationNumber::parse(&row.reg_no).map_err(|e| Error::Internal(e.message))?;
    let (vehicle, holders) = vehicles::with_owners(reg, &reg_no)
        .await?
        .ok_or_else(|| Error::Internal(format!("the vehicle of transfer {} is gone", row.reference)))?;
    let party = |id: String| async move {
        parties::get(reg, &id).await?.ok_or_else(|| Error::Internal(format!("party {id} is gone")))
    };
    let seller = RegisteredParty::of(party(row.seller_id.clone()).await?);
    let buyer = RegisteredParty::of(party(row.buyer_id.clone()).await?);
    let review_deadline = match row.queued_at {
        Some(q) => {
            let (_, calendar) = reg.rules().await?;
            Some(calendar.add_working_days(today_eat(q), REVIEW_WORKING_DAYS).to_string())
        }
        None => None,
    };
    Ok(of(row, cons, vehicle, holders.into_iter().map(|h| h.view).collect(), seller, buyer, review_deadline))
}

fn of(
    row: Row,
    cons: Vec<super::Consenter>,
    vehicle: Vehicle,
    owners: Vec<Owner>,
    seller: RegisteredParty,
    buyer: RegisteredParty,
    review_deadline: Option<String>,
) -> ReviewView {
    let fee = FeeView::of(&row);
    let scan = row.logbook_type.map(|content_type| ScanInfo {
        content_type,
        size_bytes: row.logbook_size,
        href: format!("/api/v1/transfers/{}/logbook-scan", row.id),
    });
    ReviewView {
        state: row.state.as_str().to_string(),
        vehicle,
        owners,
        seller,
        buyer,
        consents: cons.into_iter().map(Consent::from).collect(),
        scan,
        fee,
        payment_ref: row.payment_ref,
        queued_at_ms: row.queued_at,
        review_deadline,
        earlier_return: row
            .reason_code
            .filter(|r| r.about_the_scan())
            .map(|r| EarlierReturn { reason_code: r.as_str().to_string(), reason: row.reason }),
        id: row.id,
        reference: row.reference,
    }
}
