//! Recovering an account: the details that send a code, then the code and
//! a new password (`accounts::recovery`). The rules are the use case's;
//! these pages decide nothing.

use std::collections::HashMap;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use cookies::SameSite;

use super::{Fields, FormPage, PASSWORD_HINT, account_type_options, csrf_refused, field, form, form_or_error, get_str};
use crate::Sso;
use crate::accounts::recovery;
use crate::http::browser::{CSRF, RECOVERY_COOKIE, clear_session_cookie, device_cookie};
use crate::http::caller::Caller;
use crate::http::respond::{see_other, with_cookies};
use crate::sessions;

pub(super) fn routes() -> Router<Sso> {
    Router::new()
        .route("/sso/recover", get(recover_page).post(recover_submit))
        .route("/sso/recover/code", get(recover_code_page).post(recover_code_submit))
}

fn recover_form(csrf: String, f: &HashMap<String, String>) -> FormPage {
    FormPage {
        title: "Recover your account",
        lead: vec!["If you forgot your password, we send a code to the mobile number on your account. Then you choose a new password.".into()],
        action: "/sso/recover".into(),
        csrf,
        fields: vec![
            field("account_type", "You are a", "select", "off").options(account_type_options()).value(f.get("account_type").cloned().unwrap_or_else(|| "citizen".into())),
            field("id_number", "ID or passport number", "text", "username").value(get_str(f, "id_number")),
            field("date_of_birth", "Date of birth", "text", "bday")
                .value(get_str(f, "date_of_birth"))
                .hint("As on your document, year-month-day: for example 1990-05-17"),
        ],
        submit: "Send a code",
        links: vec![("/sso/signin", "Back to sign in")],
        ..Default::default()
    }
}

async fn recover_page(headers: HeaderMap) -> Response {
    let (csrf, set) = CSRF.token_for(&headers);
    form(StatusCode::OK, recover_form(csrf, &HashMap::new()), set)
}

async fn recover_submit(
    State(sso): State<Sso>,
    Caller(client): Caller,
    headers: HeaderMap,
    Fields(f): Fields,
) -> Response {
    if !CSRF.check(&headers, f.get("csrf").map(String::as_str)) {
        return csrf_refused(&sso, &headers);
    }
    let start = recovery::Start {
        account_type: get_str(&f, "account_type"),
        id_number: get_str(&f, "id_number"),
        date_of_birth: get_str(&f, "date_of_birth"),
    };
    match recovery::start(&sso, &start, &client).await {
        Ok(token) => with_cookies(
            see_other("/sso/recover/code"),
            [cookies::set(RECOVERY_COOKIE, &token, SameSite::Lax, Some(sessions::PENDING_MS / 1000))],
        ),
        Err(e) => form_or_error(e, recover_form(get_str(&f, "csrf"), &f)),
    }
}

fn recover_code_form(csrf: String) -> FormPage {
    FormPage {
        title: "Choose a new password",
        lead: vec![
            "If the details you gave match an account, we sent a 6-digit code to its registered mobile number. The code works for 5 minutes.".into(),
            "If no code comes within a few minutes, check the details and start again; after several codes in a short time, wait 15 minutes first.".into(),
        ],
        action: "/sso/recover/code".into(),
        csrf,
        fields: vec![
            field("code", "Code", "text", "one-time-code"),
            field("password", "New password", "password", "new-password").hint(PASSWORD_HINT),
            field("password_confirm", "New password again", "password", "new-password"),
        ],
        submit: "Change password",
        links: vec![("/sso/recover", "Start again")],
        ..Default::default()
    }
}

async fn recover_code_page(headers: HeaderMap) -> Response {
    let (csrf, set) = CSRF.token_for(&headers);
    form(StatusCode::OK, recover_code_form(csrf), set)
}

async fn recover_code_submit(
    State(sso): State<Sso>,
    Caller(client): Caller,
    headers: HeaderMap,
    Fields(f): Fields,
) -> Response {
    if !CSRF.check(&headers, f.get("csrf").map(String::as_str)) {
        return csrf_refused(&sso, &headers);
    }
    let token = cookies::get(&headers, RECOVERY_COOKIE).filter(|v| !v.is_empty());
    let finish = recovery::Finish {
        code: get_str(&f, "code"),
        password: get_str(&f, "password"),
        password_confirm: get_str(&f, "password_confirm"),
    };
    match recovery::finish(&sso, token.as_deref(), &finish, &client).await {
        Ok(device) => with_cookies(
            see_other("/sso/signin?done=recovered"),
            [clear_session_cookie(), cookies::set(RECOVERY_COOKIE, "", SameSite::Lax, Some(0)), device_cookie(&device)],
        ),
        Err(e) => form_or_error(e, recover_code_form(get_str(&f, "csrf"))),
    }
}
