//! The new logbook's next step, confirmed on a page of its own
//! (`/transfers/{id}/logbook`): "Is the new logbook printed and at the
//! office?", then "Has the buyer collected it?". Post/redirect/get; each
//! calls one use case (`transfers::next_logbook`, `advance_logbook`), which
//! say who may record it and when.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use domain::transfer::LogbookState;
use pagekit::{Signed, SignedForm};
use texts::{RegistryPage as R, ReviewText as V, Text as _};

use super::extract::CSRF;
use super::form::Confirm;
use super::frame::{Frame, OrShow, PageResult, message_page, render, user};
use super::kept;
use crate::{Registry, transfers};

#[derive(Template)]
#[template(path = "logbook.html")]
struct LogbookPage {
    frame: Frame,
    csrf: String,
    id: String,
    back: String,
    question: String,
    hint: String,
}

pub async fn logbook_page(
    State(reg): State<Registry>,
    headers: HeaderMap,
    Signed(me): Signed<Registry>,
    Path(id): Path<String>,
) -> PageResult {
    let (t, next) = transfers::next_logbook(&reg, &me.actor, &id).await.or_show(&me)?;
    let lang = me.lang;
    let (serial, office) = t.logbook.as_ref().map(|l| (l.serial.as_str(), l.office.as_str())).unwrap_or_default();
    let (question, hint) = match next {
        LogbookState::Collected => (V::LogbookCollectedQuestion { serial }, V::LogbookCollectedHint),
        _ => (V::LogbookPrintedQuestion { serial, office }, V::LogbookPrintedHint),
    };
    let (csrf, set) = CSRF.token_for(&headers);
    let page = LogbookPage {
        frame: Frame::of(&me),
        csrf,
        back: R::TransferTitle { reference: &t.reference }.render(lang),
        question: question.render(lang),
        hint: hint.render(lang),
        id: t.id,
    };
    let mut resp = render(StatusCode::OK, &page, Option::<HeaderValue>::None);
    resp.headers_mut().extend(set.into_iter().map(|c| (header::SET_COOKIE, c)));
    Ok(resp)
}

pub async fn logbook_answer(
    State(reg): State<Registry>,
    Path(id): Path<String>,
    f: SignedForm<Registry, Confirm>,
) -> Response {
    let me = f.session;
    let next = match transfers::next_logbook(&reg, &me.actor, &id).await {
        Ok((_, next)) => next,
        Err(e) => return message_page(me.lang, Some(user(me.lang, &me.actor)), e.status(), &e),
    };
    match transfers::advance_logbook(&reg, &me.actor, &id, next.as_str()).await {
        Ok(t) => kept::see_other(&format!("/transfers/{}?notice=logbook-recorded", t.id), []),
        Err(e) => message_page(me.lang, Some(user(me.lang, &me.actor)), e.status(), &e),
    }
}
