//! Inquiry by registration number, with the view the asker may see, and
//! "my vehicles". Reads only: it writes nothing, and knows of transfers only
//! whether one is open.

use domain::fees::VehicleClass;
use serde::Serialize;
use texts::{Text as _, TransferRefusal};

use domain::OwnerRole;

use super::{Holder, Owner, Search, Vehicle, columns, own, parse_registration, vehicle_from, with_owners};
use crate::paging::{Page, PageRequest};
use crate::signin::Actor;
use crate::{Error, Registry, parties};

/// The whole record: for owners, their organisations' members and staff.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FullView {
    #[serde(flatten)]
    pub vehicle: Vehicle,
    pub owners: Vec<Owner>,
}

impl FullView {
    fn of(vehicle: Vehicle, holders: Vec<Holder>) -> Self {
        Self { vehicle, owners: holders.into_iter().map(|h| h.view).collect() }
    }
}

/// What anyone signed in may see: no personal data.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LimitedView {
    pub registration_number: String,
    pub make: String,
    pub model: String,
    pub colour: String,
    pub year: i64,
    #[schema(schema_with = VehicleClass::schema)]
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

/// Inquiry: the whole record for its owners, the members of organisations
/// that own it (whether or not they act for them just now) and staff; a
/// limited view for anyone else signed in.
#[tracing::instrument(skip_all, fields(vehicle = %raw, actor = %actor.person.id))]
pub async fn inquire(reg: &Registry, actor: &Actor, raw: &str) -> Result<Inquiry, Error> {
    // Most inquiries come from people who may see only the limited view, so
    // (staff aside) the first read asks whether any of the asker's parties
    // (themselves and their organisations) is an owner rather than reading
    // the owners; their names and documents are read only for those who may
    // see them.
    let reg_no = parse_registration(raw)?;
    let lang = parties::lang_of(&actor.person);
    let not_found = || Error::NotFound(TransferRefusal::NoSuchVehicle { reg_no: reg_no.as_str() }.render(lang));
    if actor.is_staff() {
        let (vehicle, owners) = with_owners(reg, &reg_no).await?.ok_or_else(not_found)?;
        return Ok(Inquiry::Full(FullView::of(vehicle, owners)));
    }
    let ours = own(actor);
    let sql = inquiry_sql(ours.len());
    let mut params: Vec<db::Param<'_>> = vec![reg_no.as_str().into()];
    params.extend(ours.iter().map(|p| db::Param::from(*p)));
    let mut r = reg.db().read(&sql, &params).await?.pop().ok_or_else(not_found)?;
    if r.col::<bool>("owns_it")? {
        let (vehicle, owners) = with_owners(reg, &reg_no).await?.ok_or_else(not_found)?;
        return Ok(Inquiry::Full(FullView::of(vehicle, owners)));
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
        format!("SELECT {}, ({owns}) AS owns_it FROM reg_vehicles v WHERE v.reg_no = $1", columns!())
    }
    static USUAL: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| (1..=8).map(build).collect());
    match USUAL.get(parties.wrapping_sub(1)) {
        Some(sql) => std::borrow::Cow::Borrowed(sql.as_str()),
        None => std::borrow::Cow::Owned(build(parties)),
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
    /// Whether the reader may sell it now: it is held as owner by them or
    /// by the organisation they act for (and may transact for), and no
    /// transfer of it is open.
    pub may_sell: bool,
}

/// Whose vehicles a list shows.
#[derive(Debug, Clone, Copy, Default)]
pub enum Whose<'a> {
    /// The person's own and those of the organisation they act for.
    #[default]
    Mine,
    /// One organisation the person belongs to, by KRA PIN.
    Organisation(&'a str),
}

/// "My vehicles": the person's own and, when they act for an organisation,
/// its vehicles too; or the vehicles of one organisation they belong to.
/// By registration number, optionally searched, a page at a time. A
/// vehicle held by both is listed once, as the person's.
#[tracing::instrument(skip_all, fields(actor = %actor.person.id))]
pub async fn mine(
    reg: &Registry,
    actor: &Actor,
    whose: Whose<'_>,
    page: &PageRequest,
    search: &Search,
) -> Result<Page<Held>, Error> {
    let person = actor.person.id.as_str();
    let (first, second, org) = match whose {
        Whose::Mine => {
            let org = actor.acting_for.as_ref();
            (person, org.map_or(person, |m| m.org_id.as_str()), org)
        }
        Whose::Organisation(pin) => {
            let pin = pin.trim().to_ascii_uppercase();
            let m = actor.memberships.iter().find(|m| m.kra_pin == pin).ok_or_else(|| {
                let lang = parties::lang_of(&actor.person);
                Error::Forbidden(texts::RegistryPage::NotAMember { kra_pin: &pin }.render(lang))
            })?;
            (m.org_id.as_str(), m.org_id.as_str(), Some(m))
        }
    };
    let sells_for_org =
        org.is_some_and(|m| actor.acting_for.as_ref().is_some_and(|a| a.org_id == m.org_id)) && actor.may_transact();
    // Each party's vehicles come by the owners' key (party first); the
    // search narrows those rows.
    let sql = format!(
        "SELECT {}, o.role, o.party_id FROM reg_vehicles v JOIN reg_vehicle_owners o ON o.vehicle_id = v.id \
         WHERE o.party_id IN ($1, $2) AND v.reg_no > $3 {} \
         ORDER BY v.reg_no, CASE WHEN o.party_id = $1 THEN 0 ELSE 1 END LIMIT $4",
        columns!(),
        search.vehicle_condition(5)
    );
    let after = page.after::<1>("vehicles")?.map(|[reg_no]| reg_no).unwrap_or_default();
    let pattern = search.param();
    // A vehicle comes at most twice (held by the person and by the
    // organisation): twice the rows give at least a page and one more.
    let mut params: Vec<db::Param<'_>> =
        vec![first.into(), second.into(), after.as_str().into(), (2 * page.fetch()).into()];
    if let Some(p) = &pattern {
        params.push(p.into());
    }
    let rows = reg.db().read(&sql, &params).await?;
    let mut list: Vec<Held> = vec![];
    for mut r in rows {
        let vehicle = vehicle_from(&mut r)?;
        if list.last().is_some_and(|h| h.vehicle.id == vehicle.id) {
            continue;
        }
        let holder: String = r.col("party_id")?;
        let role: String = r.col("role")?;
        let by_person = holder == person;
        let may_sell = role == OwnerRole::Owner.as_str()
            && !vehicle.transfer_pending
            && if by_person { actor.acting_for.is_none() } else { sells_for_org };
        let organisation = if by_person { None } else { org.map(|m| m.name.clone()) };
        list.push(Held { vehicle, role, organisation, may_sell });
    }
    list.truncate(page.fetch() as usize);
    Ok(page.page("vehicles", list, |h| [h.vehicle.registration_number.clone()]))
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
            let lines: Vec<String> = plan.into_iter().map(|mut r| r.col::<String>("detail").unwrap()).collect();
            let owners: Vec<&String> = lines.iter().filter(|l| l.starts_with("SEARCH o ")).collect();
            assert_eq!(owners.len(), parties, "{lines:?}");
            assert!(owners.iter().all(|l| l.contains("PRIMARY KEY (party_id=? AND vehicle_id=?)")), "{lines:?}");
        }
        drop(db);
        let _ = std::fs::remove_dir_all(dir);
    }
}
