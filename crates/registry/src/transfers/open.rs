//! Step 1: the seller (or a transactor for the owning organisation) opens a
//! transfer of a vehicle to a buyer named by ID number or KRA PIN: the
//! vehicle is priced, everyone else on its logbook is asked to consent, and
//! the draft waits for the scanned logbook and the seller's code.

use domain::org::OrgKind;
use domain::policy::DAY_MS;
use domain::{AccountType, BuyerType, ConsentRole, DocType, IdNumber, KraPin, OwnerRole, RegistrationNumber};
use serde::Deserialize;
use texts::{Text as _, TransferRefusal};

use super::lookup;
use super::store::{self, Consenter, Draft};
use super::view::{TransferView, view};
use super::{lang, need_transactor, today_eat};
use crate::parties::Party;
use crate::signin::Actor;
use crate::vehicles::{self, Holder, Vehicle, owners};
use crate::{Error, FieldErrors, Registry};

/// What the seller keys in to start a transfer. (Its OpenAPI schema is in
/// `api::schema`: which ID goes with which buyer type.)
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTransfer {
    #[serde(default)]
    pub registration_number: String,
    /// individual or organisation. (An organisation kind, company,
    /// car_dealer, ..., is also read as organisation: the kind stored is
    /// always the one the KRA register gives the buyer.)
    #[serde(default)]
    pub buyer_type: String,
    /// For an individual: citizen (national ID), resident (alien ID) or
    /// foreigner (passport). Default citizen.
    #[serde(default)]
    pub buyer_id_type: Option<String>,
    /// The buyer's ID number (individual) or KRA PIN (organisation).
    #[serde(default)]
    pub buyer_id_number: String,
}

/// What the input names, checked field by field. The buyer's type says
/// only person or organisation: an organisation's kind is the register's.
struct Asked {
    reg_no: RegistrationNumber,
    buyer_type: BuyerType,
    doc_type: DocType,
    doc_number: String,
}

/// The buyer type that names any organisation.
pub const ORGANISATION: &str = "organisation";

fn check(input: &NewTransfer) -> Result<Asked, Error> {
    let mut errors = FieldErrors::new();
    let reg_no = errors.check("registration_number", RegistrationNumber::parse(&input.registration_number));
    let buyer_type = if input.buyer_type.trim().eq_ignore_ascii_case(ORGANISATION) {
        Some(BuyerType::Organisation(OrgKind::Company))
    } else {
        errors.check("buyer_type", BuyerType::parse(&input.buyer_type))
    };
    let buyer_doc = match buyer_type {
        Some(BuyerType::Individual) => match AccountType::parse(input.buyer_id_type.as_deref().unwrap_or("citizen")) {
            Ok(kind) => errors
                .check("buyer_id_number", IdNumber::parse(kind, &input.buyer_id_number))
                .map(|id| (DocType::Person(kind), id.as_str().to_string())),
            Err(e) => {
                errors.add("buyer_id_type", e.message);
                None
            }
        },
        Some(BuyerType::Organisation(_)) => errors
            .check("buyer_id_number", KraPin::parse(&input.buyer_id_number))
            .map(|pin| (DocType::KraPin, pin.as_str().to_string())),
        None => None,
    };
    errors.into_result()?;
    let (Some(reg_no), Some(buyer_type), Some((doc_type, doc_number))) = (reg_no, buyer_type, buyer_doc) else {
        return Err(Error::Internal("checked above".into()));
    };
    Ok(Asked { reg_no, buyer_type, doc_type, doc_number })
}

/// The buyer the input names: someone who has signed in once (with a
/// phone), of the type given, and not already an owner.
/// The lookup counts against the actor's budget and is written down (see
/// `lookup`).
async fn buyer(reg: &Registry, actor: &Actor, asked: &Asked, owners: &[Holder]) -> Result<Party, Error> {
    let lang = lang(actor);
    let buyer =
        lookup::buyer(reg, actor, asked.doc_type, &asked.doc_number).await?.filter(|p| p.is_org() || p.phone.is_some());
    let Some(buyer) = buyer else {
        return Err(FieldErrors::single("buyer_id_number", TransferRefusal::BuyerNotSignedUp.render(lang)));
    };
    if buyer.is_org() != asked.buyer_type.is_organisation() {
        return Err(FieldErrors::single("buyer_type", TransferRefusal::BuyerTypeMismatch.render(lang)));
    }
    if owners.iter().any(|o| o.party_id == buyer.id) {
        return Err(FieldErrors::single("buyer_id_number", TransferRefusal::BuyerAlreadyOwner.render(lang)));
    }
    if buyer.is_org() && buyer.org_kind.is_none() {
        return Err(FieldErrors::single("buyer_id_number", TransferRefusal::BuyerKindUnknown.render(lang)));
    }
    Ok(buyer)
}

/// A transfer as it would be opened, every check of `create` passed: what
/// the seller's check-your-answers page shows before anything is written.
#[derive(Debug, Clone)]
pub struct Preview {
    pub registration_number: String,
    /// Make and model.
    pub vehicle: String,
    pub buyer_name: String,
    /// An organisation's kind is the one its register gives.
    pub buyer_type: BuyerType,
    pub buyer_doc_type: DocType,
    pub buyer_doc_number: String,
    pub fee_cents: i64,
    /// The transfer fee and the platform fee together.
    pub total_cents: i64,
    /// Whether the buyer pays (on accepting), or the seller (on submitting).
    pub buyer_pays: bool,
    /// How many joint owners and financiers must consent.
    pub consents: usize,
}

/// Every check of `create`, with nothing written.
#[tracing::instrument(skip_all, fields(vehicle = %input.registration_number, actor = %actor.person.id))]
pub async fn preview(reg: &Registry, actor: &Actor, input: &NewTransfer) -> Result<Preview, Error> {
    let p = prepare(reg, actor, input, reg.now_ms()).await?;
    let seller_id = actor.principal_id();
    Ok(Preview {
        registration_number: p.asked.reg_no.as_str().to_string(),
        vehicle: format!("{} {}", p.vehicle.make, p.vehicle.model),
        buyer_name: p.buyer.name.clone(),
        buyer_type: p.buyer.org_kind.map_or(p.asked.buyer_type, BuyerType::Organisation),
        buyer_doc_type: p.asked.doc_type,
        buyer_doc_number: p.asked.doc_number.clone(),
        fee_cents: p.fee.amount_cents,
        total_cents: p.policy.invoice(p.fee.amount_cents).total_cents(),
        buyer_pays: p.policy.payer == domain::fees::Payer::BuyerAtAcceptance,
        consents: p.owners.iter().filter(|o| o.party_id != seller_id).count(),
    })
}

/// The vehicle a seller names on the first page of a sale, checked: its
/// registration number as the register writes it, if it is on the register
/// and the seller (or the organisation they act for) owns it.
pub async fn vehicle_to_sell(reg: &Registry, actor: &Actor, raw: &str) -> Result<String, Error> {
    need_transactor(actor)?;
    let lang = lang(actor);
    let reg_no = RegistrationNumber::parse(raw).map_err(|e| FieldErrors::single("registration_number", e.message))?;
    let no_vehicle = TransferRefusal::NoSuchVehicle { reg_no: reg_no.as_str() };
    let (_, owners) = vehicles::with_owners(reg, &reg_no)
        .await?
        .ok_or_else(|| FieldErrors::single("registration_number", no_vehicle.render(lang)))?;
    if !owners.iter().any(|o| o.party_id == actor.principal_id() && o.role == OwnerRole::Owner) {
        let refusal = TransferRefusal::NotAnOwner { reg_no: reg_no.as_str() }.render(lang);
        return Err(FieldErrors::single("registration_number", refusal));
    }
    Ok(reg_no.as_str().to_string())
}

/// What `create` checked: the vehicle and its owners, the buyer and the fee.
struct Prepared {
    asked: Asked,
    vehicle: Vehicle,
    owners: Vec<Holder>,
    buyer: Party,
    fee: domain::fees::Fee,
    /// Who pays and the platform fee, by the same schedule.
    policy: domain::fees::PaymentPolicy,
}

async fn prepare(reg: &Registry, actor: &Actor, input: &NewTransfer, now: i64) -> Result<Prepared, Error> {
    need_transactor(actor)?;
    let asked = check(input)?;
    let (reg_no, lang) = (&asked.reg_no, lang(actor));
    let no_vehicle = TransferRefusal::NoSuchVehicle { reg_no: reg_no.as_str() };
    let (vehicle, owners) = vehicles::with_owners(reg, reg_no)
        .await?
        .ok_or_else(|| FieldErrors::single("registration_number", no_vehicle.render(lang)))?;
    if !owners.iter().any(|o| o.party_id == actor.principal_id() && o.role == OwnerRole::Owner) {
        let refusal = TransferRefusal::NotAnOwner { reg_no: reg_no.as_str() }.render(lang);
        return Err(FieldErrors::single("registration_number", refusal));
    }
    let buyer = buyer(reg, actor, &asked, &owners).await?;
    let (fees, _) = reg.rules().await?;
    let cannot_price = |e: domain::FeeError| {
        let why = e.to_string();
        FieldErrors::single("registration_number", TransferRefusal::CannotPrice { why: &why }.render(lang))
    };
    let schedule = fees.schedule_on(today_eat(now)).map_err(cannot_price)?;
    let fee = schedule.quote(&vehicle.fee_query()?).map_err(cannot_price)?;
    Ok(Prepared { asked, vehicle, owners, buyer, fee, policy: schedule.policy.clone() })
}

/// Open the transfer.
#[tracing::instrument(skip_all, fields(vehicle = %input.registration_number, actor = %actor.person.id))]
pub async fn create(reg: &Registry, actor: &Actor, input: &NewTransfer) -> Result<TransferView, Error> {
    let now = reg.now_ms();
    let Prepared { asked, vehicle, owners, buyer, fee, policy } = prepare(reg, actor, input, now).await?;
    let reg_no = &asked.reg_no;
    let seller_id = actor.principal_id().to_string();
    // Everyone on the logbook but the seller, in the order `store` reads
    // consents back.
    let others: Vec<&Holder> = owners.iter().filter(|o| o.party_id != seller_id).collect();
    let mut cons: Vec<Consenter> = others
        .iter()
        .map(|o| Consenter {
            party_id: o.party_id.clone(),
            name: o.name.clone(),
            role: ConsentRole::of(o.role),
            decision: None,
        })
        .collect();
    cons.sort_by(|a, b| (a.role.as_str(), &a.name).cmp(&(b.role.as_str(), &b.name)));
    let draft = Draft {
        vehicle_id: &vehicle.id,
        reg_no: reg_no.as_str(),
        seller_id: &seller_id,
        buyer_id: &buyer.id,
        // An organisation is of the kind its register gives, whatever
        // the seller said.
        buyer_type: buyer.org_kind.map_or(asked.buyer_type, BuyerType::Organisation),
        fee: &fee,
        invoice: policy.invoice(fee.amount_cents),
        payer: policy.payer,
        keep_days: policy.keep_days,
        expires_at: now + i64::from(reg.config().transfer_expiry_days) * DAY_MS,
        consents: &cons.iter().map(|c| (c.party_id.clone(), c.role)).collect::<Vec<_>>(),
    };
    let row = open(reg, actor, &vehicle, &owners, &draft, reg_no, now).await?;
    metrics::counter!("tims_transfers_created_total").increment(1);
    view(reg, actor, row, cons).await
}

/// The transaction that opens the draft. The owners were read before it:
/// hold the vehicle's row (an approval changing its owners updates it too)
/// and check they are still the same, so a transfer is never opened on an
/// old owner list.
async fn open(
    reg: &Registry,
    actor: &Actor,
    vehicle: &Vehicle,
    read: &[Holder],
    draft: &Draft<'_>,
    reg_no: &RegistrationNumber,
    now: i64,
) -> Result<store::Row, Error> {
    let mut tx = reg.db().begin_write().await?;
    tx.lock_row("reg_vehicles", &vehicle.id).await?;
    let mut read: Vec<(String, OwnerRole)> = read.iter().map(|o| (o.party_id.clone(), o.role)).collect();
    read.sort();
    if owners::current(&mut tx, &vehicle.id).await? != read {
        let reg_no = reg_no.as_str();
        return Err(Error::Conflict(TransferRefusal::OwnersChanged { reg_no }.render(lang(actor))));
    }
    let row = store::insert(&mut tx, draft, actor, now).await?;
    let row = super::refund::carry_kept(&mut tx, row, draft.keep_days, now).await?;
    tx.commit().await?;
    Ok(row)
}
