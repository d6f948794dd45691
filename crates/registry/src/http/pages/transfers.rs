//! The lists of transfers: one's own, and the officers' queue, each with a
//! search box.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use pagekit::Signed;
use texts::{Page as PageText, RegistryPage as R, Text as _};

use super::extract::SignedIn;
use super::frame::{Frame, ListQuery, OrShow, PageResult, render};
use super::search::{Row, SearchList};
use crate::Error;
use crate::Registry;
use crate::paging::{Page, PageRequest};
use crate::transfers;
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
                t.review_deadline
                    .as_deref()
                    .and_then(|d| domain::Date::parse(d).ok())
                    .map(|d| texts::format::date_with_weekday(lang, d))
                    .unwrap_or_default(),
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
