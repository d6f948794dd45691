//! Demo data for a first run: the sign-on's demo people and organisations
//! as owners, vehicles of every class the fee schedule prices (cars across
//! the engine-capacity bands, motorcycles, trailers, a tractor), one with
//! joint owners, one financed by a bank, and an officer. It writes only
//! through `parties` and `vehicles`, like any other caller, and knows no
//! table of its own.

use domain::fees::VehicleClass;
use domain::org::OrgKind;
use domain::{DocType, OwnerRole, PartyKind};

use crate::parties::{self, StaffRole};
use crate::vehicles::{self, NewVehicle};
use crate::{Error, Registry};

/// A person the sign-on's demo data holds, as the registry should know them.
#[derive(Debug, Clone)]
pub struct DemoPerson {
    pub account_type: domain::AccountType,
    pub id_number: String,
    pub name: String,
    pub phone: String,
}

/// An organisation of the demo, by KRA PIN.
#[derive(Debug, Clone)]
pub struct DemoOrg {
    pub kra_pin: String,
    pub name: String,
    pub kind: String,
}

pub const OFFICER_ID: &str = "34567890";

/// (registration, make, model, body, colour, year, class, cc, wheels, owners: (document, role))
type Spec = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
    VehicleClass,
    Option<u32>,
    Option<u8>,
    &'static [(&'static str, OwnerRole)],
);

const SELLER: &str = "12345678";
const BUYER: &str = "23456789";
const RESIDENT: &str = "100200300";
const DEALER: &str = "P051234567A";
const LOGISTICS: &str = "P051234571E";
const BANK: &str = "P051234569C";

const VEHICLES: &[Spec] = &[
    (
        "KDA 001A",
        "Toyota",
        "Axio",
        "Saloon",
        "Silver",
        2016,
        VehicleClass::MotorVehicle,
        Some(1490),
        None,
        &[(SELLER, OwnerRole::Owner)],
    ),
    (
        "KCB 123B",
        "Nissan",
        "Note",
        "Hatchback",
        "Blue",
        2014,
        VehicleClass::MotorVehicle,
        Some(1198),
        None,
        &[(SELLER, OwnerRole::Owner), (RESIDENT, OwnerRole::Owner), (BANK, OwnerRole::Financier)],
    ),
    (
        "KDC 555C",
        "Toyota",
        "Land Cruiser Prado",
        "Station wagon",
        "Black",
        2019,
        VehicleClass::MotorVehicle,
        Some(2982),
        None,
        &[(BUYER, OwnerRole::Owner), (BANK, OwnerRole::Financier)],
    ),
    (
        "KDD 100D",
        "Toyota",
        "Vitz",
        "Hatchback",
        "White",
        2015,
        VehicleClass::MotorVehicle,
        Some(996),
        None,
        &[(DEALER, OwnerRole::Owner)],
    ),
    (
        "KDD 200D",
        "Mazda",
        "Demio",
        "Hatchback",
        "Red",
        2016,
        VehicleClass::MotorVehicle,
        Some(1348),
        None,
        &[(DEALER, OwnerRole::Owner)],
    ),
    (
        "KDD 300D",
        "Honda",
        "Fit Shuttle",
        "Station wagon",
        "Grey",
        2017,
        VehicleClass::MotorVehicle,
        Some(1496),
        None,
        &[(DEALER, OwnerRole::Owner)],
    ),
    (
        "KDD 400D",
        "Toyota",
        "Corolla Fielder",
        "Station wagon",
        "White",
        2017,
        VehicleClass::MotorVehicle,
        Some(1598),
        None,
        &[(DEALER, OwnerRole::Owner)],
    ),
    (
        "KDD 500D",
        "Subaru",
        "Forester",
        "Station wagon",
        "Green",
        2015,
        VehicleClass::MotorVehicle,
        Some(1995),
        None,
        &[(DEALER, OwnerRole::Owner)],
    ),
    (
        "KDD 600D",
        "Toyota",
        "Harrier",
        "Station wagon",
        "Pearl",
        2018,
        VehicleClass::MotorVehicle,
        Some(2494),
        None,
        &[(DEALER, OwnerRole::Owner)],
    ),
    (
        "KDD 700D",
        "Mercedes-Benz",
        "E 300",
        "Saloon",
        "Black",
        2018,
        VehicleClass::MotorVehicle,
        Some(2996),
        None,
        &[(DEALER, OwnerRole::Owner)],
    ),
    (
        "KDD 800D",
        "Toyota",
        "Land Cruiser V8",
        "Station wagon",
        "White",
        2017,
        VehicleClass::MotorVehicle,
        Some(4608),
        None,
        &[(DEALER, OwnerRole::Owner)],
    ),
    (
        "KDD 900D",
        "Isuzu",
        "D-Max",
        "Pick-up",
        "White",
        2020,
        VehicleClass::MotorVehicle,
        Some(1898),
        None,
        &[(LOGISTICS, OwnerRole::Owner)],
    ),
    (
        "KMEA 123A",
        "Bajaj",
        "Boxer",
        "Motorcycle",
        "Red",
        2021,
        VehicleClass::Motorcycle,
        Some(150),
        None,
        &[(BUYER, OwnerRole::Owner)],
    ),
    (
        "KMEB 456B",
        "TVS",
        "HLX 125",
        "Motorcycle",
        "Black",
        2022,
        VehicleClass::Motorcycle,
        Some(125),
        None,
        &[(DEALER, OwnerRole::Owner)],
    ),
    (
        "KAT 201T",
        "Local",
        "Box trailer",
        "Trailer",
        "Grey",
        2012,
        VehicleClass::Trailer,
        None,
        Some(2),
        &[(LOGISTICS, OwnerRole::Owner)],
    ),
    (
        "KAT 202T",
        "Tata",
        "Flatbed trailer",
        "Trailer",
        "Blue",
        2013,
        VehicleClass::Trailer,
        None,
        Some(8),
        &[(LOGISTICS, OwnerRole::Owner)],
    ),
    (
        "KAT 300T",
        "Massey Ferguson",
        "MF 375",
        "Tractor",
        "Red",
        2010,
        VehicleClass::Tractor,
        Some(3900),
        None,
        &[(SELLER, OwnerRole::Owner)],
    ),
];

/// Fill an empty registry with demo data. Returns whether it did.
pub async fn seed_if_empty(reg: &Registry, people: &[DemoPerson], orgs: &[DemoOrg]) -> Result<bool, Error> {
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM reg_vehicles").fetch_one(reg.db().pool()).await?;
    if count > 0 {
        return Ok(false);
    }
    let now = reg.now_ms();
    let mut tx = reg.db().begin_write().await?;
    let mut ids = std::collections::HashMap::new();
    for p in people {
        let doc_type = DocType::Person(p.account_type);
        let id = parties::ensure(&mut tx, PartyKind::Person, doc_type, &p.id_number, &p.name, None, now).await?;
        parties::set_contact(&mut tx, &id, &p.name, &p.phone).await?;
        ids.insert(p.id_number.clone(), id);
    }
    for o in orgs {
        let kind = OrgKind::parse(&o.kind).ok();
        let id =
            parties::ensure(&mut tx, PartyKind::Organisation, DocType::KraPin, &o.kra_pin, &o.name, kind, now).await?;
        ids.insert(o.kra_pin.clone(), id);
    }
    for (i, (reg_no, make, model, body, colour, year, class, cc, wheels, owners)) in VEHICLES.iter().enumerate() {
        let owners: Vec<(String, OwnerRole)> =
            owners.iter().filter_map(|(doc, role)| ids.get(*doc).map(|id| (id.clone(), *role))).collect();
        let v = NewVehicle {
            registration_number: reg_no.to_string(),
            chassis_number: format!("JTDKB20U{:09}", 300_000_000 + i),
            engine_number: format!("EN{:07}", 1_000_000 + i),
            make: make.to_string(),
            model: model.to_string(),
            body: body.to_string(),
            colour: colour.to_string(),
            year: *year,
            class: *class,
            engine_cc: *cc,
            trailer_wheels: *wheels,
            logbook_serial: format!("LB{:08}", 10_000_000 + i),
        };
        vehicles::register(&mut tx, &v, &owners, now).await?;
    }
    tx.commit().await?;
    let officer = people.iter().find(|p| p.id_number == OFFICER_ID);
    if let Some(o) = officer {
        parties::grant_staff(reg.db(), now, o.account_type, &o.id_number, StaffRole::Officer, "demo data").await?;
    }
    Ok(true)
}

/// What to print after creating demo data.
pub fn instructions(public_url: &str) -> String {
    format!(
        "Registry demo: sign in at {public_url}/ (the sign-on's demo accounts). Citizen 12345678 owns KDA 001A \
         (and KCB 123B jointly with resident 100200300, financed by Harambee Bank, admin 56789012); 23456789 owns \
         KDC 555C, also financed by the bank; Kamau Motors (admin 12345678) holds cars in every engine band; 34567890 is an officer. \
         API: {public_url}/api/v1, described at {public_url}/api/openapi.json."
    )
}
