//! The register's pages: the vehicles one holds, and inquiry by
//! registration number.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use domain::{OwnerRole, VehicleStatus};
use pagekit::Signed;
use texts::{Lang, Page, RegistryPage as R, Text as _};

use super::frame::{Frame, ListQuery, OrShow, PageResult, TablePage, error_lines, pager, render};
use crate::{Registry, vehicles};

pub async fn my_vehicles(
    State(reg): State<Registry>,
    Signed(me): Signed<Registry>,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let (actor, lang) = (&me.actor, me.lang);
    let req = q.page_request().or_show(&me)?;
    let list = vehicles::mine(&reg, actor, &req).await.or_show(&me)?;
    let pager = pager(lang, "/vehicles", &req, &list);
    let rows = list
        .items
        .into_iter()
        .map(|h| {
            let link = format!(
                "/inquiry?registration_number={}",
                url::form_urlencoded::byte_serialize(h.vehicle.registration_number.as_bytes()).collect::<String>()
            );
            let status = status(lang, h.vehicle.transfer_pending, h.vehicle.status);
            let cells = vec![
                h.vehicle.registration_number,
                format!("{} {} {} ({})", h.vehicle.colour, h.vehicle.make, h.vehicle.model, h.vehicle.year),
                h.organisation.unwrap_or_else(|| R::HeldByYou.render(lang)),
                owner_role(lang, h.role),
                status,
            ];
            (link, cells)
        })
        .collect();
    let title = match &actor.acting_for {
        Some(m) => Page::MyVehiclesAndOrgs { org: &m.name }.render(lang),
        None => Page::MyVehicles.render(lang),
    };
    let head = [R::ColRegistration, R::ColVehicle, R::ColHeldBy, R::ColAs, R::ColStatus];
    let page = TablePage::list(Frame::of(&me), title, &head, rows, Page::NoVehicles.render(lang), pager);
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
                pair(R::Class, v.class),
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
