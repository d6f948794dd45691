//! Creating an account: the form, and its submission to
//! `accounts::register`, which sends a code to the phone. The rules are the
//! use case's; these pages decide nothing.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use pagekit::CsrfForm;
use texts::{Lang, SignOnPage as P};

use super::{FormPage, PageLang, account_type_options, checked_csrf, field, form, form_or_error, say};
use crate::Sso;
use crate::accounts::{self, Registration};
use crate::http::browser::{CSRF, session_cookie};
use crate::http::caller::Caller;
use crate::http::respond::{see_other, with_cookies};

pub(super) fn routes() -> Router<Sso> {
    Router::new().route("/sso/register", get(register_page).post(register_submit))
}

fn register_form(lang: Lang, csrf: String, r: &Registration) -> FormPage {
    let account_type = if r.account_type.is_empty() { "citizen".to_string() } else { r.account_type.clone() };
    FormPage {
        fields: vec![
            field(lang, "account_type", P::YouAreA, "select", "off")
                .options(account_type_options(lang))
                .value(account_type),
            field(lang, "id_number", P::IdOrPassport, "text", "off").value(&r.id_number).hint(lang, P::IdNumberHint),
            field(lang, "date_of_birth", P::DateOfBirth, "text", "bday")
                .value(&r.date_of_birth)
                .hint(lang, P::DateOfBirthHint),
            field(lang, "phone", P::MobileNumber, "tel", "tel").value(&r.phone).hint(lang, P::MobileNumberHint),
            field(lang, "email", P::EmailOptional, "email", "email").value(&r.email),
            field(lang, "password", P::Password, "password", "new-password").hint(lang, P::PasswordHint),
            field(lang, "password_confirm", P::PasswordAgain, "password", "new-password"),
            field(lang, "sms_alerts", P::SmsAlertsOptIn, "checkbox", "off")
                .value(if r.sms_alerts.is_some() || r.account_type.is_empty() { "on" } else { "" }),
        ],
        ..FormPage::new(lang, P::CreateAnAccount, "/sso/register", csrf, P::CreateAccount)
    }
    .lead([say(lang, P::RegisterLead)])
    .link("/sso/signin", P::HaveAccount)
}

async fn register_page(PageLang(lang): PageLang, headers: HeaderMap) -> Response {
    let (csrf, set) = CSRF.token_for(&headers);
    form(StatusCode::OK, register_form(lang, csrf, &Registration::default()), set)
}

async fn register_submit(
    State(sso): State<Sso>,
    PageLang(lang): PageLang,
    Caller(client): Caller,
    headers: HeaderMap,
    CsrfForm { form: r, .. }: CsrfForm<Sso, Registration>,
) -> Response {
    match accounts::register(&sso, &r, &client).await {
        Ok(token) => with_cookies(see_other("/sso/signin/code"), [session_cookie(&token)]),
        Err(e) => form_or_error(e, register_form(lang, checked_csrf(&headers), &r)),
    }
}
