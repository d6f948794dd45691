//! The register's pages: the vehicles one holds (or an organisation one
//! belongs to holds), searched by registration number, with Sell where the
//! reader may sell; and inquiry by registration number.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use domain::{OwnerRole, VehicleStatus};
use pagekit::Signed;
use texts::{HomeText, Lang, Page, RegistryPage as R, Text as _};

use super::frame::{Frame, ListQuery, OrShow, PageResult, TablePage, error_lines, render};
use super::home::sell_href;
use super::search::{Row, SearchList};
use crate::vehicles::{Search, Whose};
use crate::{Registry, vehicles};

/// Which page of whose vehicles, searched for what.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct VehiclesQuery {
    #[serde(flatten)]
    page: ListQuery,
    q: Option<String>,
    organisation: Option<String>,
}

pub async fn my_vehicles(
    State(reg): State<Registry>,
    Signed(me): Signed<Registry>,
    Query(q): Query<VehiclesQuery>,
) -> PageResult {
    let (actor, lang) = (&me.actor, me.lang);
    let req = q.page.page_request().or_show(&me)?;
    let org = q.organisation.as_deref().map(str::trim).filter(|o| !o.is_empty()).map(str::to_ascii_uppercase);
    let whose = org.as_deref().map_or(Whose::Mine, Whose::Organisation);
    let term = q.q.unwrap_or_default();
    let title = match (&org, &actor.acting_for) {
        (Some(pin), _) => {
            let name = actor.memberships.iter().find(|m| &m.kra_pin == pin).map_or(pin.as_str(), |m| m.name.as_str());
            HomeText::VehiclesOf { org: name }.render(lang)
        }
        (None, Some(m)) => Page::MyVehiclesAndOrgs { org: &m.name }.render(lang),
        (None, None) => Page::MyVehicles.render(lang),
    };
    let found = match Search::parse(Some(&term), actor) {
        Ok(search) => vehicles::mine(&reg, actor, whose, &req, &search).await,
        Err(e) => Err(e),
    };
    let extra = [("organisation", org.as_deref().unwrap_or_default())];
    let empty = crate::paging::Page::<()> { items: vec![], next: None };
    let list = match found {
        Err(e @ crate::Error::Invalid(_)) => {
            let page = SearchList::new(Frame::of(&me), title, "/vehicles", &extra, &term, &req, &empty, String::new());
            return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page.refused(&e), None));
        }
        other => other.or_show(&me)?,
    };
    let mut page =
        SearchList::new(Frame::of(&me), title, "/vehicles", &extra, &term, &req, &list, Page::NoVehicles.render(lang));
    page.label = HomeText::SearchVehiclesLabel.render(lang);
    page.orgs = actor
        .memberships
        .iter()
        .map(|m| (m.kra_pin.clone(), m.name.clone(), org.as_deref() == Some(m.kra_pin.as_str())))
        .collect();
    page.rows = list
        .items
        .into_iter()
        .map(|h| {
            let reg_no = h.vehicle.registration_number.clone();
            let link = format!(
                "/inquiry?registration_number={}",
                url::form_urlencoded::byte_serialize(reg_no.as_bytes()).collect::<String>()
            );
            let status = status(lang, h.vehicle.transfer_pending, h.vehicle.status);
            let action = h.may_sell.then(|| {
                (sell_href(&reg_no), HomeText::Sell.render(lang), HomeText::SellThis { reg_no: &reg_no }.render(lang))
            });
            let cells = vec![
                h.vehicle.registration_number,
                format!("{} {} {} ({})", h.vehicle.colour, h.vehicle.make, h.vehicle.model, h.vehicle.year),
                h.organisation.unwrap_or_else(|| R::HeldByYou.render(lang)),
                owner_role(lang, h.role),
                status,
            ];
            Row { link, cells, action }
        })
        .collect();
    let head = [R::ColRegistration, R::ColVehicle, R::ColHeldBy, R::ColAs, R::ColStatus];
    page.head = head.iter().map(|h| h.render(lang)).collect();
    page.head.push(HomeText::ColAction.render(lang));
    Ok(render(StatusCode::OK, &page, None))
}

/// A vehicle's status as its pages show it (a name the register does not
/// know, as it is).
fn status(lang: Lang, transfer_pending: bool, status: String) -> String {
    if transfer_pending {
        return Page::TransferPending.render(lang);
    }
    VehicleStatus::parse(&status).map_or(status, |status| R::VehicleStatusName { status }.render(lang))
}

/// How a vehicle is held, as its pages show it.
fn owner_role(lang: Lang, role: String) -> String {
    OwnerRole::parse(&role).map_or(role, |role| R::OwnerRoleName { role }.render(lang))
}

/// The registration number looked up, if any.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct InquiryQuery {
    registration_number: Option<String>,
}

pub async fn inquiry(
    State(reg): State<Registry>,
    Signed(me): Signed<Registry>,
    Query(q): Query<InquiryQuery>,
) -> PageResult {
    let lang = me.lang;
    let query = q.registration_number.unwrap_or_default();
    let mut page = TablePage {
        form_action: "/inquiry".into(),
        query: query.clone(),
        ..TablePage::titled(Frame::of(&me), Page::LookUpVehicle.render(lang))
    };
    if query.trim().is_empty() {
        return Ok(render(StatusCode::OK, &page, None));
    }
    let pair = |k: R<'_>, v: String| (k.render(lang), v);
    Ok(match vehicles::inquire(&reg, &me.actor, &query).await {
        Ok(vehicles::Inquiry::Full(f)) => {
            let v = f.vehicle;
            page.record = vec![
                pair(R::ColRegistration, v.registration_number),
                pair(R::ColVehicle, format!("{} {} {}, {}", v.colour, v.make, v.model, v.body)),
                pair(R::Year, v.year.to_string()),
                pair(
                    R::Class,
                    domain::fees::VehicleClass::parse(&v.class)
                        .map_or(v.class, |class| R::VehicleClassName { class }.render(lang)),
                ),
                pair(R::Engine, v.engine_cc.map_or("—".into(), |c| format!("{c} cc"))),
                pair(R::Chassis, v.chassis_number),
                pair(R::EngineNumber, v.engine_number),
                pair(R::LogbookSerial, v.logbook_serial),
                pair(R::ColStatus, status(lang, v.transfer_pending, v.status)),
            ];
            for o in f.owners {
                page.record.push(pair(
                    if o.role == domain::register::OwnerRole::Financier.as_str() { R::Financier } else { R::Owner },
                    o.name,
                ));
            }
            render(StatusCode::OK, &page, None)
        }
        Ok(vehicles::Inquiry::Limited(v)) => {
            page.lead = vec![Page::PublicPartOnly.render(lang)];
            page.record = vec![
                pair(R::ColRegistration, v.registration_number),
                pair(R::ColVehicle, format!("{} {} {}", v.colour, v.make, v.model)),
                pair(R::Year, v.year.to_string()),
                pair(R::ColStatus, status(lang, v.transfer_pending, v.status)),
            ];
            render(StatusCode::OK, &page, None)
        }
        Err(e) => {
            let status = e.status();
            page.frame.errors =
                error_lines(lang, &e).into_iter().map(|(_, m)| ("registration_number".to_string(), m)).collect();
            render(status, &page, None)
        }
    })
}
