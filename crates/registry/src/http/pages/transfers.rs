//! The lists of transfers (one's own, the officers' queue) and the start
//! of a new transfer.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use super::extract::{CSRF, SignedForm, SignedIn};
use super::frame::{ListQuery, OrShow, PageResult, Row, TablePage, User, error_lines, pager, render, user};
use crate::Registry;
use crate::signin::Actor;
use crate::transfers::{self, NewTransfer};

/// A page of transfers, as a table.
struct ListPage<'a> {
    title: &'a str,
    lead: Vec<String>,
    empty: &'a str,
    pager: Vec<(String, &'static str)>,
}

fn list_page(actor: &Actor, items: Vec<transfers::ListItem>, l: ListPage<'_>) -> Response {
    let rows = items
        .into_iter()
        .map(|t| Row {
            link: format!("/transfers/{}", t.id),
            cells: vec![
                t.reference,
                t.registration_number,
                match t.conflict_of_interest {
                    Some(why) => format!("{}. {why}.", t.state_label),
                    None => t.state_label,
                },
                format!("{} day{}", t.age_days, if t.age_days == 1 { "" } else { "s" }),
                t.review_deadline.unwrap_or_default(),
            ],
        })
        .collect();
    let page = TablePage {
        lead: l.lead,
        head: vec!["Reference", "Vehicle", "State", "Age", "Review due"],
        rows,
        empty: l.empty.into(),
        pager: l.pager,
        ..TablePage::titled(Some(user(actor)), l.title)
    };
    render(StatusCode::OK, &page, None)
}

pub async fn my_transfers(State(reg): State<Registry>, me: SignedIn, Query(q): Query<ListQuery>) -> PageResult {
    let actor = me.actor;
    let req = q.page_request().or_show(&actor)?;
    let page = transfers::list_mine(&reg, &actor, &req).await.or_show(&actor)?;
    let pager = pager("/transfers", &req, &page);
    let l = ListPage { title: "Transfers", lead: vec![], empty: "You are not part of any transfer.", pager };
    Ok(list_page(&actor, page.items, l))
}

pub async fn review_queue(State(reg): State<Registry>, me: SignedIn, Query(q): Query<ListQuery>) -> PageResult {
    let actor = me.actor;
    let req = q.page_request().or_show(&actor)?;
    let page = transfers::queue(&reg, &actor, &req).await.or_show(&actor)?;
    let (waiting, oldest) = transfers::review_backlog(&reg).await.or_show(&actor)?;
    let lead = match oldest {
        Some(at) if waiting > 0 => {
            let days = (reg.now_ms() - at).max(0) / domain::policy::DAY_MS;
            vec![format!(
                "{waiting} transfer{} waiting; the oldest for {days} day{}.",
                if waiting == 1 { "" } else { "s" },
                if days == 1 { "" } else { "s" }
            )]
        }
        _ => vec![],
    };
    let pager = pager("/review", &req, &page);
    let l = ListPage { title: "Review queue (oldest first)", lead, empty: "Nothing is waiting for review.", pager };
    Ok(list_page(&actor, page.items, l))
}

#[derive(Template)]
#[template(path = "new_transfer.html")]
struct NewTransferPage {
    user: Option<User>,
    errors: Vec<(String, String)>,
    notice: Option<String>,
    csrf: String,
    reg_no: String,
    buyer_type: String,
    buyer_id: String,
    buyer_types: Vec<(&'static str, &'static str)>,
    err_reg: Option<String>,
    err_type: Option<String>,
    err_id: Option<String>,
}

fn new_transfer_page(
    actor: &Actor,
    csrf: String,
    input: &NewTransfer,
    errors: Vec<(String, String)>,
) -> NewTransferPage {
    let find = |f: &str| errors.iter().find(|(k, _)| k == f).map(|(_, m)| m.clone());
    let mut buyer_types = vec![("individual", "An individual")];
    buyer_types.extend(domain::org::OrgKind::ALL.iter().map(|k| (k.as_str(), k.label())));
    NewTransferPage {
        user: Some(user(actor)),
        err_reg: find("registration_number"),
        err_type: find("buyer_type"),
        err_id: find("buyer_id_number"),
        errors,
        notice: None,
        csrf,
        reg_no: input.registration_number.clone(),
        buyer_type: input.buyer_type.clone(),
        buyer_id: input.buyer_id_number.clone(),
        buyer_types,
    }
}

pub async fn new_transfer(headers: HeaderMap, me: SignedIn) -> PageResult {
    let (csrf, set) = CSRF.token_for(&headers);
    let input = NewTransfer { buyer_type: "individual".into(), ..NewTransfer::default() };
    Ok(render(StatusCode::OK, &new_transfer_page(&me.actor, csrf, &input, vec![]), set))
}

/// The new transfer form: the vehicle, and the buyer by ID.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct NewTransferForm {
    registration_number: String,
    buyer_type: String,
    buyer_id_type: String,
    buyer_id_number: String,
}

pub async fn new_transfer_submit(
    State(reg): State<Registry>,
    headers: HeaderMap,
    f: SignedForm<NewTransferForm>,
) -> Response {
    let (actor, f) = (f.me.actor, f.form);
    let input = NewTransfer {
        registration_number: f.registration_number,
        buyer_type: f.buyer_type,
        buyer_id_type: Some(f.buyer_id_type).filter(|s| !s.is_empty()),
        buyer_id_number: f.buyer_id_number,
    };
    match transfers::create(&reg, &actor, &input).await {
        Ok(t) => Redirect::to(&format!("/transfers/{}?notice=created", t.id)).into_response(),
        Err(e) => {
            let (csrf, set) = CSRF.token_for(&headers);
            render(e.status(), &new_transfer_page(&actor, csrf, &input, error_lines(&e)), set)
        }
    }
}
