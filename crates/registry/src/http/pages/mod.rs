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
//! By journey: `signin` (home, sign-in and out, whom to act for),
//! `vehicles` (my vehicles, inquiry), `transfers` (lists, a new
//! transfer), `transfer` (a transfer's page, its forms and scan), `steps`
//! (the answers to those forms);
//! `frame` is what every page shares.

mod extract;
mod frame;
mod kept;
mod logbook;
mod resubmit;
mod review;
mod review_decide;
mod signin;
mod steps;
mod transfer;
mod transfers;
mod vehicles;

use axum::Router;
use axum::routing::{get, post};

use crate::Registry;
pub use frame::User;

pub const SESSION_COOKIE: &str = "__Host-tims_reg";
pub const CSRF_COOKIE: &str = "__Host-tims_reg_csrf";
/// Binds a sign-in under way to the browser that started it.
pub const LOGIN_COOKIE: &str = "__Host-tims_reg_login";

pub fn router(reg: Registry) -> Router {
    Router::new()
        .route("/", get(signin::home))
        .route("/signin", get(signin::signin))
        .route("/signin/callback", get(signin::callback))
        .route("/signout", post(signin::signout))
        .route("/acting-for", post(signin::acting_for))
        .route("/vehicles", get(vehicles::my_vehicles))
        .route("/inquiry", get(vehicles::inquiry))
        .route("/transfers", get(transfers::my_transfers))
        .route("/transfers/new", get(transfers::new_transfer).post(transfers::new_transfer_submit))
        .route("/transfers/{id}", get(transfer::transfer_page))
        .route("/transfers/{id}/scan", get(transfer::scan))
        .route("/transfers/{id}/review", get(review::review_page))
        .route("/transfers/{id}/review/scan", get(review::review_scan))
        .route("/transfers/{id}/review/approve", get(review_decide::approve_page).post(review_decide::approve_answer))
        .route("/transfers/{id}/review/reject", get(review_decide::reject_page).post(review_decide::reject_answer))
        .route("/transfers/{id}/logbook", get(logbook::logbook_page).post(logbook::logbook_answer))
        .route("/transfers/{id}/resubmit", get(resubmit::resubmit_page).post(resubmit::resubmit_answer))
        .route("/transfers/{id}/{action}", post(steps::transfer_action))
        .route("/review", get(transfers::review_queue))
        .layer(axum::extract::DefaultBodyLimit::max(crate::scans::MAX_SCAN_BYTES + 64 * 1024))
        .with_state(reg)
}
