//! What the OpenAPI document says of the values the API takes and returns,
//! beyond their Rust types: the names each kind, role and state may take
//! (read from `domain`'s lists, so the document follows them), the patterns
//! of identifiers, and the answers that are not the use cases' own views.

use domain::fees::{FeeRule, FeeSchedule, Measure, VehicleClass};
use domain::org::OrgKind;
use domain::transfer::LogbookState;
use serde::Serialize;
use serde_json::Value;
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};

use crate::parties::{Membership, StaffRole};
use crate::transfers::ListItem;
use crate::vehicles::Vehicle;

// ---- patterns ------------------------------------------------------------------

/// A registration number as sent: private, motorcycle, government or
/// diplomatic series, the space optional (lower case is taken too).
pub const REGISTRATION_NUMBER: &str = "^(K[A-Z]{2} ?[0-9]{3}[A-Z]|KM[A-Z]{2} ?[0-9]{3}[A-Z]|GK ?([A-Z] ?)?[0-9]{3}[A-Z]|[1-9][0-9]{0,2} ?CD ?[1-9][0-9]{0,2}[A-Z]?)$";
/// A KRA PIN: A (individual) or P (non-individual), nine digits, a letter.
pub const KRA_PIN: &str = "^[AP][0-9]{9}[A-Z]$";
/// A national or alien ID number.
pub const ID_NUMBER: &str = "^[0-9]{6,9}$";
/// A passport number.
pub const PASSPORT_NUMBER: &str = "^[A-Z][A-Z0-9]{5,8}$";

// ---- names ------------------------------------------------------------------------

/// A string that is one of `values`.
fn one_of<'a>(values: impl IntoIterator<Item = &'a str>) -> Object {
    ObjectBuilder::new().schema_type(Type::String).enum_values(Some(values.into_iter().map(Value::from))).build()
}

/// A string that is one of `values`, or null.
fn one_of_or_null<'a>(values: impl IntoIterator<Item = &'a str>) -> Object {
    let values = values.into_iter().map(Value::from).chain([Value::Null]);
    ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([Type::String, Type::Null]))
        .enum_values(Some(values))
        .build()
}

pub fn logbook_state() -> Object {
    one_of(LogbookState::ALL.iter().map(|s| s.as_str()))
}

pub fn org_kind() -> Object {
    one_of(OrgKind::ALL.iter().map(|k| k.as_str()))
}

pub fn staff_role_or_null() -> Object {
    one_of_or_null(StaffRole::ALL.iter().map(|r| r.as_str()))
}

/// A person's document: their account type.
pub fn id_type() -> Object {
    one_of(domain::AccountType::ALL.iter().map(|t| t.as_str()))
}

/// How a party is on a logbook.
pub fn owner_role() -> Object {
    one_of(["owner", "financier"])
}

pub fn vehicle_class() -> Object {
    one_of(VehicleClass::ALL.iter().map(|c| c.as_str()))
}

pub fn code_step() -> Object {
    one_of(["submit", "approve", "refuse", "accept", "decline", "consent", "answer"])
}

pub fn review_decision() -> Object {
    one_of(["approve", "reject"])
}

// ---- a new transfer ---------------------------------------------------------------

/// Which ID goes with which buyer: an individual by national ID (citizen,
/// the default) or alien ID (resident), or by passport (foreigner); an
/// organisation by KRA PIN, without `buyer_id_type`.
impl utoipa::PartialSchema for crate::transfers::NewTransfer {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::OneOfBuilder;
        let string = |pattern: &str, example: &str| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(pattern))
                .examples([Value::from(example)])
                .build()
        };
        let buyer = |buyer_type: Object, id_type: Option<(Object, bool)>, id: Object, about: &str| {
            let mut b = ObjectBuilder::new()
                .schema_type(Type::Object)
                .description(Some(about))
                .property("registration_number", string(REGISTRATION_NUMBER, "KDA 001A"))
                .required("registration_number")
                .property("buyer_type", buyer_type)
                .required("buyer_type")
                .property("buyer_id_number", id)
                .required("buyer_id_number")
                .additional_properties(Some(utoipa::openapi::schema::AdditionalProperties::FreeForm(false)));
            if let Some((t, required)) = id_type {
                b = b.property("buyer_id_type", t);
                if required {
                    b = b.required("buyer_id_type");
                }
            }
            b.build()
        };
        OneOfBuilder::new()
            .description(Some(
                "What the seller keys in to start a transfer: the vehicle, and the buyer by ID number or KRA PIN \
                 (the buyer must have signed in to tims once).",
            ))
            .item(buyer(
                one_of(["individual"]),
                Some((one_of(["citizen", "resident"]), false)),
                string(ID_NUMBER, "23456789"),
                "An individual by national ID number (citizen, the default) or alien ID number (resident).",
            ))
            .item(buyer(
                one_of(["individual"]),
                Some((one_of(["foreigner"]), true)),
                string(PASSPORT_NUMBER, "A1234567"),
                "An individual by passport number (foreigner).",
            ))
            .item(buyer(
                one_of(std::iter::once("organisation").chain(OrgKind::ALL.iter().map(|k| k.as_str()))),
                None,
                string(KRA_PIN, "P051234569C"),
                "An organisation by its KRA PIN: `organisation` (an organisation kind is read the same; the kind \
                 recorded is always the one the KRA register gives the buyer).",
            ))
            .examples([serde_json::json!({
                "registration_number": "KDA 001A", "buyer_type": "individual", "buyer_id_number": "23456789"
            })])
            .into()
    }
}

impl utoipa::ToSchema for crate::transfers::NewTransfer {}

// ---- files ------------------------------------------------------------------------

/// A file's bytes, as the body or a part of one.
pub struct Binary;

impl utoipa::PartialSchema for Binary {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        binary().into()
    }
}

impl utoipa::ToSchema for Binary {}

fn binary() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(utoipa::openapi::schema::SchemaFormat::Custom("binary".into())))
        .content_media_type("application/octet-stream")
        .build()
}

/// The scanned logbook as a multipart form: one file part, `logbook`, sent
/// as application/pdf, image/jpeg, image/png or application/octet-stream.
pub struct ScanForm;

impl utoipa::PartialSchema for ScanForm {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let mut file = binary();
        file.description = Some("The scan: a PDF, JPEG or PNG of at most 10 MB, recognised by its content".into());
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .property("logbook", file)
            .required("logbook")
            .additional_properties(Some(utoipa::openapi::schema::AdditionalProperties::FreeForm(false)))
            .into()
    }
}

impl utoipa::ToSchema for ScanForm {}

// ---- answers ------------------------------------------------------------------------

/// Who the caller is.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Me {
    pub name: String,
    #[schema(schema_with = id_type)]
    pub id_type: String,
    pub id_number: String,
    /// The caller's staff role in the registry, if any.
    #[schema(schema_with = staff_role_or_null)]
    pub staff_role: Option<&'static str>,
    /// The organisations the caller may act for (with `X-Act-For`).
    pub organisations: Vec<Membership>,
    /// The organisation this request acts for, if any.
    pub acting_for: Option<Membership>,
}

/// The fee schedules, in force and loaded.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Fees {
    pub schedules: Vec<FeeScheduleView>,
}

/// A dated edition of the transfer fee schedule.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = FeeSchedule)]
pub struct FeeScheduleView {
    /// e.g. `KE-2018`.
    pub version: String,
    /// The first day it applies.
    #[schema(format = Date)]
    pub effective_from: String,
    pub bands: Vec<FeeBand>,
}

/// One line of a schedule: the fee for vehicles of some classes within a
/// range of one measure.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FeeBand {
    #[schema(schema_with = vehicle_classes)]
    pub classes: Vec<&'static str>,
    pub measure: FeeMeasure,
    pub amount_cents: i64,
    /// As in the published table, e.g. `1001 – 1200cc`.
    pub description: String,
}

fn vehicle_classes() -> utoipa::openapi::schema::Array {
    utoipa::openapi::schema::Array::new(vehicle_class())
}

/// What a band measures; ranges are inclusive, no `max` means "and above".
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum FeeMeasure {
    EngineCc {
        min: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(required = false, nullable = false)]
        max: Option<u32>,
    },
    TrailerWheels {
        min: u8,
        #[serde(skip_serializing_if = "Option::is_none")]
        #[schema(required = false, nullable = false)]
        max: Option<u8>,
    },
    Flat,
}

impl From<&FeeSchedule> for FeeScheduleView {
    fn from(s: &FeeSchedule) -> Self {
        Self {
            version: s.version.clone(),
            effective_from: s.effective_from.to_string(),
            bands: s.bands.iter().map(FeeBand::from).collect(),
        }
    }
}

impl From<&FeeRule> for FeeBand {
    fn from(r: &FeeRule) -> Self {
        let measure = match r.measure {
            Measure::EngineCc { min, max } => FeeMeasure::EngineCc { min, max },
            Measure::TrailerWheels { min, max } => FeeMeasure::TrailerWheels { min, max },
            Measure::Flat => FeeMeasure::Flat,
        };
        Self {
            classes: r.classes.iter().map(|c| c.as_str()).collect(),
            measure,
            amount_cents: r.amount_cents,
            description: r.description.clone(),
        }
    }
}

/// The transfer fee for a vehicle on a day.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Quote {
    pub amount_cents: i64,
    /// e.g. `KES 1,890.00`.
    pub amount: String,
    /// The line of the schedule that priced it.
    pub rule: String,
    /// The schedule's version.
    pub schedule: String,
    #[schema(format = Date)]
    pub date: String,
}

/// A page of the caller's vehicles.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VehiclePage {
    pub vehicles: Vec<HeldVehicle>,
    /// The cursor of the next page (`?after=`); null on the last.
    pub next: Option<String>,
}

/// A vehicle the caller holds, themselves or through an organisation.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HeldVehicle {
    #[serde(flatten)]
    pub vehicle: Vehicle,
    #[schema(schema_with = owner_role)]
    pub your_role: String,
    /// `you`, or the name of the organisation that holds it.
    pub held_by: String,
    /// Whether the caller may sell it now (as its owner, or for the
    /// organisation they act for, with no transfer of it open).
    pub may_sell: bool,
}

/// A page of what waits for the caller.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ActionPage {
    pub actions: Vec<crate::transfers::ActionItem>,
    /// The cursor of the next page (`?after=`); null on the last.
    pub next: Option<String>,
    /// For officers: the review queue.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false, nullable = false)]
    pub review: Option<Backlog>,
}

/// How many transfers wait for review, and since when the oldest has.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Backlog {
    pub waiting: i64,
    pub oldest_queued_at_ms: Option<i64>,
}

/// A page of transfers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TransferPage {
    pub transfers: Vec<ListItem>,
    /// The cursor of the next page (`?after=`); null on the last.
    pub next: Option<String>,
}

/// Where an SMS code went, masked, and how long it is good for.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CodeSent {
    /// The number the code went to as Kenyans write it, all but its first
    /// two and last three digits hidden, as every page and receipt shows it
    /// (`07•• ••• 678`).
    #[schema(example = "07•• ••• 678")]
    pub sent_to: String,
    pub valid_for_seconds: u32,
}
