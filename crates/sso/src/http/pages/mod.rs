//! The sign-on's pages, one file a journey: `home` (the account),
//! `register`, `signin` (the password, the code, and signing out),
//! `recovery`, `preferences`, `organisations` and `dev` (the development
//! SMS page). This file is what they share: the generic form page and its
//! fields (a date in three boxes among them), the way back a journey
//! carries from step to step (`return_to`, only to the sign-on's own
//! paths: see `respond::safe_return`), the link to the registry, the
//! message and error pages; `refused` answers a refused form with a
//! redirect back to its page and shows what it kept there; `part` plugs
//! the sign-on into the page kit (typed forms, the page's language).
//! Every word comes from the `texts` catalogue, in the page's language.
//! Pages render what a use case answers; they decide nothing themselves.

mod dev;
mod home;
mod organisations;
mod part;
mod preferences;
mod recovery;
mod refused;
mod register;
mod signin;

use std::collections::HashMap;

use askama::Template;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::{Form, Router};
use serde::Deserialize;
use texts::{Lang, Page, SignOnMessage as M, SignOnPage, Text};

use super::browser::{CSRF_COOKIE, signed_in};
use super::respond::{no_store, retry_after, safe_return, see_other, urlencode, with_cookies};
use crate::accounts::Account;
use crate::sessions::Session;
use crate::{Error, Sso};

pub(super) use part::PageLang;
pub(super) use signin::confirm_sign_out;

/// The routes of every journey; the development pages only when asked.
pub(super) fn routes(dev_pages: bool) -> Router<Sso> {
    let r = Router::new()
        .merge(home::routes())
        .merge(register::routes())
        .merge(signin::routes())
        .merge(recovery::routes())
        .merge(preferences::routes())
        .merge(organisations::routes());
    if dev_pages { r.merge(dev::routes()) } else { r }
}

/// A text of the catalogue in `lang`.
pub(super) fn say(lang: Lang, text: impl Text) -> String {
    text.render(lang)
}

/// The sign-on's name, for the layout (called from `base.html`).
pub(crate) fn service_name(lang: Lang) -> String {
    say(lang, Page::ServiceName { part: texts::Part::SignOn })
}

/// What a page's template says, in the page's language:
/// `{{ self.t(A::YourAccount) }}` (the template's module names the
/// catalogue enums it uses).
trait Says {
    fn lang(&self) -> Lang;

    fn t(&self, text: impl Text) -> String {
        text.render(self.lang())
    }

    /// An organisation's role, as the pages name it.
    fn role(&self, role: &domain::org::OrgRole) -> String {
        self.t(texts::SignOnAccount::RoleName { role: *role })
    }
}

/// One field of a generic form page: what the page kit's `input`,
/// `select` and `checkbox` components are called with (`kind` says which).
/// `hint` and `error` are empty when there is none.
#[derive(Default)]
pub struct Field {
    name: &'static str,
    label: String,
    kind: &'static str,
    value: String,
    hint: String,
    error: String,
    autocomplete: &'static str,
    inputmode: &'static str,
    options: Vec<(&'static str, String)>,
    /// The boxes of a date (`kind` "date"): day, month, year.
    boxes: Vec<DateBox>,
}

/// One box of a date typed in three (GOV.UK's date input): its name (also
/// its id), label, value, autofill hint and width (the digits it takes),
/// and whether an error marks it.
pub struct DateBox {
    name: &'static str,
    label: String,
    value: String,
    autocomplete: &'static str,
    digits: u8,
    marked: bool,
}

/// The names of the date of birth's boxes, as the forms send them.
const DATE_OF_BIRTH: [&str; 3] = ["date_of_birth_day", "date_of_birth_month", "date_of_birth_year"];

/// A date of birth in three boxes (day, month, year) holding `values`.
fn date_of_birth_field(lang: Lang, values: [&str; 3]) -> Field {
    let labels = [SignOnPage::DateDay, SignOnPage::DateMonth, SignOnPage::DateYear];
    let autocomplete = ["bday-day", "bday-month", "bday-year"];
    let boxes = (0..3)
        .map(|i| DateBox {
            name: DATE_OF_BIRTH[i],
            label: say(lang, labels[i].clone()),
            value: values[i].to_string(),
            autocomplete: autocomplete[i],
            digits: if i == 2 { 4 } else { 2 },
            marked: false,
        })
        .collect();
    Field { boxes, ..field(lang, "date_of_birth", SignOnPage::DateOfBirth, "date", "bday") }
        .hint(lang, SignOnPage::DateOfBirthHint)
}

fn field(
    lang: Lang,
    name: &'static str,
    label: SignOnPage<'_>,
    kind: &'static str,
    autocomplete: &'static str,
) -> Field {
    // A code is digits: a phone shows its number pad.
    let inputmode = if kind == "text" && name == "code" { "numeric" } else { "" };
    Field { name, label: say(lang, label), kind, autocomplete, inputmode, ..Default::default() }
}

impl Field {
    fn value(mut self, v: impl Into<String>) -> Self {
        self.value = v.into();
        self
    }
    fn hint(mut self, lang: Lang, h: SignOnPage<'_>) -> Self {
        self.hint = say(lang, h);
        self
    }
    fn options(mut self, o: Vec<(&'static str, String)>) -> Self {
        self.options = o;
        self
    }
}

#[derive(Template)]
#[template(path = "form.html")]
struct FormTemplate {
    lang: Lang,
    page: FormPage,
}

/// A page with one form, its notice, its errors and its links.
#[derive(Default)]
pub struct FormPage {
    lang: Lang,
    title: String,
    lead: Vec<String>,
    notice: String,
    action: String,
    csrf: String,
    hidden: Vec<(&'static str, String)>,
    fields: Vec<Field>,
    submit: String,
    /// The summary's lines: (the id it links to, message).
    errors: Vec<(String, String)>,
    /// The way out of a refusal: (id, address, text) of the recovery link.
    recover: Option<(String, String, String)>,
    links: Vec<(String, String)>,
    buttons: Vec<(&'static str, String)>,
}

impl FormPage {
    /// A form page in `lang` titled `title`, posting to `action`.
    fn new(lang: Lang, title: SignOnPage<'_>, action: &str, csrf: String, submit: SignOnPage<'_>) -> Self {
        Self {
            lang,
            title: say(lang, title),
            action: action.into(),
            csrf,
            submit: say(lang, submit),
            ..Default::default()
        }
    }

    fn lead(mut self, texts: impl IntoIterator<Item = String>) -> Self {
        self.lead.extend(texts);
        self
    }

    fn link(mut self, to: impl Into<String>, text: SignOnPage<'_>) -> Self {
        self.links.push((to.into(), say(self.lang, text)));
        self
    }

    /// Carry the way back (`return_to`) in the form, to its next step.
    fn returning(mut self, return_to: &str) -> Self {
        self.hidden.push(("return_to", return_to.to_string()));
        self
    }

    /// The way back this form carries, or the account.
    fn return_to(&self) -> &str {
        self.hidden.iter().find(|(k, _)| *k == "return_to").map_or(DEFAULT_RETURN, |(_, v)| v.as_str())
    }
}

/// Where a journey ends when it was not started elsewhere: the account.
pub(super) const DEFAULT_RETURN: &str = "/sso/";

/// `path` with the way back to carry on (none when it is the account).
pub(super) fn back_to(path: &str, return_to: &str) -> String {
    if return_to == DEFAULT_RETURN {
        return path.to_string();
    }
    let join = if path.contains('?') { '&' } else { '?' };
    format!("{path}{join}return_to={}", urlencode(return_to))
}

/// What a journey's page is asked in its query, as a handler's argument:
/// the way back to carry (`?return_to=`, made safe when read) and the
/// notice of what was just done (`?done=`). Read leniently, as a browser
/// sends it: a repeated name counts once, the last.
#[derive(Debug, Default)]
struct Returning {
    return_to: Option<String>,
    done: Option<String>,
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Returning {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        let mut r = Self::default();
        for (k, v) in url::form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes()) {
            match &*k {
                "return_to" => r.return_to = Some(v.into_owned()),
                "done" => r.done = Some(v.into_owned()),
                _ => {}
            }
        }
        Ok(r)
    }
}

impl Returning {
    fn return_to(&self) -> String {
        safe_return(self.return_to.as_ref())
    }
}

/// The vehicle registry's home page, which the sign-on's pages link back
/// to, as configured.
fn registry_link(sso: &Sso, lang: Lang) -> Option<(String, String)> {
    sso.config().registry_url.clone().map(|url| (url, say(lang, SignOnPage::GoToRegistry)))
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessageTemplate {
    lang: Lang,
    title: String,
    paragraphs: Vec<String>,
    links: Vec<(&'static str, String)>,
}

fn render<T: Template>(status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(body) => (status, Html(body)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            // The last resort, when the page itself cannot be drawn: the
            // template knew the page's language, this does not.
            (StatusCode::INTERNAL_SERVER_ERROR, say(Lang::En, Page::SomethingWentWrongTitle)).into_response()
        }
    }
}

/// A page that says something: a title, paragraphs and links, in `lang`.
pub(super) fn message(
    lang: Lang,
    status: StatusCode,
    title: impl Text,
    paragraphs: Vec<String>,
    links: Vec<(&'static str, String)>,
) -> Response {
    render(status, &MessageTemplate { lang, title: say(lang, title), paragraphs, links })
}

pub(super) fn form(status: StatusCode, page: FormPage, set_csrf: Option<HeaderValue>) -> Response {
    no_store(with_cookies(render(status, &FormTemplate { lang: page.lang, page }), set_csrf))
}

/// A page for errors that are not about a form's fields.
pub(super) fn error_page(lang: Lang, err: &Error) -> Response {
    let account = || vec![("/sso/", say(lang, Page::GoToAccount))];
    match err {
        Error::NotFound => {
            message(lang, StatusCode::NOT_FOUND, M::PageNotFound, vec![say(lang, Page::NothingHere)], account())
        }
        Error::Forbidden => message(
            lang,
            StatusCode::FORBIDDEN,
            Page::YouCannotDoThat,
            vec![say(lang, Page::AccountDoesNotAllow)],
            account(),
        ),
        Error::Register(e) => {
            tracing::warn!(error = %e, "register unavailable");
            let why = vec![say(lang, Page::RegisterNotAnswering)];
            message(lang, StatusCode::SERVICE_UNAVAILABLE, Page::ServiceUnavailableTitle, why, vec![])
        }
        Error::Invalid(_) | Error::Refused(_) | Error::Blocked => {
            message(lang, StatusCode::UNPROCESSABLE_ENTITY, Page::ErrorSummaryTitle, vec![err_text(err)], account())
        }
        Error::TooMany { retry_after_secs, .. } => retry_after(
            message(lang, StatusCode::TOO_MANY_REQUESTS, M::PleaseWait, vec![err_text(err)], account()),
            *retry_after_secs,
        ),
        Error::Busy { retry_after_secs } => retry_after(
            message(lang, StatusCode::SERVICE_UNAVAILABLE, Page::ServiceVeryBusy, vec![err_text(err)], vec![]),
            *retry_after_secs,
        ),
        Error::Db(_) | Error::Internal(_) => {
            tracing::error!(error = %err, "request failed");
            let why = vec![say(lang, Page::NothingChanged)];
            message(lang, StatusCode::INTERNAL_SERVER_ERROR, M::ServiceProblem, why, vec![])
        }
    }
}

fn err_text(err: &Error) -> String {
    match err {
        Error::Invalid(fe) => fe.0.iter().map(|(_, m)| m.as_str()).collect::<Vec<_>>().join("; "),
        other => other.to_string(),
    }
}

/// The page answering a form whose CSRF token was missing or not the
/// browser's, saying why when the browser sent no cookie back.
pub(super) fn csrf_refused(sso: &Sso, lang: Lang, headers: &HeaderMap) -> Response {
    let mut lines = vec![say(lang, M::FormNotAccepted)];
    if cookies::get(headers, CSRF_COOKIE).is_none() {
        lines.push(say(lang, Page::CookieMissing));
        // A script signing in over plain http in development most often
        // meets this: say why rather than fail in silence.
        if sso.config().dev_pages {
            lines.push(say(lang, M::DevCookies));
        }
    }
    let again = vec![("/sso/", say(lang, SignOnPage::StartAgain))];
    message(lang, StatusCode::FORBIDDEN, Page::FormExpiredTitle, lines, again)
}

/// The page answering a body that cannot be read as the form it was sent to.
fn unreadable_form(lang: Lang, status: StatusCode) -> Response {
    let again = vec![("/sso/", say(lang, SignOnPage::StartAgain))];
    message(lang, status, M::FormUnreadableTitle, vec![say(lang, M::SendFormFromPage)], again)
}

/// A relying party's form (an authorization or sign-out request sent as a
/// POST): its parameters as they came, the protocol checking them. A body
/// that cannot be read as a form gets a page saying so.
pub struct Fields(pub HashMap<String, String>);

impl<S: Send + Sync> axum::extract::FromRequest<S> for Fields {
    type Rejection = Response;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let lang = part::lang_of(req.headers());
        match Form::<HashMap<String, String>>::from_request(req, state).await {
            Ok(Form(m)) => Ok(Self(m)),
            Err(e) => Err(unreadable_form(lang, e.status())),
        }
    }
}

/// The "You are a" choices.
fn account_type_options(lang: Lang) -> Vec<(&'static str, String)> {
    domain::AccountType::ALL
        .iter()
        .map(|&account_type| (account_type.as_str(), say(lang, SignOnPage::AccountTypeChoice { account_type })))
        .collect()
}

#[derive(Deserialize)]
struct Notice {
    done: Option<String>,
}

/// The notice of what was just done, named by the `done` of a redirect.
fn notice_text(lang: Lang, code: Option<&str>) -> String {
    match code {
        Some("signed-in") => say(lang, Page::SignedIn),
        Some("prefs") => say(lang, Page::PreferencesSaved),
        Some("org-added") => say(lang, Page::OrgAdded),
        Some("org-requested") => say(lang, M::OrgRequested),
        Some("member") => say(lang, M::MemberSaved),
        Some("recovered") => say(lang, M::PasswordChanged),
        Some("signed-out") => say(lang, M::SignedOut),
        Some("registered") => say(lang, M::AccountCreated),
        Some("code-sent") => say(lang, M::CodeResent),
        _ => String::new(),
    }
}

/// The signed-in person, or the answer that sends them to sign in first
/// (and back to `back`), or tells what failed.
async fn signed_in_or_redirect(
    sso: &Sso,
    lang: Lang,
    headers: &HeaderMap,
    back: &str,
) -> Result<(Session, Account), Response> {
    match signed_in(sso, headers).await {
        Ok(Some(v)) => Ok(v),
        Ok(None) => Err(see_other(&format!("/sso/signin?return_to={}", urlencode(back)))),
        Err(e) => Err(error_page(lang, &e)),
    }
}
