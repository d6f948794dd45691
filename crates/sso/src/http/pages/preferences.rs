//! The account's preferences: SMS alerts on or off. It decides nothing.

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use pagekit::SignedForm;
use serde::Deserialize;
use texts::{Lang, SignOnPage as P};

use super::refused::{form_page, refused};
use super::{FormPage, PageLang, field, say, signed_in_or_redirect};
use crate::Sso;
use crate::accounts;
use crate::http::browser::CSRF;
use crate::http::respond::see_other;

pub(super) fn routes() -> Router<Sso> {
    Router::new().route("/sso/preferences", get(prefs_page).post(prefs_submit))
}

/// The preferences as sent: a checkbox is sent only when ticked.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PrefsForm {
    sms_alerts: Option<String>,
}

fn prefs_form(lang: Lang, csrf: String, on: bool) -> FormPage {
    FormPage {
        fields: vec![field(lang, "sms_alerts", P::SmsAlertsOptIn, "checkbox", "off").value(if on { "on" } else { "" })],
        ..FormPage::new(lang, P::SmsAlertsTitle, "/sso/preferences", csrf, P::Save)
    }
    .lead([say(lang, P::SmsAlertsLead)])
    .link("/sso/", P::BackToAccount)
}

async fn prefs_page(State(sso): State<Sso>, PageLang(lang): PageLang, headers: HeaderMap) -> Response {
    let (_, a) = match signed_in_or_redirect(&sso, lang, &headers, "/sso/preferences").await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let (csrf, set) = CSRF.token_for(&headers);
    form_page(&headers, prefs_form(lang, csrf, a.sms_alerts), set)
}

async fn prefs_submit(
    State(sso): State<Sso>,
    PageLang(lang): PageLang,
    SignedForm { session: (_, a), form: f }: SignedForm<Sso, PrefsForm>,
) -> Response {
    match accounts::set_sms_alerts(&sso, &a.id, f.sms_alerts.is_some()).await {
        Ok(()) => see_other("/sso/?done=prefs"),
        Err(e) => refused(e, prefs_form(lang, String::new(), f.sms_alerts.is_some())),
    }
}
