//! Creating an account: the form, and its submission to
//! `accounts::register`, which sends a code to the phone; the way back
//! (`return_to`) is carried on to the code and, after it, followed. The
//! rules are the use case's; these pages decide nothing.

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use pagekit::CsrfForm;
use serde::Deserialize;
use texts::{Lang, SignOnPage as P};

use super::refused::{form_page, refused};
use super::{FormPage, PageLang, Returning, account_type_options, back_to, date_of_birth_field, field, say};
use crate::Sso;
use crate::accounts::{self, Registration};
use crate::http::browser::{CSRF, session_cookie};
use crate::http::caller::Caller;
use crate::http::respond::{safe_return, see_other, with_cookies};

pub(super) fn routes() -> Router<Sso> {
    Router::new().route("/sso/register", get(register_page).post(register_submit))
}

/// The registration form as sent: the use case's fields and the way back.
#[derive(Debug, Deserialize)]
struct RegisterForm {
    #[serde(flatten)]
    registration: Registration,
    #[serde(default)]
    return_to: Option<String>,
}

fn register_form(lang: Lang, csrf: String, r: &Registration, return_to: &str) -> FormPage {
    let account_type = if r.account_type.is_empty() { "citizen".to_string() } else { r.account_type.clone() };
    let born = [r.date_of_birth_day.as_str(), &r.date_of_birth_month, &r.date_of_birth_year];
    FormPage {
        fields: vec![
            field(lang, "account_type", P::YouAreA, "select", "off")
                .options(account_type_options(lang))
                .value(account_type),
            field(lang, "id_number", P::IdOrPassport, "text", "off").value(&r.id_number).hint(lang, P::IdNumberHint),
            date_of_birth_field(lang, born),
            field(lang, "phone", P::MobileNumber, "tel", "tel").value(&r.phone).hint(lang, P::MobileNumberHint),
            field(lang, "email", P::EmailOptional, "email", "email").value(&r.email),
            field(lang, "password", P::Password, "password", "new-password").hint(lang, P::PasswordHint),
            field(lang, "password_confirm", P::PasswordAgain, "password", "new-password"),
            field(lang, "sms_alerts", P::SmsAlertsOptIn, "checkbox", "off")
                .value(if r.sms_alerts.is_some() || r.account_type.is_empty() { "on" } else { "" }),
        ],
        ..FormPage::new(lang, P::CreateAnAccount, "/sso/register", csrf, P::CreateAccount)
    }
    .returning(return_to)
    .lead([say(lang, P::RegisterLead)])
    .link(back_to("/sso/signin", return_to), P::HaveAccount)
}

async fn register_page(PageLang(lang): PageLang, headers: HeaderMap, q: Returning) -> Response {
    let (csrf, set) = CSRF.token_for(&headers);
    form_page(&headers, register_form(lang, csrf, &Registration::default(), &q.return_to()), set)
}

async fn register_submit(
    State(sso): State<Sso>,
    PageLang(lang): PageLang,
    Caller(client): Caller,
    CsrfForm { form: f, .. }: CsrfForm<Sso, RegisterForm>,
) -> Response {
    let return_to = safe_return(f.return_to.as_ref());
    let r = f.registration;
    match accounts::register(&sso, &r, &client).await {
        Ok(token) => with_cookies(see_other(&back_to("/sso/signin/code", &return_to)), [session_cookie(&token)]),
        Err(e) => refused(e, register_form(lang, String::new(), &r, &return_to)),
    }
}
