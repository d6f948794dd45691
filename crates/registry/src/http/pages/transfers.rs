//! The lists of transfers (one's own, the officers' queue) and the start
//! of a new transfer.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use pagekit::{Signed, SignedForm};
use texts::{Page, RegistryPage as R, SignOnAccount, Text as _};

use super::extract::{CSRF, SignedIn};
use super::frame::{Frame, ListQuery, OrShow, PageResult, Pager, TablePage, error_lines, pager, render};
use crate::Registry;
use crate::transfers::{self, NewTransfer};

/// A page of transfers, as a table.
struct ListPage {
    title: String,
    lead: Vec<String>,
    empty: String,
    pager: Pager,
}

fn list_page(me: &SignedIn, items: Vec<transfers::ListItem>, l: ListPage) -> Response {
    let lang = me.lang;
    let rows = items
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
            (format!("/transfers/{}", t.id), cells)
        })
        .collect();
    let head = [R::ColReference, R::ColVehicle, R::ColState, R::ColAge, R::ColReviewDue];
    let page = TablePage { lead: l.lead, ..TablePage::list(Frame::of(me), l.title, &head, rows, l.empty, l.pager) };
    render(StatusCode::OK, &page, None)
}

pub async fn my_transfers(
    State(reg): State<Registry>,
    Signed(me): Signed<Registry>,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let lang = me.lang;
    let req = q.page_request().or_show(&me)?;
    let page = transfers::list_mine(&reg, &me.actor, &req).await.or_show(&me)?;
    let pager = pager(lang, "/transfers", &req, &page);
    let l =
        ListPage { title: Page::NavTransfers.render(lang), lead: vec![], empty: Page::NoTransfers.render(lang), pager };
    Ok(list_page(&me, page.items, l))
}

pub async fn review_queue(
    State(reg): State<Registry>,
    Signed(me): Signed<Registry>,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let lang = me.lang;
    let req = q.page_request().or_show(&me)?;
    let page = transfers::queue(&reg, &me.actor, &req).await.or_show(&me)?;
    let (waiting, oldest) = transfers::review_backlog(&reg).await.or_show(&me)?;
    let lead = match oldest {
        Some(at) if waiting > 0 => {
            let oldest_days = (reg.now_ms() - at).max(0) / domain::policy::DAY_MS;
            vec![R::ReviewBacklog { waiting, oldest_days }.render(lang)]
        }
        _ => vec![],
    };
    let pager = pager(lang, "/review", &req, &page);
    let l =
        ListPage { title: Page::ReviewQueueTitle.render(lang), lead, empty: Page::NothingToReview.render(lang), pager };
    Ok(list_page(&me, page.items, l))
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
    let prefix = Page::ErrorTitlePrefix.render(me.lang);
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
