//! The registry's pages: plain server-rendered HTML, working without
//! JavaScript, for every step of the transfer. People sign in through the
//! provider (OpenID Connect, over HTTP); the page session keeps the
//! organisation they chose to act for. Every form carries a CSRF token
//! (double submit), checked with the session by the page kit's extractors
//! (`pagekit::Signed`, `SignedForm`, `CsrfForm`), which `extract` adapts
//! to the registry; forms and queries are typed. Every text comes from the
//! `texts` catalogue, in the language `crate::http::lang` chooses, and the
//! templates use the kit's components. Handlers parse, call one use case
//! and render; no rule and no table lives here.
//!
//! Every form is post/redirect/get (`kept`): a refused form comes back to
//! its own page with its errors beside the fields and what was typed. A
//! journey asks one question a page (`form`: the question and
//! check-your-answers pages) and confirms what commits with an SMS code
//! issued for that answer alone.
//!
//! By journey: `home` (what needs the reader's action, their vehicles),
//! `help`, `signin` (sign-in and out, whom to act for), `payment`
//! (paying the fee, waiting for the payer, the receipt),
//! `vehicles` (my vehicles, inquiry), `transfers` (the lists, with
//! `search`), `sell`
//! (selling a vehicle), `transfer` (a transfer's page: what to do next,
//! the record, the scan), `seller` (upload, submit, cancel), `answer` (the
//! buyer's and the consenters' answers, and the code page);
//! `frame` is what every page shares, `upload_form` reads the scan's form.

mod answer;
mod dev_payments;
mod extract;
mod form;
mod frame;
mod help;
mod home;
mod kept;
mod logbook;
mod payment;
mod resubmit;
mod review;
mod review_decide;
mod search;
mod sell;
mod seller;
mod signin;
mod transfer;
mod transfers;
mod upload_form;
mod vehicles;

use axum::Router;
use axum::routing::{get, post};

use crate::Registry;
pub use frame::User;

pub const SESSION_COOKIE: &str = "__Host-tims_reg";
pub const CSRF_COOKIE: &str = "__Host-tims_reg_csrf";
/// Binds a sign-in under way to the browser that started it.
pub const LOGIN_COOKIE: &str = "__Host-tims_reg_login";

/// The pages of an answer, the buyer's (`answer`) or a consenter's
/// (`consent`): the handlers tell which from the route that matched.
fn answer_routes(who: &str) -> Router<Registry> {
    let at = |step: &str| format!("/transfers/{{id}}/{who}{step}");
    Router::new()
        .route(&at(""), get(answer::question_page).post(answer::question_answer))
        .route(&at("/check"), get(answer::check_page).post(answer::check_answer))
        .route(&at("/code"), get(answer::code_page).post(answer::code_answer))
        .route(&at("/resend"), post(answer::resend))
}

pub fn router(reg: Registry) -> Router {
    // The development payer's page, only where it is in use.
    let dev = match reg.adapters().payments.as_dev() {
        Some(_) => Router::new()
            .route("/dev/payments", get(dev_payments::page))
            .route("/dev/payments/answer", post(dev_payments::answer))
            .route("/dev/payments/hold", post(dev_payments::hold))
            .route("/dev/payments/paybill", post(dev_payments::paybill)),
        None => Router::new(),
    };
    Router::new()
        .merge(dev)
        .route("/", get(home::home))
        .route("/help", get(help::help))
        .route("/signin", get(signin::signin))
        .route("/signin/callback", get(signin::callback))
        .route("/signout", post(signin::signout))
        .route("/acting-for", post(signin::acting_for))
        .route("/vehicles", get(vehicles::my_vehicles))
        .route("/inquiry", get(vehicles::inquiry))
        .route("/transfers", get(transfers::my_transfers))
        .route("/transfers/new", get(sell::vehicle_page).post(sell::vehicle_answer))
        .route("/transfers/new/buyer", get(sell::buyer_page).post(sell::buyer_answer))
        .route("/transfers/new/buyer-id", get(sell::buyer_id_page).post(sell::buyer_id_answer))
        .route("/transfers/new/check", get(sell::check_page).post(sell::check_answer))
        .route("/transfers/{id}", get(transfer::transfer_page))
        .route("/transfers/{id}/scan", get(transfer::scan))
        .route("/transfers/{id}/review", get(review::review_page))
        .route("/transfers/{id}/review/scan", get(review::review_scan))
        .route("/transfers/{id}/review/approve", get(review_decide::approve_page).post(review_decide::approve_answer))
        .route("/transfers/{id}/review/reject", get(review_decide::reject_page).post(review_decide::reject_answer))
        .route("/transfers/{id}/logbook", get(logbook::logbook_page).post(logbook::logbook_answer))
        .route("/transfers/{id}/resubmit", get(resubmit::resubmit_page).post(resubmit::resubmit_answer))
        .route("/transfers/{id}/upload", get(seller::upload_page).post(seller::upload_answer))
        .route("/transfers/{id}/submit", get(seller::submit_page).post(seller::submit_answer))
        .route("/transfers/{id}/submit/code", get(seller::submit_code_page).post(seller::submit_code_answer))
        .route("/transfers/{id}/submit/resend", post(seller::submit_resend))
        .route("/transfers/{id}/cancel", get(seller::cancel_page).post(seller::cancel_answer))
        .route("/transfers/{id}/logbook-next", post(seller::logbook_next))
        .route("/transfers/{id}/pay", get(payment::pay).post(payment::pay_submit))
        .route("/transfers/{id}/payment", get(payment::payment))
        .route("/transfers/{id}/receipt", get(payment::receipt))
        .merge(answer_routes("answer"))
        .merge(answer_routes("consent"))
        .route("/transfers/{id}/answer/address", get(answer::address_page).post(answer::address_answer))
        .route("/transfers/{id}/answer/office", get(answer::office_page).post(answer::office_answer))
        .route("/review", get(transfers::review_queue))
        .layer(axum::extract::DefaultBodyLimit::max(crate::scans::MAX_SCAN_BYTES + 64 * 1024))
        .with_state(reg)
}
