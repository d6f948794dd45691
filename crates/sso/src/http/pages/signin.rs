//! Signing in and out: the password form, the code form (and a new code),
//! and signing out, including when a relying party asks for it. The rules
//! are the use cases'; these pages decide nothing.

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use pagekit::CsrfForm;
use serde::Deserialize;
use texts::{Lang, SignOnPage as P};

use super::refused::{form_page, refused};
use super::{
    DEFAULT_RETURN, FormPage, PageLang, Returning, account_type_options, back_to, err_text, error_page, field,
    notice_text, registry_link, say,
};
use crate::accounts::{self, Account, SignIn};
use crate::http::browser::{CSRF, clear_session_cookie, current_session, device_cookie, pending, session_cookie};
use crate::http::caller::Caller;
use crate::http::respond::{safe_return, see_other, with_cookies};
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

/// The password form. Its links carry the way back to registration and
/// recovery; with no way back under way, it offers the registry's.
fn signin_form(lang: Lang, csrf: String, f: &SignIn, return_to: &str, notice: String) -> FormPage {
    let page = FormPage {
        notice,
        fields: vec![
            field(lang, "account_type", P::YouAreA, "select", "off")
                .options(account_type_options(lang))
                .value(f.account_type.clone().unwrap_or_else(|| "citizen".into())),
            field(lang, "id_number", P::IdOrPassport, "text", "username").value(&f.id_number),
            field(lang, "password", P::Password, "password", "current-password"),
        ],
        ..FormPage::new(lang, P::SignInTitle, "/sso/signin", csrf, P::Continue)
    };
    page.returning(return_to)
        .link(back_to("/sso/register", return_to), P::CreateAnAccount)
        .link(back_to("/sso/recover", return_to), P::ForgotPassword)
}

/// A page ending a journey with no way back under way (signed out,
/// recovered) also offers the registry.
fn with_registry(mut page: FormPage, sso: &Sso) -> FormPage {
    if page.return_to() == DEFAULT_RETURN
        && let Some(link) = registry_link(sso, page.lang)
    {
        page.links.push(link);
    }
    page
}

async fn signin_page(State(sso): State<Sso>, PageLang(lang): PageLang, headers: HeaderMap, q: Returning) -> Response {
    let (csrf, set) = CSRF.token_for(&headers);
    let notice = notice_text(lang, q.done.as_deref());
    let page = signin_form(lang, csrf, &SignIn::default(), &q.return_to(), notice);
    form_page(&headers, with_registry(page, &sso), set)
}

async fn signin_submit(
    State(sso): State<Sso>,
    PageLang(lang): PageLang,
    Caller(client): Caller,
    CsrfForm { form: f, .. }: CsrfForm<Sso, SignInForm>,
) -> Response {
    let return_to = safe_return(f.return_to.as_ref());
    let s = SignIn { account_type: f.account_type, id_number: f.id_number, password: f.password };
    match accounts::sign_in(&sso, &s, &client).await {
        Ok((token, _)) => with_cookies(see_other(&back_to("/sso/signin/code", &return_to)), [session_cookie(&token)]),
        Err(e) => refused(e, signin_form(lang, String::new(), &s, &return_to, String::new())),
    }
}

/// What a code form shows: the sign-in's stage, the masked phone, the way
/// back and a notice.
struct CodeStep<'a> {
    stage: Stage,
    phone: &'a str,
    return_to: &'a str,
    notice: String,
}

fn code_form(lang: Lang, csrf: String, c: CodeStep<'_>) -> FormPage {
    let (title, lead) = match c.stage {
        Stage::VerifyPhone => (P::CheckYourPhone, P::CodeSentToVerify { phone: c.phone }),
        _ => (P::EnterSignInCode, P::CodeSentTo { phone: c.phone }),
    };
    FormPage {
        notice: c.notice,
        fields: vec![field(lang, "code", P::Code, "text", "one-time-code")],
        buttons: vec![("/sso/signin/code/resend", say(lang, P::SendNewCode))],
        ..FormPage::new(lang, title, "/sso/signin/code", csrf, P::Continue)
    }
    .returning(c.return_to)
    .lead([say(lang, lead), say(lang, P::CodeWorksFiveMinutes)])
}

fn phone_masked(a: &Account) -> String {
    texts::format::phone_masked(&a.phone)
}

/// The code form a refusal goes back to: its address and way back are
/// what count (the page is drawn again by its GET, with the phone).
fn code_step<'a>(s: &Session, return_to: &'a str) -> CodeStep<'a> {
    CodeStep { stage: s.stage, phone: "", return_to, notice: String::new() }
}

async fn code_page(State(sso): State<Sso>, PageLang(lang): PageLang, headers: HeaderMap, q: Returning) -> Response {
    let (s, a) = match pending_or_sign_in(&sso, lang, &headers).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let (csrf, set) = CSRF.token_for(&headers);
    let (phone, return_to) = (phone_masked(&a), q.return_to());
    let notice = notice_text(lang, q.done.as_deref());
    let step = CodeStep { stage: s.stage, phone: &phone, return_to: &return_to, notice };
    form_page(&headers, code_form(lang, csrf, step), set)
}

/// Whether this browser's sign-in still waits for its code.
async fn still_pending(sso: &Sso, headers: &HeaderMap) -> bool {
    matches!(pending(sso, headers).await, Ok(Some(_)))
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
    let (s, _) = match pending_or_sign_in(&sso, lang, &headers).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let return_to = safe_return(f.return_to.as_ref());
    match accounts::confirm_code(&sso, &s, &f.code, &client).await {
        Ok(done) => {
            // Back where the journey started; else the account, saying what
            // was done (a registration ends here too, with its phone checked).
            let next = match (return_to.as_str(), s.stage) {
                (DEFAULT_RETURN, Stage::VerifyPhone) => "/sso/?done=registered".to_string(),
                (DEFAULT_RETURN, _) => "/sso/?done=signed-in".to_string(),
                _ => return_to,
            };
            let device = done.device.as_deref().map(device_cookie);
            with_cookies(see_other(&next), std::iter::once(session_cookie(&done.session)).chain(device))
        }
        Err(e) if matches!(e, Error::Refused(_) | Error::Blocked) || !still_pending(&sso, &headers).await => {
            // The pending sign-in is over (too many wrong codes): back to
            // the password, the code's refusal said for the whole form.
            let e = match e {
                Error::Invalid(_) => Error::Refused(err_text(&e)),
                other => other,
            };
            let page = signin_form(lang, String::new(), &SignIn::default(), &return_to, String::new());
            with_cookies(refused(e, page), [clear_session_cookie()])
        }
        Err(e) => refused(e, code_form(lang, String::new(), code_step(&s, &return_to))),
    }
}

async fn code_resend(
    State(sso): State<Sso>,
    PageLang(lang): PageLang,
    Caller(client): Caller,
    headers: HeaderMap,
    CsrfForm { form: f, .. }: CsrfForm<Sso, CodeForm>,
) -> Response {
    let (s, _) = match pending_or_sign_in(&sso, lang, &headers).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let return_to = safe_return(f.return_to.as_ref());
    match accounts::resend_code(&sso, &s, &client).await {
        Ok(()) => see_other(&back_to("/sso/signin/code?done=code-sent", &return_to)),
        Err(e) => refused(e, code_form(lang, String::new(), code_step(&s, &return_to))),
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
