//! The seller's resubmission of a transfer an officer returned for a new
//! scan (`/transfers/{id}/resubmit`): a check-your-answers page with the
//! officer's reason and the new scan ("Change" uploads another, at
//! `/transfers/{id}/upload`), then the SMS code as for submitting. Every
//! form is post/redirect/get (`kept`). Each calls one use case
//! (`transfers::resubmission`, `send_code`, `submit`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use pagekit::{Signed, SignedForm};
use serde::Deserialize;
use texts::{Page, ReviewText as V, Text as _};

use super::extract::{CSRF, SignedIn};
use super::frame::{Frame, OrShow, PageResult, error_lines, message_page, render, user};
use super::kept;
use crate::transfers::{self, CodeStep};
use crate::{Error, Registry};

#[derive(Template)]
#[template(path = "resubmit.html")]
struct ResubmitPage {
    frame: Frame,
    csrf: String,
    title: String,
    /// The way back to the transfer's page, named.
    back: String,
    id: String,
    /// (key, value, where to change it)
    rows: Vec<(String, String, String)>,
    has_new_scan: bool,
    scan_error: String,
    code_error: String,
}

/// Whether a code was just sent.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SentQuery {
    sent: Option<String>,
}

fn scan_kind(content_type: &str) -> &'static str {
    match content_type {
        "application/pdf" => "PDF",
        "image/jpeg" => "JPEG",
        _ => "PNG",
    }
}

pub async fn resubmit_page(
    State(reg): State<Registry>,
    headers: HeaderMap,
    Signed(me): Signed<Registry>,
    Path(id): Path<String>,
    Query(q): Query<SentQuery>,
) -> PageResult {
    let r = transfers::resubmission(&reg, &me.actor, &id).await.or_show(&me)?;
    let lang = me.lang;
    let (kept, forget) = kept::take(&headers, &format!("/transfers/{id}/resubmit"));
    let (csrf, set) = CSRF.token_for(&headers);
    let mut frame = Frame { errors: kept.errors().to_vec(), ..Frame::of(&me) };
    if q.sent.is_some() && frame.errors.is_empty() {
        frame.notice = Page::CodeSent.render(lang);
    }
    let reason = match (r.reason, &r.note) {
        (Some(reason), Some(note)) => format!("{}: {note}", V::ReasonName { reason }.render(lang)),
        (Some(reason), None) => V::ReasonName { reason }.render(lang),
        (None, note) => note.clone().unwrap_or_default(),
    };
    let scan = match &r.new_scan {
        Some(ct) => V::NewScanUploaded { kind: scan_kind(ct) }.render(lang),
        None => V::NoNewScanYet.render(lang),
    };
    let upload = format!("/transfers/{}/upload", r.id);
    let title = V::ResubmitTitle { reference: &r.reference }.render(lang);
    let page = ResubmitPage {
        title,
        back: texts::RegistryPage::TransferTitle { reference: &r.reference }.render(lang),
        rows: vec![
            (texts::RegistryPage::ColVehicle.render(lang), r.reg_no.clone(), String::new()),
            (V::OfficersReason.render(lang), reason, String::new()),
            (V::NewScan.render(lang), scan, upload),
            (texts::RegistryPage::TransferFee.render(lang), r.fee.clone(), String::new()),
        ],
        has_new_scan: r.new_scan.is_some(),
        scan_error: kept.error("logbook"),
        code_error: kept.error("code"),
        csrf,
        id: r.id,
        frame,
    };
    let mut resp = render(StatusCode::OK, &page, Option::<HeaderValue>::None);
    for c in set.into_iter().chain(forget) {
        resp.headers_mut().append(header::SET_COOKIE, c);
    }
    Ok(resp)
}

/// Ask for a code (`step` = code), or resubmit with it.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResubmitForm {
    step: String,
    code: String,
}

pub async fn resubmit_answer(
    State(reg): State<Registry>,
    Path(id): Path<String>,
    f: SignedForm<Registry, ResubmitForm>,
) -> Response {
    let SignedForm { session: me, form: f } = f;
    let path = format!("/transfers/{id}/resubmit");
    if f.step == "code" {
        return match transfers::send_code(&reg, &me.actor, &id, CodeStep::Submit).await {
            Ok(_) => kept::see_other(&format!("{path}?sent=1"), []),
            Err(e) => refused(&me, &path, &e),
        };
    }
    match transfers::submit(&reg, &me.actor, &id, &f.code).await {
        Ok(t) => kept::see_other(&format!("/transfers/{}?notice=resubmitted", t.id), []),
        Err(e) => refused(&me, &path, &e),
    }
}

/// A field's refusal comes back to the page (never the code typed); any
/// other is shown.
fn refused(me: &SignedIn, path: &str, e: &Error) -> Response {
    match e {
        Error::Invalid(_) | Error::TooMany(_) => kept::back(path, &[], error_lines(me.lang, e)),
        _ => message_page(me.lang, Some(user(me.lang, &me.actor)), e.status(), e),
    }
}
