//! Recovering an account: the details that send a code, then the code and
//! a new password (`accounts::recovery`). The rules are the use case's;
//! these pages decide nothing.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use cookies::SameSite;
use pagekit::CsrfForm;
use texts::{Lang, SignOnPage as P};

use super::{FormPage, PageLang, account_type_options, checked_csrf, field, form, form_or_error, say};
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

fn recover_form(lang: Lang, csrf: String, f: &recovery::Start) -> FormPage {
    let account_type = if f.account_type.is_empty() { "citizen".to_string() } else { f.account_type.clone() };
    FormPage {
        fields: vec![
            field(lang, "account_type", P::YouAreA, "select", "off")
                .options(account_type_options(lang))
                .value(account_type),
            field(lang, "id_number", P::IdOrPassport, "text", "username").value(&f.id_number),
            field(lang, "date_of_birth", P::DateOfBirth, "text", "bday")
                .value(&f.date_of_birth)
                .hint(lang, P::DateOfBirthHint),
        ],
        ..FormPage::new(lang, P::RecoverTitle, "/sso/recover", csrf, P::SendACode)
    }
    .lead([say(lang, P::RecoverLead)])
    .link("/sso/signin", P::BackToSignIn)
}

async fn recover_page(PageLang(lang): PageLang, headers: HeaderMap) -> Response {
    let (csrf, set) = CSRF.token_for(&headers);
    form(StatusCode::OK, recover_form(lang, csrf, &recovery::Start::default()), set)
}

async fn recover_submit(
    State(sso): State<Sso>,
    PageLang(lang): PageLang,
    Caller(client): Caller,
    headers: HeaderMap,
    CsrfForm { form: start, .. }: CsrfForm<Sso, recovery::Start>,
) -> Response {
    match recovery::start(&sso, &start, &client).await {
        Ok(token) => with_cookies(
            see_other("/sso/recover/code"),
            [cookies::set(RECOVERY_COOKIE, &token, SameSite::Lax, Some(sessions::PENDING_MS / 1000))],
        ),
        Err(e) => form_or_error(e, recover_form(lang, checked_csrf(&headers), &start)),
    }
}

fn recover_code_form(lang: Lang, csrf: String) -> FormPage {
    FormPage {
        fields: vec![
            field(lang, "code", P::Code, "text", "one-time-code"),
            field(lang, "password", P::NewPassword, "password", "new-password").hint(lang, P::PasswordHint),
            field(lang, "password_confirm", P::NewPasswordAgain, "password", "new-password"),
        ],
        ..FormPage::new(lang, P::NewPasswordTitle, "/sso/recover/code", csrf, P::ChangePassword)
    }
    .lead([say(lang, P::RecoverCodeLead), say(lang, P::RecoverNoCode)])
    .link("/sso/recover", P::StartAgain)
}

async fn recover_code_page(PageLang(lang): PageLang, headers: HeaderMap) -> Response {
    let (csrf, set) = CSRF.token_for(&headers);
    form(StatusCode::OK, recover_code_form(lang, csrf), set)
}

async fn recover_code_submit(
    State(sso): State<Sso>,
    PageLang(lang): PageLang,
    Caller(client): Caller,
    headers: HeaderMap,
    CsrfForm { form: finish, .. }: CsrfForm<Sso, recovery::Finish>,
) -> Response {
    let token = cookies::get(&headers, RECOVERY_COOKIE).filter(|v| !v.is_empty());
    match recovery::finish(&sso, token.as_deref(), &finish, &client).await {
        Ok(device) => with_cookies(
            see_other("/sso/signin?done=recovered"),
            [clear_session_cookie(), cookies::set(RECOVERY_COOKIE, "", SameSite::Lax, Some(0)), device_cookie(&device)],
        ),
        Err(e) => form_or_error(e, recover_code_form(lang, checked_csrf(&headers))),
    }
}
