//! Paying the transfer fee: the page that asks the buyer which number to
//! prompt (their own, or any Kenyan mobile number: an organisation's own),
//! the page that waits for the payer (it reloads itself every few seconds
//! without JavaScript, and moves on once the payment is settled or failed),
//! and the receipt (for the transfer's parties and staff). Handlers parse,
//! call one use case and render.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use domain::PaymentState;
use domain::transfer::State as TState;
use pagekit::{Signed, SignedForm};
use texts::{Lang, PayText as P, Text as _};

use super::extract::{CSRF, SignedIn};
use super::frame::{Frame, OrShow, PageResult, error_lines, render};
use super::kept;
use crate::Registry;
use crate::transfers::{self, PaymentView};

/// Seconds between two looks of the waiting page.
const REFRESH_SECS: u32 = 5;

#[derive(Template)]
#[template(path = "payment.html")]
struct PayPage {
    frame: Frame,
    csrf: String,
    id: String,
    title: String,
    what_for: String,
    /// The invoice's lines: (what, how much).
    lines: Vec<(String, String)>,
    phone: String,
    phone_error: String,
    button: String,
    /// How to pay by paybill instead, when paybill payments are taken.
    paybill: Vec<String>,
}

/// The number to prompt, as typed.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct PayForm {
    phone: String,
}

fn pay_page(me: &SignedIn, csrf: String, p: &PaymentView, phone: String, errors: Vec<(String, String)>) -> PayPage {
    let lang = me.lang;
    let mut frame = Frame::of(me);
    let phone_error = errors.iter().find(|(f, _)| f == "phone").map(|(_, m)| m.clone()).unwrap_or_default();
    let mut title = P::PayTitle { amount: &p.amount }.render(lang);
    if !errors.is_empty() {
        title = format!("{}{title}", texts::Page::ErrorTitlePrefix.render(lang));
    }
    frame.errors = errors;
    PayPage {
        frame,
        csrf,
        id: p.transfer_id.clone(),
        title,
        what_for: match p.payer.as_str() {
            "seller_at_submission" => P::PayWhatForSeller { reg_no: &p.registration_number, reference: &p.reference },
            _ => P::PayWhatFor { reg_no: &p.registration_number, reference: &p.reference },
        }
        .render(lang),
        lines: invoice_lines(lang, p),
        phone,
        phone_error,
        button: P::PayButton { amount: &p.amount }.render(lang),
        paybill: vec![],
    }
}

/// The paybill's business number and the invoice's account number, when
/// paybill payments are taken; saying so of a development number.
fn paybill_lines(reg: &Registry, lang: Lang, reference: &str) -> Vec<String> {
    let Some((business, development)) = transfers::c2b::paybill_number(reg) else { return vec![] };
    let account = transfers::c2b::invoice_reference(reference);
    let mut lines = vec![texts::PaymentsText::PaybillOr { business: &business, account: &account }.render(lang)];
    if development {
        lines.push(texts::PaymentsText::PaybillDevelopment.render(lang));
    }
    lines
}

/// The transfer fee and, when there is one, the platform fee, each on its
/// own line.
fn invoice_lines(lang: Lang, p: &PaymentView) -> Vec<(String, String)> {
    let mut lines = vec![(P::TransferFee.render(lang), p.fee.clone())];
    if p.platform_fee_cents > 0 {
        lines.push((P::PlatformFee.render(lang), p.platform_fee.clone()));
    }
    lines
}

/// Where the payment stands, if not where the pay page belongs: a payment
/// under way waits on its page, a paid one has its receipt.
fn elsewhere(p: &PaymentView) -> Option<Response> {
    if p.can_pay {
        return None;
    }
    let to = match p.state.as_deref() {
        Some(s) if s == PaymentState::Settled.as_str() => format!("/transfers/{}/receipt", p.transfer_id),
        Some(_) => format!("/transfers/{}/payment", p.transfer_id),
        None => format!("/transfers/{}", p.transfer_id),
    };
    Some(Redirect::to(&to).into_response())
}

pub async fn pay(
    State(reg): State<Registry>,
    Signed(me): Signed<Registry>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> PageResult {
    let p = transfers::payment(&reg, &me.actor, &id).await.or_show(&me)?;
    let (kept, forget) = kept::take(&headers, &format!("/transfers/{id}/pay"));
    if kept.is_empty()
        && let Some(r) = elsewhere(&p)
    {
        return Ok(r);
    }
    // What was typed, when the form came back refused; else their own number.
    let phone = match kept.is_empty() {
        true => me.actor.person.phone.as_deref().map(texts::format::phone).unwrap_or_default(),
        false => kept.value("phone").to_string(),
    };
    let (csrf, set) = CSRF.token_for(&headers);
    let mut page = pay_page(&me, csrf, &p, phone, kept.errors().to_vec());
    page.paybill = paybill_lines(&reg, me.lang, &p.reference);
    let mut resp = render(StatusCode::OK, &page, set);
    if let Some(c) = forget {
        resp.headers_mut().append(axum::http::header::SET_COOKIE, c);
    }
    Ok(resp)
}

/// The number is asked for: on to the waiting page, or back to the form
/// with the refusal beside the field and what was typed.
pub async fn pay_submit(
    State(reg): State<Registry>,
    Path(id): Path<String>,
    f: SignedForm<Registry, PayForm>,
) -> Response {
    let SignedForm { session: me, form } = f;
    match transfers::pay(&reg, &me.actor, &id, Some(&form.phone)).await {
        Ok(t) => Redirect::to(&format!("/transfers/{}/payment", t.id)).into_response(),
        Err(e) => kept::back(&format!("/transfers/{id}/pay"), &[("phone", &form.phone)], error_lines(me.lang, &e)),
    }
}

#[derive(Template)]
#[template(path = "payment_wait.html")]
struct WaitPage {
    frame: Frame,
    title: String,
    lines: Vec<String>,
    /// Seconds to the next look; 0 once there is nothing to wait for.
    refresh: u32,
    /// The way on: (address, text).
    next: (String, String),
}

/// The waiting page's title and lines, and whether it keeps looking.
fn waiting(lang: Lang, p: &PaymentView) -> (String, Vec<String>, bool) {
    let phone = p.phone_masked.clone().unwrap_or_default();
    let asked = vec![
        P::PromptSent { phone: &phone, amount: &p.amount }.render(lang),
        P::EnterPin.render(lang),
        P::PageRefreshes.render(lang),
    ];
    match p.state.as_deref() {
        Some(s) if s == PaymentState::Failed.as_str() => {
            let why = match p.failure.as_deref() {
                Some("cancelled") => P::FailedCancelled,
                Some("no_answer") => P::NoAnswer,
                Some("wrong_pin") => P::FailedWrongPin,
                Some("too_little_money") => P::FailedTooLittle,
                _ => P::Failed,
            };
            (P::FailedTitle.render(lang), vec![why.render(lang)], false)
        }
        // A request that had no answer in time may be made again.
        Some(_) if p.can_pay => (P::FailedTitle.render(lang), vec![P::NoAnswer.render(lang)], false),
        _ => (P::CheckYourPhoneTitle.render(lang), asked, true),
    }
}

pub async fn payment(State(reg): State<Registry>, Signed(me): Signed<Registry>, Path(id): Path<String>) -> PageResult {
    let lang = me.lang;
    let p = transfers::payment(&reg, &me.actor, &id).await.or_show(&me)?;
    if p.state.as_deref() == Some(PaymentState::Settled.as_str()) {
        return Ok(Redirect::to(&format!("/transfers/{}/receipt", p.transfer_id)).into_response());
    }
    if p.state.is_none() || !TState::parse(&p.transfer_state).is_ok_and(TState::awaits_payment) {
        return Ok(Redirect::to(&format!("/transfers/{}", p.transfer_id)).into_response());
    }
    let (title, lines, wait) = waiting(lang, &p);
    let next = if wait {
        (format!("/transfers/{}/payment", p.transfer_id), P::CheckAgain.render(lang))
    } else {
        (format!("/transfers/{}/pay", p.transfer_id), P::TryAgain.render(lang))
    };
    let refresh = if wait { REFRESH_SECS } else { 0 };
    let page = WaitPage { frame: Frame::of(&me), title, lines, refresh, next };
    let mut resp = render(StatusCode::OK, &page, None);
    if wait {
        // The header as well as the page's own tag: either reloads it.
        resp.headers_mut().insert("refresh", HeaderValue::from(REFRESH_SECS));
    }
    Ok(resp)
}

#[derive(Template)]
#[template(path = "receipt.html")]
struct ReceiptPage {
    frame: Frame,
    id: String,
    title: String,
    rows: Vec<(String, String)>,
}

pub async fn receipt(State(reg): State<Registry>, Signed(me): Signed<Registry>, Path(id): Path<String>) -> PageResult {
    let lang = me.lang;
    let p = transfers::payment(&reg, &me.actor, &id).await.or_show(&me)?;
    let (Some(provider_ref), Some(settled)) = (p.provider_ref.clone(), p.settled_at_ms) else {
        let e = crate::Error::NotFound(P::NotPaidYet.render(lang));
        return Err(super::frame::message_page(lang, Some(super::frame::user(lang, &me.actor)), e.status(), &e).into());
    };
    let paid_for = P::PaidForTransfer { reference: &p.reference, reg_no: &p.registration_number, vehicle: &p.vehicle };
    let mut rows = vec![(P::ReceiptNumber.render(lang), provider_ref), (P::Amount.render(lang), p.amount.clone())];
    rows.extend(invoice_lines(lang, &p));
    rows.extend([
        (P::PaidFor.render(lang), paid_for.render(lang)),
        (P::PaidOn.render(lang), texts::format::date_time(lang, settled)),
    ]);
    if let Some(phone) = p.phone_masked.clone() {
        rows.push((P::PaidFrom.render(lang), phone));
    }
    let page = ReceiptPage { frame: Frame::of(&me), id: p.transfer_id, title: P::ReceiptTitle.render(lang), rows };
    Ok(render(StatusCode::OK, &page, None))
}
