//! The help page, open to anyone: how selling and buying work step by step,
//! who pays what and when, how long it takes, what to bring to the office,
//! and the fee table of the schedule in force (the one `GET /api/v1/fees`
//! serves), in the reader's language.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use texts::{HomeText as H, Text as _};

use super::extract::{Addr, current};
use super::frame::{Frame, message_page, render, user};
use crate::http::lang;
use crate::{Error, Registry, transfers};

#[derive(Template)]
#[template(path = "help.html")]
struct HelpPage {
    frame: Frame,
    selling: Vec<String>,
    buying: Vec<String>,
    how_long: String,
    bring: Vec<String>,
    fees_lead: String,
    /// (which vehicles, fee)
    fees: Vec<(String, String)>,
}

pub async fn help(State(reg): State<Registry>, headers: HeaderMap, Addr(addr): Addr) -> Response {
    let lang = lang(&headers);
    // Signed in or not, the page is the same; the header shows who is.
    let who = current(&reg, &headers, addr).await.ok().flatten().map(|(a, _)| user(lang, &a));
    let schedule = async {
        let (fees, _) = reg.rules().await?;
        let today = transfers::today_eat(reg.now_ms());
        fees.schedule_on(today).cloned().map_err(|e| Error::Internal(e.to_string()))
    };
    let schedule = match schedule.await {
        Ok(s) => s,
        Err(e) => return message_page(lang, who, e.status(), &e),
    };
    let t = |m: H<'_>| m.render(lang);
    let from = texts::format::date(lang, schedule.effective_from);
    let page = HelpPage {
        frame: Frame::new(lang, who),
        selling: [H::Sell1, H::Sell2, H::Sell3, H::Sell4, H::Sell5].into_iter().map(t).collect(),
        buying: [H::Buy1, H::Buy2, H::Buy3, H::Buy4].into_iter().map(t).collect(),
        how_long: t(H::HowLong { answer_days: reg.config().transfer_expiry_days }),
        bring: [H::Bring1, H::Bring2, H::Bring3].into_iter().map(t).collect(),
        fees_lead: t(H::FeesLead { version: &schedule.version, from: &from }),
        fees: schedule
            .bands
            .iter()
            .map(|b| (t(H::FeeCase { classes: &b.classes, measure: b.measure }), texts::format::kes(b.amount_cents)))
            .collect(),
    };
    render(StatusCode::OK, &page, None)
}
