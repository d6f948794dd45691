//! Vehicles and their owners: registration (for demo data and imports),
//! inquiry by registration number with the view the asker may see, and
//! "my vehicles".

use db::WriteTx;
use domain::fees::{FeeQuery, VehicleClass};
use domain::{EngineNumber, RegistrationNumber, Vin};
use serde::Serialize;

use crate::auth::Actor;
use crate::paging::{Page, PageRequest};
use crate::reference::new_id;
use crate::{Error, FieldErrors, Registry};

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
    #[schema(schema_with = crate::api::schema::vehicle_class)]
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

/// An owner on the logbook.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Owner {
    pub party_id: String,
    #[schema(schema_with = crate::api::schema::owner_role)]
    pub role: String,
    #[schema(schema_with = crate::api::schema::party_kind)]
    pub kind: String,
    pub name: String,
    #[schema(schema_with = crate::api::schema::doc_type)]
    pub doc_type: String,
    pub doc_number: String,
}

/// The whole record: for owners, their organisations' members and staff.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FullView {
    #[serde(flatten)]
    pub vehicle: Vehicle,
    pub owners: Vec<Owner>,
}

/// What anyone signed in may see: no personal data.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LimitedView {
    pub registration_number: String,
    pub make: String,
    pub model: String,
    pub colour: String,
    pub year: i64,
    #[schema(schema_with = crate::api::schema::vehicle_class)]
    pub class: String,
    pub status: String,
    pub transfer_pending: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(tag = "view", rename_all = "snake_case")]
pub enum Inquiry {
    Full(FullView),
    Limited(LimitedView),
}

/// The vehicle columns every read below starts with, `v` being `reg_vehicles`.
macro_rules! columns {
    () => {
        "v.id, v.reg_no, v.chassis_no, v.engine_no, v.make, v.model, v.body, v.colour, v.year, v.class, \
         v.engine_cc, v.trailer_wheels, v.logbook_serial, v.status, \
         (SELECT COUNT(*) FROM reg_transfers t WHERE t.open_vehicle_id = v.id)"
    };
}

/// How many columns `columns!()` names.
const WIDTH: usize = 15;

/// A vehicle from the first `WIDTH` columns of a record, moved out of it.
fn vehicle_from(r: &mut db::Record) -> Result<Vehicle, db::DecodeError> {
    Ok(Vehicle {
        id: r.take(0)?,
        registration_number: r.take(1)?,
        chassis_number: r.take(2)?,
        engine_number: r.take(3)?,
        make: r.take(4)?,
        model: r.take(5)?,
        body: r.take(6)?,
        colour: r.take(7)?,
        year: r.take(8)?,
        class: r.take(9)?,
        engine_cc: r.take(10)?,
        trailer_wheels: r.take(11)?,
        logbook_serial: r.take(12)?,
        status: r.take(13)?,
        transfer_pending: r.take::<i64>(14)? > 0,
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

/// Inquiry: the whole record for its owners, the members of organisations
/// that own it (whether or not they act for them just now) and staff; a
/// limited view for anyone else signed in.
pub async fn inquire(reg: &Registry, actor: &Actor, raw: &str) -> Result<Inquiry, Error> {
    // Most inquiries come from people who may see only the limited view, so
    // (staff aside) the first read asks whether any of the asker's parties
    // (themselves and their organisations) is an owner rather than reading
    // the owners; their names and documents are read only for those who may
    // see them.
    let reg_no = parse_registration(raw)?;
    let not_found = || Error::NotFound(format!("No vehicle with registration number {reg_no} is registered"));
    if actor.is_staff() {
        let (vehicle, owners) = with_owners(reg, &reg_no).await?.ok_or_else(not_found)?;
        return Ok(Inquiry::Full(FullView { vehicle, owners }));
    }
    let mut parties: Vec<&str> = vec![&actor.person.id];
    parties.extend(actor.memberships.iter().map(|m| m.org_id.as_str()));
    let sql = inquiry_sql(parties.len());
    let mut params: Vec<db::Param<'_>> = vec![reg_no.as_str().into()];
    params.extend(parties.iter().map(|p| db::Param::from(*p)));
    let mut r = reg.db().read(&sql, &params).await?.pop().ok_or_else(not_found)?;
    if r.take::<bool>(WIDTH)? {
        let (vehicle, owners) = with_owners(reg, &reg_no).await?.ok_or_else(not_found)?;
        return Ok(Inquiry::Full(FullView { vehicle, owners }));
    }
    let v = vehicle_from(&mut r)?;
    Ok(Inquiry::Limited(LimitedView {
        registration_number: v.registration_number,
        make: v.make,
        model: v.model,
        colour: v.colour,
        year: v.year,
        class: v.class,
        status: v.status,
        transfer_pending: v.transfer_pending,
    }))
}

/// The inquiry's statement for an asker with `parties` parties (themselves
/// and their organisations): built once for the usual counts.
///
/// Each party is asked about on its own, by the owners' key (party, then
/// vehicle), so the check reads the pages that hold that party's vehicles,
/// which stay in cache while they use the registry. (Given `party_id IN
/// (...)`, SQLite chose the index by vehicle instead: a page at random for
/// every inquiry by a member of an organisation, about a fifth of the cost
/// of the whole request.)
fn inquiry_sql(parties: usize) -> std::borrow::Cow<'static, str> {
    fn build(parties: usize) -> String {
        let owns = (2..parties + 2)
            .map(|i| {
                format!("EXISTS (SELECT 1 FROM reg_vehicle_owners o WHERE o.party_id = ${i} AND o.vehicle_id = v.id)")
            })
            .collect::<Vec<_>>()
            .join(" OR ");
        format!("SELECT {}, ({owns}) FROM reg_vehicles v WHERE v.reg_no = $1", columns!())
    }
    static USUAL: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| (1..=8).map(build).collect());
    match USUAL.get(parties.wrapping_sub(1)) {
        Some(sql) => std::borrow::Cow::Borrowed(sql.as_str()),
        None => std::borrow::Cow::Owned(build(parties)),
    }
}

/// A vehicle with its owners, in one read.
pub async fn with_owners(reg: &Registry, reg_no: &RegistrationNumber) -> Result<Option<(Vehicle, Vec<Owner>)>, Error> {
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
        if let Some(party_id) = r.take::<Option<String>>(WIDTH)? {
            owners.push(Owner {
                party_id,
                role: r.take(WIDTH + 1)?,
                kind: r.take(WIDTH + 2)?,
                name: r.take(WIDTH + 3)?,
                doc_type: r.take(WIDTH + 4)?,
                doc_number: r.take(WIDTH + 5)?,
            });
        }
    }
    match rows.first_mut() {
        Some(first) => Ok(Some((vehicle_from(first)?, owners))),
        None => Ok(None),
    }
}

/// A vehicle on a "my vehicles" list: as whom it is held (`owner` or
/// `financier`) and by whom (the person, or the organisation they act for).
#[derive(Debug, Clone)]
pub struct Held {
    pub vehicle: Vehicle,
    pub role: String,
    /// `None`: the person themselves; otherwise the organisation's name.
    pub organisation: Option<String>,
}

/// "My vehicles": the person's own and, when they act for an organisation,
/// its vehicles too, by registration number, a page at a time. A vehicle
/// held by both is listed once, as the person's.
pub async fn mine(reg: &Registry, actor: &Actor, page: &PageRequest) -> Result<Page<Held>, Error> {
    const SQL: &str = concat!(
        "SELECT ",
        columns!(),
        ", o.role, o.party_id FROM reg_vehicles v JOIN reg_vehicle_owners o ON o.vehicle_id = v.id \
         WHERE o.party_id IN ($1, $2) AND v.reg_no > $3 \
         ORDER BY v.reg_no, CASE WHEN o.party_id = $1 THEN 0 ELSE 1 END LIMIT $4"
    );
    let person = actor.person.id.as_str();
    let org = actor.acting_for.as_ref().map_or(person, |m| m.org_id.as_str());
    let after = page.after::<1>("vehicles")?.map(|[reg_no]| reg_no).unwrap_or_default();
    // A vehicle comes at most twice (held by the person and by the
    // organisation): twice the rows give at least a page and one more.
    let rows =
        reg.db().read(SQL, &[person.into(), org.into(), after.as_str().into(), (2 * page.fetch()).into()]).await?;
    let mut list: Vec<Held> = vec![];
    for mut r in rows {
        let vehicle = vehicle_from(&mut r)?;
        if list.last().is_some_and(|h| h.vehicle.id == vehicle.id) {
            continue;
        }
        let holder: String = r.take(WIDTH + 1)?;
        let organisation = if holder == person { None } else { actor.acting_for.as_ref().map(|m| m.name.clone()) };
        list.push(Held { vehicle, role: r.take(WIDTH)?, organisation });
    }
    list.truncate(page.fetch() as usize);
    Ok(page.page("vehicles", list, |h| [h.vehicle.registration_number.clone()]))
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

/// Put a vehicle on the register with its owners (party id, `owner` or
/// `financier`), in the caller's transaction.
pub async fn register(tx: &mut WriteTx, v: &NewVehicle, owners: &[(String, &str)], now: i64) -> Result<String, Error> {
    let mut errors = FieldErrors::new();
    let reg_no = errors.check("registration_number", RegistrationNumber::parse(&v.registration_number));
    let vin = errors.check("chassis_number", Vin::parse(&v.chassis_number));
    let engine = errors.check("engine_number", EngineNumber::parse(&v.engine_number));
    if !owners.iter().any(|(_, role)| *role == "owner") {
        errors.add("owners", "A vehicle needs at least one owner");
    }
    errors.into_result()?;
    let (Some(reg_no), Some(vin), Some(engine)) = (reg_no, vin, engine) else {
        return Err(Error::Internal("checked above".into()));
    };
    let id = new_id();
    sqlx::query(
        "INSERT INTO reg_vehicles (id, reg_no, chassis_no, engine_no, make, model, body, colour, year, class, \
         engine_cc, trailer_wheels, logbook_serial, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'active', $14, $14)",
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
    .bind(now)
    .execute(&mut **tx)
    .await?;
    for (party, role) in owners {
        sqlx::query("INSERT INTO reg_vehicle_owners (vehicle_id, party_id, role, since) VALUES ($1, $2, $3, $4)")
            .bind(&id)
            .bind(party)
            .bind(*role)
            .bind(now)
            .execute(&mut **tx)
            .await?;
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::inquiry_sql;

    #[test]
    fn the_inquiry_asks_about_every_party_of_the_asker() {
        assert!(inquiry_sql(1).contains("o.party_id = $2 AND"));
        assert!(!inquiry_sql(1).contains("$3"));
        let nine = inquiry_sql(9);
        assert!((2..=10).all(|i| nine.contains(&format!("o.party_id = ${i} AND"))), "{nine}");
        assert!(!nine.contains("$11"));
        assert!(inquiry_sql(2).contains("WHERE v.reg_no = $1"));
    }

    /// Whatever the number of parties, SQLite checks ownership by the
    /// owners' key, party first, never through the index by vehicle.
    #[tokio::test]
    async fn sqlite_checks_each_party_by_the_owners_key() {
        let dir = std::env::temp_dir().join(format!("tims-inquiry-plan-{}", std::process::id()));
        let db = db::Db::connect(&db::sqlite_url_in(&dir), &db::PoolSettings::default()).await.unwrap();
        db.migrate().await.unwrap();
        for parties in 1..=4 {
            let sql = inquiry_sql(parties);
            let params: Vec<db::Param<'_>> = std::iter::repeat_n(db::Param::from("x"), parties + 1).collect();
            let plan = db.read(&format!("EXPLAIN QUERY PLAN {sql}"), &params).await.unwrap();
            let lines: Vec<String> = plan.into_iter().map(|mut r| r.take::<String>(3).unwrap()).collect();
            let owners: Vec<&String> = lines.iter().filter(|l| l.starts_with("SEARCH o ")).collect();
            assert_eq!(owners.len(), parties, "{lines:?}");
            assert!(owners.iter().all(|l| l.contains("PRIMARY KEY (party_id=? AND vehicle_id=?)")), "{lines:?}");
        }
        drop(db);
        let _ = std::fs::remove_dir_all(dir);
    }
}
