//! The account's preferences: SMS alerts on or off. It decides nothing.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;

use super::{Fields, FormPage, csrf_refused, error_page, field, form, signed_in_or_redirect};
use crate::Sso;
use crate::accounts;
use crate::http::browser::CSRF;
use crate::http::respond::see_other;

pub(super) fn routes() -> Router<Sso> {
    Router::new().route("/sso/preferences", get(prefs_page).post(prefs_submit))
}

fn prefs_form(csrf: String, on: bool) -> FormPage {
    FormPage {
        title: "SMS alerts",
        lead: vec![
            "Choose whether we send you SMS alerts about your transactions. Codes for signing in are always sent."
                .into(),
        ],
        action: "/sso/preferences".into(),
        csrf,
        fields: vec![field("sms_alerts", "Send me SMS alerts about my transactions", "checkbox", "off").value(if on {
            "on"
        } else {
            ""
        })],
        submit: "Save",
        links: vec![("/sso/", "Back to your account")],
        ..Default::default()
    }
}

async fn prefs_page(State(sso): State<Sso>, headers: HeaderMap) -> Response {
    let (_, a) = match signed_in_or_redirect(&sso, &headers, "/sso/preferences").await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let (csrf, set) = CSRF.token_for(&headers);
    form(StatusCode::OK, prefs_form(csrf, a.sms_alerts), set)
}

async fn prefs_submit(State(sso): State<Sso>, headers: HeaderMap, Fields(f): Fields) -> Response {
    if !CSRF.check(&headers, f.get("csrf").map(String::as_str)) {
        return csrf_refused(&sso, &headers);
    }
    let (_, a) = match signed_in_or_redirect(&sso, &headers, "/sso/preferences").await {
        Ok(v) => v,
        Err(r) => return r,
    };
    match accounts::set_sms_alerts(&sso, &a.id, f.contains_key("sms_alerts")).await {
        Ok(()) => see_other("/sso/?done=prefs"),
        Err(e) => error_page(&e),
    }
}
