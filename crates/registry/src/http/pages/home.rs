//! The home page: for someone signed in, what waits for them to act on
//! (with each deadline), for officers the review queue's backlog, their
//! vehicles with a way to sell each, and short links; for anyone else,
//! how to sign in or register. Reads only.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use texts::{HomeText as H, Lang, Page, RegistryPage as R, Text as _};

use super::extract::{Addr, CSRF, current};
use super::frame::{Frame, message_page, render, user};
use crate::http::lang;
use crate::paging::PageRequest;
use crate::signin::Actor;
use crate::transfers::{self, ActionItem, NeedsAction};
use crate::vehicles::{self, Search, Whose};
use crate::{Error, Registry};

/// How many of each list the home page shows before "more".
const ON_HOME: usize = 10;

/// A line of the home page's lists: where it links, what it says, a
/// detail, and an action (address, text, the text's longer name for screen
/// readers).
pub struct Line {
    pub href: String,
    pub text: String,
    pub detail: String,
    pub action: Option<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    frame: Frame,
    csrf: String,
    actions: Vec<Line>,
    more_actions: bool,
    backlog: String,
    vehicles: Vec<Line>,
    more_vehicles: bool,
}

/// What the home page is asked: a notice to show after a step.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct HomeQuery {
    notice: Option<String>,
}

pub async fn home(
    State(reg): State<Registry>,
    headers: HeaderMap,
    Addr(addr): Addr,
    Query(q): Query<HomeQuery>,
) -> Response {
    let lang = lang(&headers);
    let (csrf, set) = CSRF.token_for(&headers);
    let me = match current(&reg, &headers, addr).await {
        Ok(m) => m,
        Err(e) => return message_page(lang, None, e.status(), &e),
    };
    let mut page = HomePage {
        frame: Frame::new(lang, me.as_ref().map(|(a, _)| user(lang, a))),
        csrf,
        actions: vec![],
        more_actions: false,
        backlog: String::new(),
        vehicles: vec![],
        more_vehicles: false,
    };
    page.frame.notice = match q.notice.as_deref() {
        Some("signed-out") => Page::SignedOut.render(lang),
        Some("switched") => Page::ActingAsShown.render(lang),
        _ => String::new(),
    };
    if let Some((actor, _)) = &me
        && let Err(e) = fill(&reg, actor, lang, &mut page).await
    {
        return message_page(lang, Some(user(lang, actor)), e.status(), &e);
    }
    render(StatusCode::OK, &page, set)
}

/// The signed-in person's lists.
async fn fill(reg: &Registry, actor: &Actor, lang: Lang, page: &mut HomePage) -> Result<(), Error> {
    let first = PageRequest::first(ON_HOME);
    let actions = transfers::needs_action(reg, actor, &first).await?;
    page.more_actions = actions.next.is_some();
    page.actions = actions.items.iter().map(|a| action_line(lang, a)).collect();
    if actor.is_staff() {
        let (waiting, oldest) = transfers::review_backlog(reg).await?;
        if let Some(at) = oldest.filter(|_| waiting > 0) {
            let oldest_days = (reg.now_ms() - at).max(0) / domain::policy::DAY_MS;
            page.backlog = R::ReviewBacklog { waiting, oldest_days }.render(lang);
        }
    }
    let held = vehicles::mine(reg, actor, Whose::Mine, &first, &Search::all()).await?;
    page.more_vehicles = held.next.is_some();
    page.vehicles = held.items.into_iter().map(|h| vehicle_line(lang, h)).collect();
    Ok(())
}

/// A transfer waiting for the reader: what to do, by when, and where.
fn action_line(lang: Lang, a: &ActionItem) -> Line {
    let reg_no = a.registration_number.as_str();
    let (text, href) = match a.action {
        NeedsAction::Submit => (H::ActSubmit { reg_no }, format!("/transfers/{}", a.id)),
        NeedsAction::Approve => (H::ActApprove { reg_no }, format!("/transfers/{}", a.id)),
        NeedsAction::Answer => (H::ActAnswer { reg_no }, format!("/transfers/{}", a.id)),
        NeedsAction::Pay => (H::ActPay { reg_no, amount: &a.fee }, format!("/transfers/{}/pay", a.id)),
        NeedsAction::Resubmit => (H::ActResubmit { reg_no }, format!("/transfers/{}/upload", a.id)),
    };
    let date = texts::format::date_with_weekday(lang, transfers::today_eat(a.expires_at_ms));
    Line { href, text: text.render(lang), detail: H::By { date: &date }.render(lang), action: None }
}

/// The address of the sale of a vehicle: the new transfer's page, the
/// registration number filled in.
pub fn sell_href(reg_no: &str) -> String {
    let q: String = url::form_urlencoded::byte_serialize(reg_no.as_bytes()).collect();
    format!("/transfers/new?registration_number={q}")
}

fn vehicle_line(lang: Lang, h: vehicles::Held) -> Line {
    let v = h.vehicle;
    let q: String = url::form_urlencoded::byte_serialize(v.registration_number.as_bytes()).collect();
    let reg_no = v.registration_number.as_str();
    let action = h.may_sell.then(|| (sell_href(reg_no), H::Sell.render(lang), H::SellThis { reg_no }.render(lang)));
    Line {
        href: format!("/inquiry?registration_number={q}"),
        detail: format!("{} {} {}", v.colour, v.make, v.model),
        text: v.registration_number,
        action,
    }
}
