//! One transfer's page: what the reader must do now or waits for (from
//! their part and the state, with its date), the one button that starts
//! it, the record, and the timeline; and the scanned logbook. Each step is
//! a journey of its own pages (`seller`, `answer`, and the payment and
//! review pages); this page only links to them.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::Date;
use domain::guidance::{Guidance, Reader, guidance, is_for_the_reader};
use domain::transfer::{LogbookState, RejectReason, State as TState, Step};
use domain::{BuyerType, ConsentDecision, ConsentRole};
use pagekit::Signed;
use texts::{Journey as J, Lang, Page, Progress as P, RegistryPage as R, ReviewReader, ReviewText as V, Text as _};

use super::extract::{CSRF, SignedIn};
use super::frame::{Frame, OrShow, PageResult, message_page, render, user};
use crate::Registry;
use crate::transfers::{self, TransferView};

#[derive(Template)]
#[template(path = "transfer.html")]
struct TransferPage {
    frame: Frame,
    csrf: String,
    t: TransferView,
    /// The panel of a step just taken (its heading).
    confirmation: Option<String>,
    /// Whether the reader has something to do (else they wait).
    to_do: bool,
    guide: Vec<String>,
    /// The buttons (links) that start what the reader must do.
    primary: Vec<(String, String)>,
    /// Steps taken by one button on this page: (action, text).
    forms: Vec<(String, String)>,
    details: Vec<(String, String)>,
    /// Other things the reader may do: (address, text).
    secondary: Vec<(String, String)>,
    /// (no address, [when, what, who])
    timeline: Vec<(&'static str, Vec<String>)>,
}

impl TransferPage {
    fn caption(&self) -> String {
        self.frame.t(R::TransferTitle { reference: &self.t.reference })
    }

    fn title(&self) -> String {
        format!("{}, {}", self.t.registration_number, self.t.vehicle)
    }

    fn reference_line(&self) -> String {
        self.frame.t(P::YourReference { reference: &self.t.reference })
    }

    fn timeline_head(&self) -> Vec<String> {
        [R::ColWhen, R::ColWhat, R::ColWho].into_iter().map(|h| self.frame.t(h)).collect()
    }
}

/// The reader's part in the transfer.
fn reader(me: &SignedIn, t: &TransferView) -> Reader {
    let has = |r: &str| t.your_roles.iter().any(|x| x == r);
    let actor = &me.actor;
    if has("seller") {
        Reader::Seller
    } else if has("buyer") {
        Reader::Buyer
    } else if has("officer") && t.conflict_of_interest.is_none() {
        Reader::Officer
    } else if let Some(c) = t.consents.iter().find(|c| c.party_id == actor.principal_id()) {
        Reader::Consenter { pending: c.decision.is_none() && actor.may_transact() }
    } else {
        Reader::Onlooker
    }
}

/// A date of the view (`2026-12-08`) as people write it.
fn day(lang: Lang, iso: Option<&str>) -> Option<String> {
    iso.and_then(|d| Date::parse(d).ok()).map(|d| texts::format::date_with_weekday(lang, d))
}

/// The expiry date, as people write it.
fn expiry(lang: Lang, t: &TransferView) -> String {
    t.expires_at_ms
        .map(|ms| texts::format::date_with_weekday(lang, Date::from_utc_ms(ms + transfers::EAT_OFFSET_MS)))
        .unwrap_or_default()
}

/// What the reader is told, in sentences.
fn guide(lang: Lang, g: Guidance, t: &TransferView) -> Vec<String> {
    let by = expiry(lang, t);
    let review_by = day(lang, t.review_deadline.as_deref()).unwrap_or_default();
    let office = t.logbook.as_ref().map(|l| l.office.clone()).or(t.collection_office.clone()).unwrap_or_default();
    let ready = day(lang, t.logbook.as_ref().map(|l| l.ready_by.as_str())).unwrap_or_default();
    let fee = t.fee.total_cents;
    let g = if t.fee.buyer_pays { g } else { domain::guidance::fee_paid(g) };
    let mut out = vec![
        P::Guide { guidance: g, by: &by, review_by: &review_by, office: &office, ready: &ready, fee }.render(lang),
    ];
    if matches!(
        g,
        Guidance::Ended(_)
            | Guidance::EndedForSeller(_)
            | Guidance::EndedForBuyer(_)
            | Guidance::Rescan
            | Guidance::WaitForRescan
    ) {
        out.extend(officers_reason(lang, g, t));
    }
    out
}

/// An officer's reason for a rejection or a return, as the parties read it
/// (the reason from the list, then the officer's words), and, after a
/// rejection, what the reader may do now.
fn officers_reason(lang: Lang, g: Guidance, t: &TransferView) -> Vec<String> {
    let code = t.reason_code.as_deref().and_then(|c| RejectReason::parse(c).ok());
    let reason = match (code, &t.reason) {
        (Some(reason), Some(words)) => format!("{}: {words}", V::ReasonName { reason }.render(lang)),
        (Some(reason), None) => V::ReasonName { reason }.render(lang),
        (None, Some(words)) => words.clone(),
        (None, None) => return vec![],
    };
    let mut out = vec![P::OfficersReason { reason: &reason }.render(lang)];
    if let (Guidance::Ended(TState::Rejected), Some(reason)) = (g, code) {
        let has = |r: &str| t.your_roles.iter().any(|x| x == r);
        let reader = if has("seller") {
            ReviewReader::Seller
        } else if has("buyer") {
            ReviewReader::Buyer
        } else {
            ReviewReader::Other
        };
        out.push(V::WhatToDo { reason, reader, reg_no: &t.registration_number }.render(lang));
    }
    out
}

/// The buttons that start what the reader must do now.
fn primary(lang: Lang, g: Guidance, t: &TransferView, may_act: bool) -> (Vec<(String, String)>, Vec<(String, String)>) {
    let id = &t.id;
    let link = |path: &str, text: &dyn Fn(Lang) -> String| (format!("/transfers/{id}/{path}"), text(lang));
    if !may_act {
        return (vec![], vec![]);
    }
    let links = match g {
        Guidance::UploadScan => vec![link("upload", &|l| J::UploadTheScan.render(l))],
        Guidance::Submit if t.your_roles.iter().any(|r| r == "seller") => {
            vec![link("submit", &|l| J::CheckAndSubmit.render(l))]
        }
        Guidance::Consent => vec![link("consent", &|l| P::AnswerTheRequest.render(l))],
        Guidance::Answer => vec![link("answer", &|l| P::AcceptOrDecline.render(l))],
        Guidance::Pay | Guidance::SellerPay => {
            vec![link("pay", &|l| P::PayFee { amount_cents: t.fee.total_cents }.render(l))]
        }
        Guidance::Review => vec![link("review", &|l| P::ReviewIt.render(l))],
        Guidance::Rescan => vec![link("resubmit", &|l| V::ResubmitLink.render(l))],
        _ => vec![],
    };
    let mut forms = vec![];
    let officer = t.your_roles.iter().any(|r| r == "officer");
    let next = t.logbook.as_ref().and_then(|l| LogbookState::parse(&l.state).ok()?.next());
    if let (true, Some(next)) = (officer, next) {
        let text =
            if next == LogbookState::ReadyForCollection { Page::LogbookPrinted } else { Page::LogbookCollectedByBuyer };
        forms.push((format!("/transfers/{id}/logbook-next"), text.render(lang)));
    }
    (links, forms)
}

/// Other things the reader may do: another scan, cancelling, the receipt.
fn secondary(lang: Lang, t: &TransferView, may_act: bool) -> Vec<(String, String)> {
    let id = &t.id;
    let seller = t.your_roles.iter().any(|r| r == "seller");
    let state = TState::parse(&t.state).ok();
    let mut out = vec![];
    if may_act && seller && state == Some(TState::Draft) && t.logbook_scan.is_some() {
        out.push((format!("/transfers/{id}/upload"), J::UploadAnotherScan.render(lang)));
    }
    if may_act && seller && matches!(state, Some(TState::Draft | TState::AwaitingConsents | TState::AwaitingBuyer)) {
        out.push((format!("/transfers/{id}/cancel"), J::CancelThisTransfer.render(lang)));
    }
    let party = t.your_roles.iter().any(|r| r == "seller" || r == "buyer" || r == "officer");
    if party && t.payment_ref.is_some() {
        out.push((format!("/transfers/{id}/receipt"), P::SeeTheReceipt.render(lang)));
    }
    out
}

/// The record, as (what, value) rows in the reader's language.
fn details(lang: Lang, t: &TransferView, can_see_scan: bool) -> Vec<(String, String)> {
    let mut rows = vec![
        (R::ColReference.render(lang), t.reference.clone()),
        (R::ColState.render(lang), state_label(lang, t)),
        (R::Seller.render(lang), t.seller.name.clone()),
    ];
    // An organisation's kind, as the KRA register gives it; a person is
    // named alone.
    let buyer = match BuyerType::parse(&t.buyer_type) {
        Ok(buyer_type @ BuyerType::Organisation(_)) => {
            format!("{} ({})", t.buyer.name, R::BuyerTypeName { buyer_type }.render(lang))
        }
        _ => t.buyer.name.clone(),
    };
    rows.push((R::Buyer.render(lang), buyer));
    rows.push((R::TransferFee.render(lang), texts::format::kes(t.fee.amount_cents)));
    if t.fee.platform_fee_cents > 0 {
        rows.push((texts::PayText::PlatformFee.render(lang), texts::format::kes(t.fee.platform_fee_cents)));
    }
    for c in &t.consents {
        let financier = ConsentRole::parse(&c.role).is_ok_and(|r| r == ConsentRole::Financier);
        let role = if financier { R::Financier } else { R::JointOwner }.render(lang);
        let decision = match c.decision.as_deref().map(ConsentDecision::parse) {
            Some(Ok(decision)) => R::DecisionName { decision }.render(lang),
            _ => R::Waiting.render(lang),
        };
        rows.push((role, format!("{}: {decision}", c.name)));
    }
    if t.logbook_scan.is_some() {
        let scan = if can_see_scan { J::ScanUploaded } else { J::ScanUploadedBySeller };
        rows.push((R::ScannedLogbook.render(lang), scan.render(lang)));
    }
    if let Some(o) = &t.collection_office {
        rows.push((R::CollectAt.render(lang), o.clone()));
    }
    if let Some(r) = &t.reason {
        rows.push((R::Reason.render(lang), r.clone()));
    }
    if let Some(l) = &t.logbook {
        rows.push((R::NewLogbook.render(lang), l.serial.clone()));
    }
    rows
}

fn state_label(lang: Lang, t: &TransferView) -> String {
    TState::parse(&t.state).map_or_else(|_| t.state_label.clone(), |state| R::StateLabel { state }.render(lang))
}

/// The panel a step comes back with.
fn confirmation(lang: Lang, notice: Option<&str>) -> Option<String> {
    let n = match notice? {
        "created" => P::NoticeStarted,
        "uploaded" => P::NoticeUploaded,
        "submitted" => P::NoticeSubmitted,
        "approved" => P::NoticeConsented,
        "refused" => P::NoticeRefused,
        "accepted" => P::NoticeAccepted,
        "declined" => P::NoticeDeclined,
        "cancelled" => P::NoticeCancelled,
        "paid" => P::NoticePaid,
        "reviewed" => P::NoticeReviewed,
        "recorded" => P::NoticeRecorded,
        "review-approved" => return Some(V::ApprovedNotice.render(lang)),
        "review-rejected" => return Some(V::RejectedNotice.render(lang)),
        "review-returned" => return Some(V::ReturnedNotice.render(lang)),
        "resubmitted" => return Some(V::ResubmittedNotice.render(lang)),
        "logbook-recorded" => return Some(V::LogbookRecordedNotice.render(lang)),
        _ => return None,
    };
    Some(n.render(lang))
}

/// A time of the timeline in East Africa Time, as people write it.
fn when(lang: Lang, ms: i64) -> String {
    texts::format::date_time(lang, ms)
}

/// The transfer's timeline: (when, what, who) rows, linking nowhere.
fn timeline(lang: Lang, t: &TransferView) -> Vec<(&'static str, Vec<String>)> {
    t.timeline
        .iter()
        .rev()
        .map(|e| {
            let who = match (&e.actor, &e.acting_for) {
                (Some(a), Some(f)) if a != f => Page::ActingFor { person: a, org: f }.render(lang),
                (Some(a), _) => a.clone(),
                (None, _) => R::TimelineSystem.render(lang),
            };
            let what = Step::parse(&e.action).map_or_else(|_| String::new(), |step| R::StepName { step }.render(lang));
            ("", vec![when(lang, e.at_ms), what, who])
        })
        .collect()
}

/// A notice to show after a step.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct NoticeQuery {
    notice: Option<String>,
}

pub async fn transfer_page(
    State(reg): State<Registry>,
    headers: HeaderMap,
    Signed(me): Signed<Registry>,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let lang = me.lang;
    let t = match transfers::get(&reg, &me.actor, &id).await {
        Ok(t) => t,
        Err(e) => return Ok(message_page(lang, Some(user(lang, &me.actor)), e.status(), &e)),
    };
    let state = TState::parse(&t.state).map_err(|e| crate::Error::Internal(e.message)).or_show(&me)?;
    let reader = reader(&me, &t);
    let logbook = t.logbook.as_ref().and_then(|l| LogbookState::parse(&l.state).ok());
    let g = guidance(reader, state, t.logbook_scan.is_some(), logbook);
    let may_act = me.actor.may_transact() || me.actor.is_staff();
    let (primary, forms) = primary(lang, g, &t, may_act);
    let can_see_scan = t.your_roles.iter().any(|r| r == "seller" || r == "officer");
    let (csrf, set) = CSRF.token_for(&headers);
    let page = TransferPage {
        frame: Frame::of(&me),
        csrf,
        confirmation: confirmation(lang, q.notice.as_deref()),
        to_do: is_for_the_reader(g) && may_act,
        guide: guide(lang, g, &t),
        primary,
        forms,
        details: details(lang, &t, can_see_scan),
        secondary: secondary(lang, &t, may_act),
        timeline: timeline(lang, &t),
        t,
    };
    Ok(render(StatusCode::OK, &page, set))
}

pub async fn scan(State(reg): State<Registry>, Signed(me): Signed<Registry>, Path(id): Path<String>) -> PageResult {
    let (ct, bytes) = transfers::logbook_scan(&reg, &me.actor, &id).await.or_show(&me)?;
    let ct = match ct.as_str() {
        "application/pdf" => "application/pdf",
        "image/jpeg" => "image/jpeg",
        "image/png" => "image/png",
        _ => "application/octet-stream",
    };
    let kind =
        [(header::CONTENT_TYPE, ct), (header::CACHE_CONTROL, "no-store"), (header::X_CONTENT_TYPE_OPTIONS, "nosniff")];
    Ok((kind, bytes).into_response())
}

/// The transfer's page, answering a step: to it, with its notice.
pub fn to_transfer(id: &str, notice: &str) -> Response {
    super::kept::see_other(&format!("/transfers/{id}?notice={notice}"), [])
}
