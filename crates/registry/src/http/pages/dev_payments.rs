//! The development payer's page (`/dev/payments`): the prompts a payer's
//! phone would get, each held one answerable as its payer would (pay,
//! cancel, let it time out, wrong PIN, not enough money), and a switch
//! between holding prompts and paying them at once; and a paybill payment
//! typed as from any phone, confirmed as M-Pesa would confirm it. Routed
//! only when the development payer is in use, which production mode
//! refuses.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use pagekit::{Signed, SignedForm};
use texts::{PayText as P, Text as _};

use super::extract::CSRF;
use super::frame::{Frame, PageResult, render};
use crate::Registry;
use crate::payments::{DevAnswer, Outcome};
use crate::transfers::{self, attempt};
use adapters::mpesa::C2bPayment;

#[derive(Template)]
#[template(path = "dev_payments.html")]
struct DevPaymentsPage {
    frame: Frame,
    csrf: String,
    holding: bool,
    prompts: Vec<Prompt>,
}

/// One prompt as the page shows it.
struct Prompt {
    provider_ref: String,
    phone: String,
    amount: String,
    reference: String,
    state: String,
    waiting: bool,
}

pub async fn page(State(reg): State<Registry>, Signed(me): Signed<Registry>, headers: HeaderMap) -> PageResult {
    let Some(dev) = reg.adapters().payments.as_dev() else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    let lang = me.lang;
    let prompts = dev
        .asked()
        .into_iter()
        .rev()
        .map(|a| Prompt {
            state: match &a.outcome {
                Outcome::Waiting => P::DevWaiting.render(lang),
                Outcome::Paid { .. } => P::DevPaid.render(lang),
                Outcome::Failed { code, .. } => P::DevFailed { code }.render(lang),
            },
            waiting: a.outcome == Outcome::Waiting,
            phone: texts::format::phone(&a.phone),
            amount: domain::fees::format_kes(a.amount_cents),
            reference: a.reference,
            provider_ref: a.provider_ref,
        })
        .collect();
    let (csrf, set) = CSRF.token_for(&headers);
    let page = DevPaymentsPage { frame: Frame::of(&me), csrf, holding: dev.holding(), prompts };
    Ok(render(StatusCode::OK, &page, set))
}

/// An answer to a held prompt.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct AnswerForm {
    prompt: String,
    answer: String,
}

pub async fn answer(State(reg): State<Registry>, f: SignedForm<Registry, AnswerForm>) -> Response {
    let form = f.form;
    if let Some(answer) = DevAnswer::parse(&form.answer)
        && let Err(e) = attempt::answer_dev_prompt(&reg, &form.prompt, answer).await
    {
        tracing::warn!(error = %e, "the development payer's answer could not be applied");
    }
    Redirect::to("/dev/payments").into_response()
}

/// Hold prompts for answers, or pay them at once.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct HoldForm {
    hold: String,
}

pub async fn hold(State(reg): State<Registry>, f: SignedForm<Registry, HoldForm>) -> Response {
    if let Some(dev) = reg.adapters().payments.as_dev() {
        dev.hold(f.form.hold == "yes");
    }
    Redirect::to("/dev/payments").into_response()
}

/// A paybill payment, as typed on a phone.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct PaybillForm {
    account: String,
    shillings: String,
}

/// Pay by paybill, as from any phone: confirmed as M-Pesa would confirm it
/// (a payment the account number or amount does not fit is flagged for
/// staff, as it would be).
pub async fn paybill(State(reg): State<Registry>, f: SignedForm<Registry, PaybillForm>) -> Response {
    let form = f.form;
    let Ok(shillings) = form.shillings.trim().replace(',', "").parse::<i64>() else {
        return Redirect::to("/dev/payments").into_response();
    };
    let Some((business, _)) = transfers::c2b::paybill_number(&reg) else {
        return Redirect::to("/dev/payments").into_response();
    };
    let trans_id = format!("DEVC2B{}", &secure::new_id()[..6].to_ascii_uppercase());
    let payment = C2bPayment {
        transaction_type: "Pay Bill".into(),
        trans_id,
        trans_time: String::new(),
        paid_at: None,
        amount_cents: shillings.saturating_mul(100),
        business_shortcode: business,
        bill_ref: form.account.trim().to_string(),
        msisdn: String::new(),
        phone: None,
        first_name: "Development".into(),
        middle_name: String::new(),
        last_name: "Payer".into(),
    };
    if let Err(e) = transfers::c2b::confirm(&reg, &payment).await {
        tracing::warn!(error = %e, "the development paybill payment could not be kept");
    }
    Redirect::to("/dev/payments").into_response()
}
