//! The lists of transfers: one's own, and the officers' queue.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use pagekit::Signed;
use texts::{Page, RegistryPage as R, Text as _};

use super::extract::SignedIn;
use super::frame::{Frame, ListQuery, OrShow, PageResult, Pager, TablePage, pager, render};
use crate::Registry;
use crate::transfers;

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
