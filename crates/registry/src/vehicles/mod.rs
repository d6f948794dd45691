//! Vehicles on the register: what a vehicle is (and how it reads as a view),
//! putting one on the register, reading one with its owners, inquiry by
//! registration number (`inquiry`) and "my vehicles" (or an organisation's),
//! searched by `search`. Its owners change only
//! through `owners`, the one writer of `reg_vehicle_owners`.
//!
//! It knows nothing of transfers beyond "is one open" (a count), of HTTP or
//! of sign-in beyond the [`Actor`] asking.

pub mod inquiry;
pub mod owners;
pub mod search;

use db::WriteTx;
use domain::fees::{FeeQuery, VehicleClass};
use domain::{DocType, EngineNumber, OwnerRole, PartyKind, RegistrationNumber, VehicleStatus, Vin};
use secure::new_id;
use serde::Serialize;
use texts::{Text as _, TransferRefusal};

use crate::signin::Actor;
use crate::{Error, FieldErrors, Registry, parties};

pub use inquiry::{FullView, Held, Inquiry, LimitedView, Whose, inquire, mine};
pub use search::Search;

/// A vehicle as stored.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Vehicle {
    #[serde(skip)]
    pub id: String,
    pub registration_number: String,
    pub chassis_number: String,
    pub engine_number: String,
    pub make: String,
    pub model: String,
    pub body: String,
    pub colour: String,
    pub year: i64,
    #[schema(schema_with = VehicleClass::schema)]
    pub class: String,
    pub engine_cc: Option<i64>,
    pub trailer_wheels: Option<i64>,
    pub logbook_serial: String,
    pub status: String,
    pub transfer_pending: bool,
}

impl Vehicle {
    /// What the fee schedule needs to price this vehicle.
    pub fn fee_query(&self) -> Result<FeeQuery, Error> {
        let class = VehicleClass::parse(&self.class).map_err(|e| Error::Internal(e.message))?;
        Ok(FeeQuery {
            class,
            engine_cc: self.engine_cc.and_then(|c| u32::try_from(c).ok()),
            trailer_wheels: self.trailer_wheels.and_then(|w| u8::try_from(w).ok()),
        })
    }
}

/// An owner on the logbook, as the record shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Owner {
    pub party_id: String,
    #[schema(schema_with = OwnerRole::schema)]
    pub role: String,
    #[schema(schema_with = PartyKind::schema)]
    pub kind: String,
    pub name: String,
    #[schema(schema_with = DocType::schema)]
    pub doc_type: String,
    pub doc_number: String,
}

/// An owner as read: who, and how they hold the vehicle.
#[derive(Debug, Clone)]
pub struct Holder {
    pub party_id: String,
    pub role: OwnerRole,
    pub name: String,
    pub view: Owner,
}

/// The vehicle columns every read below starts with, `v` being `reg_vehicles`.
macro_rules! columns {
    () => {
        "v.id, v.reg_no, v.chassis_no, v.engine_no, v.make, v.model, v.body, v.colour, v.year, v.class, \
         v.engine_cc, v.trailer_wheels, v.logbook_serial, v.status, \
         (SELECT COUNT(*) FROM reg_transfers t WHERE t.open_vehicle_id = v.id) AS open_transfers"
    };
}
pub(crate) use columns;

/// A vehicle from the columns `columns!()` names, moved out of the record.
pub(crate) fn vehicle_from(r: &mut db::Record) -> Result<Vehicle, db::DecodeError> {
    Ok(Vehicle {
        id: r.col("id")?,
        registration_number: r.col("reg_no")?,
        chassis_number: r.col("chassis_no")?,
        engine_number: r.col("engine_no")?,
        make: r.col("make")?,
        model: r.col("model")?,
        body: r.col("body")?,
        colour: r.col("colour")?,
        year: r.col("year")?,
        class: r.col("class")?,
        engine_cc: r.col("engine_cc")?,
        trailer_wheels: r.col("trailer_wheels")?,
        logbook_serial: r.col("logbook_serial")?,
        status: r.col("status")?,
        transfer_pending: r.col::<i64>("open_transfers")? > 0,
    })
}

pub async fn by_registration(reg: &Registry, reg_no: &RegistrationNumber) -> Result<Option<Vehicle>, Error> {
    const SQL: &str = concat!("SELECT ", columns!(), " FROM reg_vehicles v WHERE v.reg_no = $1");
    match reg.db().read(SQL, &[reg_no.as_str().into()]).await?.into_iter().next() {
        Some(mut r) => Ok(Some(vehicle_from(&mut r)?)),
        None => Ok(None),
    }
}

/// Parse a registration number typed by a person, naming the field.
pub fn parse_registration(raw: &str) -> Result<RegistrationNumber, Error> {
    RegistrationNumber::parse(raw).map_err(|e| FieldErrors::single("registration_number", e.message))
}

/// A vehicle with its owners, in one read.
pub async fn with_owners(reg: &Registry, reg_no: &RegistrationNumber) -> Result<Option<(Vehicle, Vec<Holder>)>, Error> {
    const SQL: &str = concat!(
        "SELECT ",
        columns!(),
        ", o.party_id, o.role, p.kind, p.name, p.doc_type, p.doc_number FROM reg_vehicles v \
         LEFT JOIN reg_vehicle_owners o ON o.vehicle_id = v.id LEFT JOIN reg_parties p ON p.id = o.party_id \
         WHERE v.reg_no = $1 ORDER BY o.role DESC, o.since, p.name"
    );
    let mut rows = reg.db().read(SQL, &[reg_no.as_str().into()]).await?;
    let mut owners = vec![];
    for r in &mut rows {
        if let Some(party_id) = r.col::<Option<String>>("party_id")? {
            let role: String = r.col("role")?;
            let name: String = r.col("name")?;
            owners.push(Holder {
                party_id: party_id.clone(),
                role: OwnerRole::parse(&role)
                    .map_err(|e| Error::Internal(format!("stored owner role: {}", e.message)))?,
                name: name.clone(),
                view: Owner {
                    party_id,
                    role,
                    kind: r.col("kind")?,
                    name,
                    doc_type: r.col("doc_type")?,
                    doc_number: r.col("doc_number")?,
                },
            });
        }
    }
    match rows.first_mut() {
        Some(first) => Ok(Some((vehicle_from(first)?, owners))),
        None => Ok(None),
    }
}

/// A vehicle to put on the register.
#[derive(Debug, Clone)]
pub struct NewVehicle {
    pub registration_number: String,
    pub chassis_number: String,
    pub engine_number: String,
    pub make: String,
    pub model: String,
    pub body: String,
    pub colour: String,
    pub year: i64,
    pub class: VehicleClass,
    pub engine_cc: Option<u32>,
    pub trailer_wheels: Option<u8>,
    pub logbook_serial: String,
}

/// Put a vehicle on the register with its owners, in the caller's
/// transaction. (Only the demonstration seed does, so its refusals are
/// read by no party.)
#[tracing::instrument(skip_all, fields(vehicle = %v.registration_number))]
pub async fn register(
    tx: &mut WriteTx,
    v: &NewVehicle,
    holders: &[(String, OwnerRole)],
    now: i64,
) -> Result<String, Error> {
    let mut errors = FieldErrors::new();
    let reg_no = errors.check("registration_number", RegistrationNumber::parse(&v.registration_number));
    let vin = errors.check("chassis_number", Vin::parse(&v.chassis_number));
    let engine = errors.check("engine_number", EngineNumber::parse(&v.engine_number));
    if !holders.iter().any(|(_, role)| *role == OwnerRole::Owner) {
        errors.add("owners", TransferRefusal::NeedsAnOwner.render(parties::NO_PARTY_LANG));
    }
    errors.into_result()?;
    let (Some(reg_no), Some(vin), Some(engine)) = (reg_no, vin, engine) else {
        return Err(Error::Internal("checked above".into()));
    };
    let id = new_id();
    sqlx::query(
        "INSERT INTO reg_vehicles (id, reg_no, chassis_no, engine_no, make, model, body, colour, year, class, \
         engine_cc, trailer_wheels, logbook_serial, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)",
    )
    .bind(&id)
    .bind(reg_no.as_str())
    .bind(vin.as_str())
    .bind(engine.as_str())
    .bind(&v.make)
    .bind(&v.model)
    .bind(&v.body)
    .bind(&v.colour)
    .bind(v.year)
    .bind(v.class.as_str())
    .bind(v.engine_cc.map(i64::from))
    .bind(v.trailer_wheels.map(i64::from))
    .bind(&v.logbook_serial)
    .bind(VehicleStatus::Active.as_str())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    owners::register(tx, &id, holders, now).await?;
    Ok(id)
}

/// Everyone the actor is: themselves and every organisation they belong to.
pub(crate) fn own(actor: &Actor) -> Vec<&str> {
    let mut own = vec![actor.person.id.as_str()];
    own.extend(actor.memberships.iter().map(|m| m.org_id.as_str()));
    own
}
