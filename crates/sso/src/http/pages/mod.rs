//! The sign-on's pages, one file a journey: `home` (the account),
//! `register`, `signin` (the password, the code, and signing out),
//! `recovery`, `preferences`, `organisations` and `dev` (the development
//! SMS page). This file is their kit: fields and forms, the message and
//! error pages, the CSRF refusal and the form extractor. Pages render what
//! a use case answers; they decide nothing themselves.

mod dev;
mod home;
mod organisations;
mod preferences;
mod recovery;
mod register;
mod signin;

use std::collections::HashMap;

use askama::Template;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::{Form, Router};
use serde::Deserialize;

use super::browser::{CSRF_COOKIE, signed_in};
use super::respond::{no_store, retry_after, see_other, urlencode, with_cookies};
use crate::accounts::Account;
use crate::sessions::Session;
use crate::{Error, Sso};

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

#[derive(Default)]
pub struct Field {
    name: &'static str,
    label: &'static str,
    kind: &'static str,
    value: String,
    hint: Option<String>,
    error: Option<String>,
    autocomplete: &'static str,
    options: Vec<(&'static str, &'static str)>,
}

fn field(name: &'static str, label: &'static str, kind: &'static str, autocomplete: &'static str) -> Field {
    Field { name, label, kind, autocomplete, ..Default::default() }
}

impl Field {
    fn value(mut self, v: impl Into<String>) -> Self {
        self.value = v.into();
        self
    }
    fn hint(mut self, h: impl Into<String>) -> Self {
        self.hint = Some(h.into());
        self
    }
    fn options(mut self, o: Vec<(&'static str, &'static str)>) -> Self {
        self.options = o;
        self
    }
}

#[derive(Template)]
#[template(path = "form.html")]
struct FormTemplate {
    page: FormPage,
}

#[derive(Default)]
pub struct FormPage {
    title: &'static str,
    lead: Vec<String>,
    notice: Option<String>,
    action: String,
    csrf: String,
    hidden: Vec<(&'static str, String)>,
    fields: Vec<Field>,
    submit: &'static str,
    errors: Vec<(&'static str, String)>,
    links: Vec<(&'static str, &'static str)>,
    buttons: Vec<(&'static str, &'static str)>,
}

impl FormPage {
    /// Attach errors to their fields and to the summary.
    fn with_error(mut self, err: &Error) -> Self {
        match err {
            Error::Invalid(fe) => {
                for (name, msg) in &fe.0 {
                    if let Some(f) = self.fields.iter_mut().find(|f| f.name == *name) {
                        f.error.get_or_insert_with(|| msg.clone());
                    }
                    self.errors.push((name, msg.clone()));
                }
            }
            Error::Refused(msg) | Error::TooMany { message: msg, .. } => self.errors.push(("", msg.clone())),
            Error::Blocked => {
                self.errors.push(("", crate::error::blocked_message()));
                self.links.insert(0, ("/sso/recover", "Recover your account now"));
            }
            _ => {}
        }
        self
    }
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessageTemplate {
    title: String,
    paragraphs: Vec<String>,
    links: Vec<(&'static str, &'static str)>,
}

fn render<T: Template>(status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(body) => (status, Html(body)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong").into_response()
        }
    }
}

pub(super) fn message(
    status: StatusCode,
    title: &str,
    paragraphs: Vec<String>,
    links: Vec<(&'static str, &'static str)>,
) -> Response {
    render(status, &MessageTemplate { title: title.to_string(), paragraphs, links })
}

pub(super) fn form(status: StatusCode, page: FormPage, set_csrf: Option<HeaderValue>) -> Response {
    no_store(with_cookies(render(status, &FormTemplate { page }), set_csrf))
}

/// A page for errors that are not about a form's fields.
pub(super) fn error_page(err: &Error) -> Response {
    match err {
        Error::NotFound => message(
            StatusCode::NOT_FOUND,
            "Page not found",
            vec!["There is nothing here, or it is not yours to see.".into()],
            vec![("/sso/", "Go to your account")],
        ),
        Error::Forbidden => message(
            StatusCode::FORBIDDEN,
            "You cannot do that",
            vec!["Your account does not allow this.".into()],
            vec![("/sso/", "Go to your account")],
        ),
        Error::Register(e) => {
            tracing::warn!(error = %e, "register unavailable");
            message(
                StatusCode::SERVICE_UNAVAILABLE,
                "Service unavailable",
                vec![
                    "A register we check against is not answering. Try again in a few minutes; nothing was changed."
                        .into(),
                ],
                vec![],
            )
        }
        Error::Invalid(_) | Error::Refused(_) | Error::Blocked => message(
            StatusCode::UNPROCESSABLE_ENTITY,
            "There is a problem",
            vec![err_text(err)],
            vec![("/sso/", "Go to your account")],
        ),
        Error::TooMany { retry_after_secs, .. } => retry_after(
            message(
                StatusCode::TOO_MANY_REQUESTS,
                "Please wait",
                vec![err_text(err)],
                vec![("/sso/", "Go to your account")],
            ),
            *retry_after_secs,
        ),
        Error::Busy { retry_after_secs } => retry_after(
            message(StatusCode::SERVICE_UNAVAILABLE, "The service is very busy", vec![err_text(err)], vec![]),
            *retry_after_secs,
        ),
        Error::Db(_) | Error::Internal(_) => {
            tracing::error!(error = %err, "request failed");
            message(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Sorry, there is a problem with the service",
                vec!["Nothing was changed. Try again later.".into()],
                vec![],
            )
        }
    }
}

fn err_text(err: &Error) -> String {
    match err {
        Error::Invalid(fe) => fe.0.iter().map(|(_, m)| m.as_str()).collect::<Vec<_>>().join("; "),
        other => other.to_string(),
    }
}

/// Re-render a form with the error when it is about the input (or the
/// pace of requests); otherwise an error page.
fn form_or_error(err: Error, page: FormPage) -> Response {
    match err {
        Error::Invalid(_) | Error::Refused(_) | Error::Blocked => {
            form(StatusCode::UNPROCESSABLE_ENTITY, page.with_error(&err), None)
        }
        Error::TooMany { retry_after_secs, .. } => {
            retry_after(form(StatusCode::TOO_MANY_REQUESTS, page.with_error(&err), None), retry_after_secs)
        }
        other => error_page(&other),
    }
}

pub(super) fn csrf_refused(sso: &Sso, headers: &HeaderMap) -> Response {
    let mut lines =
        vec!["For your safety the form could not be accepted. Go back, reload the page and try again.".into()];
    if cookies::get(headers, CSRF_COOKIE).is_none() {
        lines.push("Your browser did not send back this site's cookie: allow cookies for this site.".into());
        // A script signing in over plain http in development most often
        // meets this: say why rather than fail in silence.
        if sso.config().dev_pages {
            lines.push(
                "Development: a program must keep the cookies it is given and send them back. They are Secure \
                 cookies, which Python's requests (http.cookiejar) sends only over https, whatever the host; \
                 browsers and curl send them to http://localhost too. For the API, use an access token instead \
                 (tims dev token, or the authorization code flow): see \"Calling the API from your own program\" \
                 in the README."
                    .into(),
            );
        }
    }
    message(StatusCode::FORBIDDEN, "The form has expired", lines, vec![("/sso/", "Start again")])
}

type FormData = Form<HashMap<String, String>>;

/// A submitted form's fields. A body that cannot be read as a form gets a
/// page saying so, never a bare text error.
pub struct Fields(pub HashMap<String, String>);

impl<S: Send + Sync> axum::extract::FromRequest<S> for Fields {
    type Rejection = Response;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match FormData::from_request(req, state).await {
            Ok(Form(m)) => Ok(Self(m)),
            Err(e) => Err(message(
                e.status(),
                "The form could not be read",
                vec!["Send the form from its page, filled in as asked.".into()],
                vec![("/sso/", "Start again")],
            )),
        }
    }
}

fn get_str(form: &HashMap<String, String>, k: &str) -> String {
    form.get(k).cloned().unwrap_or_default()
}

fn account_type_options() -> Vec<(&'static str, &'static str)> {
    vec![
        ("citizen", "Kenyan citizen (national ID)"),
        ("resident", "Foreign resident (alien ID)"),
        ("foreigner", "Visitor (passport)"),
    ]
}

#[derive(Deserialize)]
struct Notice {
    done: Option<String>,
}

fn notice_text(code: Option<&str>) -> Option<String> {
    Some(
        match code? {
            "signed-in" => "You are signed in.",
            "prefs" => "Your preferences are saved.",
            "org-added" => "The organisation is on your account.",
            "org-requested" => "Your request was sent to the organisation's administrators.",
            "member" => "The change is saved and the person was told by SMS.",
            "recovered" => "Your password was changed. Sign in with the new password.",
            "signed-out" => "You are signed out.",
            _ => return None,
        }
        .to_string(),
    )
}

const PASSWORD_HINT: &str = "At least 10 characters. Three or four unrelated words are easy to remember and hard to guess; do not use your name, ID number, phone number or a common password";

/// The signed-in person, or the answer that sends them to sign in first
/// (and back to `back`), or tells what failed.
async fn signed_in_or_redirect(sso: &Sso, headers: &HeaderMap, back: &str) -> Result<(Session, Account), Response> {
    match signed_in(sso, headers).await {
        Ok(Some(v)) => Ok(v),
        Ok(None) => Err(see_other(&format!("/sso/signin?return_to={}", urlencode(back)))),
        Err(e) => Err(error_page(&e)),
    }
}
