//! Signing in and out: the password form, the code form (and a new code),
//! and signing out, including when a relying party asks for it. The rules
//! are the use cases'; these pages decide nothing.

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};

use super::{
    Fields, FormPage, account_type_options, csrf_refused, error_page, field, form, form_or_error, get_str, notice_text,
};
use crate::accounts::{self, Account, SignIn};
use crate::http::browser::{CSRF, clear_session_cookie, current_session, device_cookie, pending, session_cookie};
use crate::http::caller::Caller;
use crate::http::respond::{safe_return, see_other, urlencode, with_cookies};
use crate::sessions::{self, Stage};
use crate::{Error, Sso};

pub(super) fn routes() -> Router<Sso> {
    Router::new()
        .route("/sso/signin", get(signin_page).post(signin_submit))
        .route("/sso/signin/code", get(code_page).post(code_submit))
        .route("/sso/signin/code/resend", post(code_resend))
        .route("/sso/signout", post(signout))
}

fn signin_form(csrf: String, f: &HashMap<String, String>, return_to: String, notice: Option<String>) -> FormPage {
    FormPage {
        title: "Sign in",
        notice,
        action: "/sso/signin".into(),
        csrf,
        hidden: vec![("return_to", return_to)],
        fields: vec![
            field("account_type", "You are a", "select", "off")
                .options(account_type_options())
                .value(f.get("account_type").cloned().unwrap_or_else(|| "citizen".into())),
            field("id_number", "ID or passport number", "text", "username").value(get_str(f, "id_number")),
            field("password", "Password", "password", "current-password"),
        ],
        submit: "Continue",
        links: vec![("/sso/register", "Create an account"), ("/sso/recover", "Forgot your password?")],
        ..Default::default()
    }
}

async fn signin_page(headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> Response {
    let (csrf, set) = CSRF.token_for(&headers);
    let page = signin_form(
        csrf,
        &HashMap::new(),
        safe_return(q.get("return_to")),
        notice_text(q.get("done").map(String::as_str)),
    );
    form(StatusCode::OK, page, set)
}

async fn signin_submit(
    State(sso): State<Sso>,
    Caller(client): Caller,
    headers: HeaderMap,
    Fields(f): Fields,
) -> Response {
    if !CSRF.check(&headers, f.get("csrf").map(String::as_str)) {
        return csrf_refused(&sso, &headers);
    }
    let s = SignIn {
        account_type: f.get("account_type").cloned(),
        id_number: get_str(&f, "id_number"),
        password: get_str(&f, "password"),
    };
    let return_to = safe_return(f.get("return_to"));
    match accounts::sign_in(&sso, &s, &client).await {
        Ok((token, _)) => {
            let next = format!("/sso/signin/code?return_to={}", urlencode(&return_to));
            with_cookies(see_other(&next), [session_cookie(&token)])
        }
        Err(e) => form_or_error(e, signin_form(get_str(&f, "csrf"), &f, return_to, None)),
    }
}

fn code_form(csrf: String, stage: Stage, phone: &str, return_to: String) -> FormPage {
    let (title, lead) = match stage {
        Stage::VerifyPhone => {
            ("Check your phone", format!("We sent a 6-digit code to {phone} to check that the number is yours."))
        }
        _ => ("Enter your sign-in code", format!("We sent a 6-digit code to {phone}.")),
    };
    FormPage {
        title,
        lead: vec![lead, "The code works for 5 minutes.".into()],
        action: "/sso/signin/code".into(),
        csrf,
        hidden: vec![("return_to", return_to)],
        fields: vec![field("code", "Code", "text", "one-time-code")],
        submit: "Continue",
        buttons: vec![("/sso/signin/code/resend", "Send a new code")],
        ..Default::default()
    }
}

fn phone_masked(a: &Account) -> String {
    domain::Phone::parse(&a.phone).map(|p| p.masked()).unwrap_or_default()
}

async fn code_page(State(sso): State<Sso>, headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> Response {
    match pending(&sso, &headers).await {
        Ok(Some((s, a))) => {
            let (csrf, set) = CSRF.token_for(&headers);
            form(StatusCode::OK, code_form(csrf, s.stage, &phone_masked(&a), safe_return(q.get("return_to"))), set)
        }
        Ok(None) => see_other("/sso/signin"),
        Err(e) => error_page(&e),
    }
}

async fn code_submit(
    State(sso): State<Sso>,
    Caller(client): Caller,
    headers: HeaderMap,
    Fields(f): Fields,
) -> Response {
    if !CSRF.check(&headers, f.get("csrf").map(String::as_str)) {
        return csrf_refused(&sso, &headers);
    }
    let (s, a) = match pending(&sso, &headers).await {
        Ok(Some(p)) => p,
        Ok(None) => return see_other("/sso/signin"),
        Err(e) => return error_page(&e),
    };
    let return_to = safe_return(f.get("return_to"));
    match accounts::confirm_code(&sso, &s, &get_str(&f, "code"), &client).await {
        Ok(done) => {
            let next = if return_to == "/sso/" { "/sso/?done=signed-in".to_string() } else { return_to };
            let device = done.device.as_deref().map(device_cookie);
            with_cookies(see_other(&next), std::iter::once(session_cookie(&done.session)).chain(device))
        }
        Err(e @ (Error::Refused(_) | Error::Blocked)) => {
            // The pending sign-in is over (too many wrong codes).
            let page = signin_form(get_str(&f, "csrf"), &HashMap::new(), return_to, None);
            with_cookies(form_or_error(e, page), [clear_session_cookie()])
        }
        Err(e) => form_or_error(e, code_form(get_str(&f, "csrf"), s.stage, &phone_masked(&a), return_to)),
    }
}

async fn code_resend(
    State(sso): State<Sso>,
    Caller(client): Caller,
    headers: HeaderMap,
    Fields(f): Fields,
) -> Response {
    if !CSRF.check(&headers, f.get("csrf").map(String::as_str)) {
        return csrf_refused(&sso, &headers);
    }
    let (s, a) = match pending(&sso, &headers).await {
        Ok(Some(p)) => p,
        Ok(None) => return see_other("/sso/signin"),
        Err(e) => return error_page(&e),
    };
    let return_to = safe_return(f.get("return_to"));
    let page = code_form(get_str(&f, "csrf"), s.stage, &phone_masked(&a), return_to);
    match accounts::resend_code(&sso, &s, &client).await {
        Ok(()) => form(StatusCode::OK, FormPage { notice: Some("A new code is on its way.".into()), ..page }, None),
        Err(e) => form_or_error(e, page),
    }
}

async fn signout(State(sso): State<Sso>, headers: HeaderMap, Fields(f): Fields) -> Response {
    if !CSRF.check(&headers, f.get("csrf").map(String::as_str)) {
        return csrf_refused(&sso, &headers);
    }
    if let Ok(Some(s)) = current_session(&sso, &headers).await
        && let Err(e) = sessions::end(&sso, &s.id_hash).await
    {
        return error_page(&e);
    }
    with_cookies(see_other("/sso/signin?done=signed-out"), [clear_session_cookie()])
}

/// The page that asks the person to confirm a sign-out a relying party
/// asked for (`hidden` carries the request on).
pub(in crate::http) fn confirm_sign_out(csrf: String, hidden: Vec<(&'static str, String)>) -> FormPage {
    FormPage {
        title: "Sign out?",
        lead: vec!["A service asked to sign you out of the sign-on.".into()],
        action: "/sso/logout".into(),
        csrf,
        hidden,
        submit: "Sign out",
        ..Default::default()
    }
}
