//! Creating an account: the form, and its submission to
//! `accounts::register`, which sends a code to the phone. The rules are the
//! use case's; these pages decide nothing.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;

use super::{Fields, FormPage, PASSWORD_HINT, account_type_options, csrf_refused, field, form, form_or_error, get_str};
use crate::Sso;
use crate::accounts::{self, Registration};
use crate::http::browser::{CSRF, session_cookie};
use crate::http::caller::Caller;
use crate::http::respond::{see_other, with_cookies};

pub(super) fn routes() -> Router<Sso> {
    Router::new().route("/sso/register", get(register_page).post(register_submit))
}

fn register_form(csrf: String, r: &Registration) -> FormPage {
    FormPage {
        title: "Create an account",
        lead: vec!["One account signs you in to every online service of the agency.".into()],
        action: "/sso/register".into(),
        csrf,
        fields: vec![
            field("account_type", "You are a", "select", "off")
                .options(account_type_options())
                .value(if r.account_type.is_empty() { "citizen".to_string() } else { r.account_type.clone() }),
            field("id_number", "ID or passport number", "text", "off")
                .value(&r.id_number)
                .hint("The number on the document that matches your choice above"),
            field("date_of_birth", "Date of birth", "text", "bday")
                .value(&r.date_of_birth)
                .hint("As on your document, year-month-day: for example 1990-05-17"),
            field("phone", "Mobile number", "tel", "tel")
                .value(&r.phone)
                .hint("We send a code to this number to check it, for example 0712 345 678"),
            field("email", "Email address (optional)", "email", "email").value(&r.email),
            field("password", "Password", "password", "new-password").hint(PASSWORD_HINT),
            field("password_confirm", "Password again", "password", "new-password"),
            field("sms_alerts", "Send me SMS alerts about my transactions", "checkbox", "off")
                .value(if r.sms_alerts.is_some() || r.account_type.is_empty() { "on" } else { "" }),
        ],
        submit: "Create account",
        links: vec![("/sso/signin", "I already have an account")],
        ..Default::default()
    }
}

async fn register_page(headers: HeaderMap) -> Response {
    let (csrf, set) = CSRF.token_for(&headers);
    form(StatusCode::OK, register_form(csrf, &Registration::default()), set)
}

async fn register_submit(
    State(sso): State<Sso>,
    Caller(client): Caller,
    headers: HeaderMap,
    Fields(f): Fields,
) -> Response {
    if !CSRF.check(&headers, f.get("csrf").map(String::as_str)) {
        return csrf_refused(&sso, &headers);
    }
    let r = Registration {
        account_type: get_str(&f, "account_type"),
        id_number: get_str(&f, "id_number"),
        date_of_birth: get_str(&f, "date_of_birth"),
        phone: get_str(&f, "phone"),
        email: get_str(&f, "email"),
        password: get_str(&f, "password"),
        password_confirm: get_str(&f, "password_confirm"),
        sms_alerts: f.get("sms_alerts").cloned(),
    };
    match accounts::register(&sso, &r, &client).await {
        Ok(token) => with_cookies(see_other("/sso/signin/code"), [session_cookie(&token)]),
        Err(e) => form_or_error(e, register_form(get_str(&f, "csrf"), &r)),
    }
}
