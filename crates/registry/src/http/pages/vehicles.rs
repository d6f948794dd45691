//! The register's pages: the vehicles one holds, and inquiry by
//! registration number.

use axum::extract::{Query, State};
use axum::http::StatusCode;

use super::extract::SignedIn;
use super::frame::{ListQuery, OrShow, PageResult, Row, TablePage, error_lines, pager, render, user};
use crate::{Registry, vehicles};

pub async fn my_vehicles(State(reg): State<Registry>, me: SignedIn, Query(q): Query<ListQuery>) -> PageResult {
    let actor = me.actor;
    let req = q.page_request().or_show(&actor)?;
    let list = vehicles::mine(&reg, &actor, &req).await.or_show(&actor)?;
    let pager = pager("/vehicles", &req, &list);
    let rows = list
        .items
        .into_iter()
        .map(|h| Row {
            link: format!(
                "/inquiry?registration_number={}",
                url::form_urlencoded::byte_serialize(h.vehicle.registration_number.as_bytes()).collect::<String>()
            ),
            cells: vec![
                h.vehicle.registration_number,
                format!("{} {} {} ({})", h.vehicle.colour, h.vehicle.make, h.vehicle.model, h.vehicle.year),
                h.organisation.unwrap_or_else(|| "You".into()),
                h.role,
                if h.vehicle.transfer_pending { "Transfer pending".into() } else { h.vehicle.status },
            ],
        })
        .collect();
    let title = match &actor.acting_for {
        Some(m) => format!("My vehicles and those of {}", m.name),
        None => "My vehicles".into(),
    };
    let page = TablePage {
        head: vec!["Registration", "Vehicle", "Held by", "As", "Status"],
        rows,
        empty: "No vehicles are registered to you.".into(),
        pager,
        ..TablePage::titled(Some(user(&actor)), title)
    };
    Ok(render(StatusCode::OK, &page, None))
}

/// The registration number looked up, if any.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct InquiryQuery {
    registration_number: Option<String>,
}

pub async fn inquiry(State(reg): State<Registry>, me: SignedIn, Query(q): Query<InquiryQuery>) -> PageResult {
    let actor = me.actor;
    let query = q.registration_number.unwrap_or_default();
    let mut page = TablePage {
        form_action: "/inquiry".into(),
        query: query.clone(),
        head: vec!["", ""],
        ..TablePage::titled(Some(user(&actor)), "Look up a vehicle")
    };
    if query.trim().is_empty() {
        return Ok(render(StatusCode::OK, &page, None));
    }
    Ok(match vehicles::inquire(&reg, &actor, &query).await {
        Ok(vehicles::Inquiry::Full(f)) => {
            let v = f.vehicle;
            page.rows = vec![
                pair("Registration", v.registration_number),
                pair("Vehicle", format!("{} {} {}, {}", v.colour, v.make, v.model, v.body)),
                pair("Year", v.year.to_string()),
                pair("Class", v.class),
                pair("Engine", v.engine_cc.map_or("—".into(), |c| format!("{c} cc"))),
                pair("Chassis", v.chassis_number),
                pair("Engine number", v.engine_number),
                pair("Logbook serial", v.logbook_serial),
                pair("Status", if v.transfer_pending { "Transfer pending".into() } else { v.status }),
            ];
            for o in f.owners {
                page.rows.push(pair(if o.role == "financier" { "Financier" } else { "Owner" }, o.name));
            }
            render(StatusCode::OK, &page, None)
        }
        Ok(vehicles::Inquiry::Limited(v)) => {
            page.lead = vec!["You see the public part of the record: owners see the whole of it.".into()];
            page.rows = vec![
                pair("Registration", v.registration_number),
                pair("Vehicle", format!("{} {} {}", v.colour, v.make, v.model)),
                pair("Year", v.year.to_string()),
                pair("Status", if v.transfer_pending { "Transfer pending".into() } else { v.status }),
            ];
            render(StatusCode::OK, &page, None)
        }
        Err(e) => {
            let status = e.status();
            page.errors = error_lines(&e).into_iter().map(|(_, m)| ("registration_number".to_string(), m)).collect();
            render(status, &page, None)
        }
    })
}

/// A row of a record: what, and its value.
fn pair(k: &str, v: String) -> Row {
    Row { link: String::new(), cells: vec![k.to_string(), v] }
}
