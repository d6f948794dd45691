//! The lists of transfers (one's own, the officers' queue), each with a
//! search box, and the start of a new transfer.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use pagekit::{Signed, SignedForm};
use texts::{Page as PageText, RegistryPage as R, SignOnAccount, Text as _};

use super::extract::{CSRF, SignedIn};
use super::frame::{Frame, ListQuery, OrShow, PageResult, error_lines, render};
use super::search::{Row, SearchList};
use crate::Error;
use crate::Registry;
use crate::paging::{Page, PageRequest};
use crate::transfers::{self, NewTransfer};
use crate::vehicles::Search;

/// Which page of a list of transfers, searched for what.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct TransfersQuery {
    #[serde(flatten)]
    page: ListQuery,
    q: Option<String>,
}

/// Which list: its address, title and what it says when empty.
struct ListPage {
    path: &'static str,
    title: String,
    lead: Vec<String>,
    empty: String,
}

/// The rows of a page of transfers.
fn rows(me: &SignedIn, items: Vec<transfers::ListItem>) -> Vec<Row> {
    let lang = me.lang;
    items
        .into_iter()
        .map(|t| {
            // The item's label is the API's, in English.
            let state = domain::transfer::State::parse(&t.state)
                .map_or(t.state_label, |state| R::StateLabel { state }.render(lang));
            let cells = vec![
                t.reference,
                t.registration_number,
                match t.conflict_of_interest {
                    Some(why) => format!("{state}. {why}."),
                    None => state,
                },
                R::Days { n: t.age_days }.render(lang),
                t.review_deadline.unwrap_or_default(),
            ];
            Row { link: format!("/transfers/{}", t.id), cells, action: None }
        })
        .collect()
}

/// A list of transfers searched for `term`, or the form refusing the term.
fn list_page(
    me: &SignedIn,
    l: ListPage,
    term: &str,
    req: &PageRequest,
    found: Result<Page<transfers::ListItem>, Error>,
) -> PageResult {
    let page = match found {
        Err(e @ Error::Invalid(_)) => {
            let none = Page::<()> { items: vec![], next: None };
            let list = SearchList::new(Frame::of(me), l.title, l.path, &[], term, req, &none, String::new());
            return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &list.refused(&e), None));
        }
        other => other.or_show(me)?,
    };
    let mut list = SearchList::new(Frame::of(me), l.title, l.path, &[], term, req, &page, l.empty);
    list.lead = l.lead;
    list.rows = rows(me, page.items);
    let head = [R::ColReference, R::ColVehicle, R::ColState, R::ColAge, R::ColReviewDue];
    list.head = head.iter().map(|h| h.render(me.lang)).collect();
    Ok(render(StatusCode::OK, &list, None))
}

pub async fn my_transfers(
    State(reg): State<Registry>,
    Signed(me): Signed<Registry>,
    Query(q): Query<TransfersQuery>,
) -> PageResult {
    let lang = me.lang;
    let req = q.page.page_request().or_show(&me)?;
    let term = q.q.unwrap_or_default();
    let found = match Search::parse(Some(&term), &me.actor) {
        Ok(search) => transfers::list_mine(&reg, &me.actor, &req, &search).await,
        Err(e) => Err(e),
    };
    let l = ListPage {
        path: "/transfers",
        title: PageText::NavTransfers.render(lang),
        lead: vec![],
        empty: PageText::NoTransfers.render(lang),
    };
    list_page(&me, l, &term, &req, found)
}

pub async fn review_queue(
    State(reg): State<Registry>,
    Signed(me): Signed<Registry>,
    Query(q): Query<TransfersQuery>,
) -> PageResult {
    let lang = me.lang;
    let req = q.page.page_request().or_show(&me)?;
    let term = q.q.unwrap_or_default();
    let found = match Search::parse(Some(&term), &me.actor) {
        Ok(search) => transfers::queue(&reg, &me.actor, &req, &search).await,
        Err(e) => Err(e),
    };
    let (waiting, oldest) = transfers::review_backlog(&reg).await.or_show(&me)?;
    let lead = match oldest {
        Some(at) if waiting > 0 => {
            let oldest_days = (reg.now_ms() - at).max(0) / domain::policy::DAY_MS;
            vec![R::ReviewBacklog { waiting, oldest_days }.render(lang)]
        }
        _ => vec![],
    };
    let l = ListPage {
        path: "/review",
        title: PageText::ReviewQueueTitle.render(lang),
        lead,
        empty: PageText::NothingToReview.render(lang),
    };
    list_page(&me, l, &term, &req, found)
}

#[derive(Template)]
#[template(path = "new_transfer.html")]
struct NewTransferPage {
    frame: Frame,
    csrf: String,
    reg_no: String,
    buyer_type: String,
    buyer_id: String,
    buyer_types: Vec<(&'static str, String)>,
    /// The documents an individual buyer may have: (value, text).
    buyer_documents: Vec<(&'static str, String)>,
    err_reg: String,
    err_type: String,
    err_id: String,
}

fn new_transfer_page(
    me: &SignedIn,
    csrf: String,
    input: &NewTransfer,
    errors: Vec<(String, String)>,
) -> NewTransferPage {
    // Beside its field, an error starts with "Error: " for screen readers.
    let prefix = PageText::ErrorTitlePrefix.render(me.lang);
    let find = |f: &str| errors.iter().find(|(k, _)| k == f).map(|(_, m)| format!("{prefix}{m}")).unwrap_or_default();
    let mut buyer_types = vec![("individual", R::AnIndividual.render(me.lang))];
    buyer_types.extend(
        domain::org::OrgKind::ALL
            .iter()
            .map(|&kind| (kind.as_str(), SignOnAccount::OrgKindName { kind }.render(me.lang))),
    );
    let buyer_documents = domain::AccountType::ALL
        .iter()
        .map(|&account_type| (account_type.as_str(), R::BuyerDocument { account_type }.render(me.lang)))
        .collect();
    let (err_reg, err_type, err_id) = (find("registration_number"), find("buyer_type"), find("buyer_id_number"));
    NewTransferPage {
        frame: Frame { errors, ..Frame::of(me) },
        err_reg,
        err_type,
        err_id,
        csrf,
        reg_no: input.registration_number.clone(),
        buyer_type: input.buyer_type.clone(),
        buyer_id: input.buyer_id_number.clone(),
        buyer_types,
        buyer_documents,
    }
}

pub async fn new_transfer(headers: HeaderMap, Signed(me): Signed<Registry>) -> PageResult {
    let (csrf, set) = CSRF.token_for(&headers);
    let input = NewTransfer { buyer_type: "individual".into(), ..NewTransfer::default() };
    Ok(render(StatusCode::OK, &new_transfer_page(&me, csrf, &input, vec![]), set))
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
    f: SignedForm<Registry, NewTransferForm>,
) -> Response {
    let SignedForm { session: me, form: f } = f;
    let input = NewTransfer {
        registration_number: f.registration_number,
        buyer_type: f.buyer_type,
        buyer_id_type: Some(f.buyer_id_type).filter(|s| !s.is_empty()),
        buyer_id_number: f.buyer_id_number,
    };
    match transfers::create(&reg, &me.actor, &input).await {
        Ok(t) => Redirect::to(&format!("/transfers/{}?notice=created", t.id)).into_response(),
        Err(e) => {
            let (csrf, set) = CSRF.token_for(&headers);
            render(e.status(), &new_transfer_page(&me, csrf, &input, error_lines(me.lang, &e)), set)
        }
    }
}
