//! Signing in and out: the password form, the code form (and a new code),
//! and signing out, including when a relying party asks for it. The rules
//! are the use cases'; these pages decide nothing.

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use pagekit::CsrfForm;
use serde::Deserialize;
use texts::{Lang, SignOnPage as P};

use super::{
    FormPage, PageLang, account_type_options, checked_csrf, error_page, field, form, form_or_error, notice_text, say,
};
use crate::accounts::{self, Account, SignIn};
use crate::http::browser::{CSRF, clear_session_cookie, current_session, device_cookie, pending, session_cookie};
use crate::http::caller::Caller;
use crate::http::respond::{safe_return, see_other, urlencode, with_cookies};
use crate::sessions::{self, Session, Stage};
use crate::{Error, Sso};

pub(super) fn routes() -> Router<Sso> {
    Router::new()
        .route("/sso/signin", get(signin_page).post(signin_submit))
        .route("/sso/signin/code", get(code_page).post(code_submit))
        .route("/sso/signin/code/resend", post(code_resend))
        .route("/sso/signout", post(signout))
}

/// The password form as sent.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SignInForm {
    account_type: Option<String>,
    id_number: String,
    password: String,
    return_to: Option<String>,
}

/// The code form as sent (and the resend button, which sends no code).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CodeForm {
    code: String,
    return_to: Option<String>,
}

/// A form with nothing but its CSRF token.
#[derive(Debug, Default, Deserialize)]
struct Empty {}

fn signin_form(lang: Lang, csrf: String, f: &SignIn, return_to: String, notice: String) -> FormPage {
    let page = FormPage {
        notice,
        hidden: vec![("return_to", return_to)],
        fields: vec![
            field(lang, "account_type", P::YouAreA, "select", "off")
                .options(account_type_options(lang))
                .value(f.account_type.clone().unwrap_or_else(|| "citizen".into())),
            field(lang, "id_number", P::IdOrPassport, "text", "username").value(&f.id_number),
            field(lang, "password", P::Password, "password", "current-password"),
        ],
        ..FormPage::new(lang, P::SignInTitle, "/sso/signin", csrf, P::Continue)
    };
    page.link("/sso/register", P::CreateAnAccount).link("/sso/recover", P::ForgotPassword)
}

async fn signin_page(
    PageLang(lang): PageLang,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let (csrf, set) = CSRF.token_for(&headers);
    let notice = notice_text(lang, q.get("done").map(String::as_str));
    let page = signin_form(lang, csrf, &SignIn::default(), safe_return(q.get("return_to")), notice);
    form(StatusCode::OK, page, set)
}

async fn signin_submit(
    State(sso): State<Sso>,
    PageLang(lang): PageLang,
    Caller(client): Caller,
    headers: HeaderMap,
    CsrfForm { form: f, .. }: CsrfForm<Sso, SignInForm>,
) -> Response {
    let return_to = safe_return(f.return_to.as_ref());
    let s = SignIn { account_type: f.account_type, id_number: f.id_number, password: f.password };
    match accounts::sign_in(&sso, &s, &client).await {
        Ok((token, _)) => {
            let next = format!("/sso/signin/code?return_to={}", urlencode(&return_to));
            with_cookies(see_other(&next), [session_cookie(&token)])
        }
        Err(e) => form_or_error(e, signin_form(lang, checked_csrf(&headers), &s, return_to, String::new())),
    }
}

fn code_form(lang: Lang, csrf: String, stage: Stage, phone: &str, return_to: String) -> FormPage {
    let (title, lead) = match stage {
        Stage::VerifyPhone => (P::CheckYourPhone, P::CodeSentToVerify { phone }),
        _ => (P::EnterSignInCode, P::CodeSentTo { phone }),
    };
    FormPage {
        hidden: vec![("return_to", return_to)],
        fields: vec![field(lang, "code", P::Code, "text", "one-time-code")],
        buttons: vec![("/sso/signin/code/resend", say(lang, P::SendNewCode))],
        ..FormPage::new(lang, title, "/sso/signin/code", csrf, P::Continue)
    }
    .lead([say(lang, lead), say(lang, P::CodeWorksFiveMinutes)])
}

fn phone_masked(a: &Account) -> String {
    texts::format::phone_masked(&a.phone)
}

async fn code_page(
    State(sso): State<Sso>,
    PageLang(lang): PageLang,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let (s, a) = match pending_or_sign_in(&sso, lang, &headers).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let (csrf, set) = CSRF.token_for(&headers);
    form(StatusCode::OK, code_form(lang, csrf, s.stage, &phone_masked(&a), safe_return(q.get("return_to"))), set)
}

/// The sign-in waiting for its code in this browser, or the answer that
/// sends the person back to the password (or tells what failed).
async fn pending_or_sign_in(sso: &Sso, lang: Lang, headers: &HeaderMap) -> Result<(Session, Account), Response> {
    match pending(sso, headers).await {
        Ok(Some(p)) => Ok(p),
        Ok(None) => Err(see_other("/sso/signin")),
        Err(e) => Err(error_page(lang, &e)),
    }
}

async fn code_submit(
    State(sso): State<Sso>,
    PageLang(lang): PageLang,
    Caller(client): Caller,
    headers: HeaderMap,
    CsrfForm { form: f, .. }: CsrfForm<Sso, CodeForm>,
) -> Response {
    let (s, a) = match pending_or_sign_in(&sso, lang, &headers).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let return_to = safe_return(f.return_to.as_ref());
    let csrf = checked_csrf(&headers);
    match accounts::confirm_code(&sso, &s, &f.code, &client).await {
        Ok(done) => {
            let next = if return_to == "/sso/" { "/sso/?done=signed-in".to_string() } else { return_to };
            let device = done.device.as_deref().map(device_cookie);
            with_cookies(see_other(&next), std::iter::once(session_cookie(&done.session)).chain(device))
        }
        Err(e @ (Error::Refused(_) | Error::Blocked)) => {
            // The pending sign-in is over (too many wrong codes).
            let page = signin_form(lang, csrf, &SignIn::default(), return_to, String::new());
            with_cookies(form_or_error(e, page), [clear_session_cookie()])
        }
        Err(e) => form_or_error(e, code_form(lang, csrf, s.stage, &phone_masked(&a), return_to)),
    }
}

async fn code_resend(
    State(sso): State<Sso>,
    PageLang(lang): PageLang,
    Caller(client): Caller,
    headers: HeaderMap,
    CsrfForm { form: f, .. }: CsrfForm<Sso, CodeForm>,
) -> Response {
    let (s, a) = match pending_or_sign_in(&sso, lang, &headers).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let return_to = safe_return(f.return_to.as_ref());
    let page = code_form(lang, checked_csrf(&headers), s.stage, &phone_masked(&a), return_to);
    match accounts::resend_code(&sso, &s, &client).await {
        Ok(()) => form(StatusCode::OK, FormPage { notice: say(lang, P::NewCodeOnItsWay), ..page }, None),
        Err(e) => form_or_error(e, page),
    }
}

async fn signout(
    State(sso): State<Sso>,
    PageLang(lang): PageLang,
    headers: HeaderMap,
    _: CsrfForm<Sso, Empty>,
) -> Response {
    if let Ok(Some(s)) = current_session(&sso, &headers).await
        && let Err(e) = sessions::end(&sso, &s.id_hash).await
    {
        return error_page(lang, &e);
    }
    with_cookies(see_other("/sso/signin?done=signed-out"), [clear_session_cookie()])
}

/// The page that asks the person to confirm a sign-out a relying party
/// asked for (`hidden` carries the request on).
pub(in crate::http) fn confirm_sign_out(lang: Lang, csrf: String, hidden: Vec<(&'static str, String)>) -> FormPage {
    FormPage { hidden, ..FormPage::new(lang, P::SignOutQuestion, "/sso/logout", csrf, P::SignOut) }
        .lead([say(lang, P::ServiceAskedSignOut)])
}
