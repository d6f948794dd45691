//! Recovering an account: the details that send a code, then the code and
//! a new password (`accounts::recovery`), then the sign-in again with it;
//! the way back (`return_to`) is carried through every step to that
//! sign-in. The rules are the use case's; these pages decide nothing.

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use cookies::SameSite;
use pagekit::CsrfForm;
use serde::Deserialize;
use texts::{Lang, SignOnPage as P};

use super::refused::{form_page, refused};
use super::{FormPage, PageLang, Returning, account_type_options, back_to, date_of_birth_field, field, say};
use crate::Sso;
use crate::accounts::recovery;
use crate::http::browser::{CSRF, RECOVERY_COOKIE, clear_session_cookie, device_cookie};
use crate::http::caller::Caller;
use crate::http::respond::{safe_return, see_other, with_cookies};
use crate::sessions;

pub(super) fn routes() -> Router<Sso> {
    Router::new()
        .route("/sso/recover", get(recover_page).post(recover_submit))
        .route("/sso/recover/code", get(recover_code_page).post(recover_code_submit))
}

/// A step's form as sent: the use case's fields and the way back.
#[derive(Debug, Deserialize)]
struct StepForm<T> {
    #[serde(flatten)]
    step: T,
    #[serde(default)]
    return_to: Option<String>,
}

fn recover_form(lang: Lang, csrf: String, f: &recovery::Start, return_to: &str) -> FormPage {
    let account_type = if f.account_type.is_empty() { "citizen".to_string() } else { f.account_type.clone() };
    let born = [f.date_of_birth_day.as_str(), &f.date_of_birth_month, &f.date_of_birth_year];
    FormPage {
        fields: vec![
            field(lang, "account_type", P::YouAreA, "select", "off")
                .options(account_type_options(lang))
                .value(account_type),
            field(lang, "id_number", P::IdOrPassport, "text", "username").value(&f.id_number),
            date_of_birth_field(lang, born),
        ],
        ..FormPage::new(lang, P::RecoverTitle, "/sso/recover", csrf, P::SendACode)
    }
    .returning(return_to)
    .lead([say(lang, P::RecoverLead)])
    .link(back_to("/sso/signin", return_to), P::BackToSignIn)
}

async fn recover_page(PageLang(lang): PageLang, headers: HeaderMap, q: Returning) -> Response {
    let (csrf, set) = CSRF.token_for(&headers);
    form_page(&headers, recover_form(lang, csrf, &recovery::Start::default(), &q.return_to()), set)
}

async fn recover_submit(
    State(sso): State<Sso>,
    PageLang(lang): PageLang,
    Caller(client): Caller,
    CsrfForm { form: f, .. }: CsrfForm<Sso, StepForm<recovery::Start>>,
) -> Response {
    let return_to = safe_return(f.return_to.as_ref());
    match recovery::start(&sso, &f.step, &client).await {
        Ok(token) => with_cookies(
            see_other(&back_to("/sso/recover/code", &return_to)),
            [cookies::set(RECOVERY_COOKIE, &token, SameSite::Lax, Some(sessions::PENDING_MS / 1000))],
        ),
        Err(e) => refused(e, recover_form(lang, String::new(), &f.step, &return_to)),
    }
}

fn recover_code_form(lang: Lang, csrf: String, return_to: &str) -> FormPage {
    FormPage {
        fields: vec![
            field(lang, "code", P::Code, "text", "one-time-code"),
            field(lang, "password", P::NewPassword, "password", "new-password").hint(lang, P::PasswordHint),
            field(lang, "password_confirm", P::NewPasswordAgain, "password", "new-password"),
        ],
        ..FormPage::new(lang, P::NewPasswordTitle, "/sso/recover/code", csrf, P::ChangePassword)
    }
    .returning(return_to)
    .lead([say(lang, P::RecoverCodeLead), say(lang, P::RecoverNoCode)])
    .link(back_to("/sso/recover", return_to), P::StartAgain)
}

async fn recover_code_page(PageLang(lang): PageLang, headers: HeaderMap, q: Returning) -> Response {
    let (csrf, set) = CSRF.token_for(&headers);
    form_page(&headers, recover_code_form(lang, csrf, &q.return_to()), set)
}

async fn recover_code_submit(
    State(sso): State<Sso>,
    PageLang(lang): PageLang,
    Caller(client): Caller,
    headers: HeaderMap,
    CsrfForm { form: f, .. }: CsrfForm<Sso, StepForm<recovery::Finish>>,
) -> Response {
    let return_to = safe_return(f.return_to.as_ref());
    let token = cookies::get(&headers, RECOVERY_COOKIE).filter(|v| !v.is_empty());
    match recovery::finish(&sso, token.as_deref(), &f.step, &client).await {
        // Recovered: sign in with the new password, then on the way back.
        Ok(device) => with_cookies(
            see_other(&back_to("/sso/signin?done=recovered", &return_to)),
            [clear_session_cookie(), cookies::set(RECOVERY_COOKIE, "", SameSite::Lax, Some(0)), device_cookie(&device)],
        ),
        Err(e) => refused(e, recover_code_form(lang, String::new(), &return_to)),
    }
}
