//! The sign-on's HTTP face: plain server-rendered pages for people and the
//! OpenID Connect endpoints for relying parties. Handlers parse, call one
//! use case and render.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use base64::Engine;
use cookies::SameSite;
use serde::Deserialize;
use serde_json::json;

use crate::accounts::recovery;
use crate::accounts::{self, Account, Client, Registration, SignIn};
use crate::oidc::{self, Authorize, AuthorizeParams, LogoutParams, TokenError};
use crate::sessions::{self, Session, Stage};
use crate::{Error, Sso, orgs};

pub const SESSION_COOKIE: &str = "__Host-tims_session";
pub const CSRF_COOKIE: &str = "__Host-tims_csrf";
/// Marks a browser the account has signed in from (see `devices`).
pub const DEVICE_COOKIE: &str = "__Host-tims_device";
/// The recovery under way in this browser (see `recovery`).
pub const RECOVERY_COOKIE: &str = "__Host-tims_recovery";
const DEVICE_COOKIE_AGE_SECS: i64 = crate::accounts::devices::KEEP_MS / 1000;
/// The double-submit check of every form (see the `cookies` crate).
const CSRF: cookies::Csrf = cookies::Csrf { cookie: CSRF_COOKIE };

pub fn router(sso: Sso) -> Router {
    let mut r = Router::new()
        .route("/sso/.well-known/openid-configuration", get(discovery))
        .route("/sso/jwks", get(jwks))
        .route("/sso/authorize", get(authorize).post(authorize_post))
        .route("/sso/token", post(token))
        .route("/sso/revoke", post(revoke))
        .route("/sso/userinfo", get(userinfo).post(userinfo))
        .route("/sso/logout", get(logout).post(logout_post))
        .route("/sso", get(home))
        .route("/sso/", get(home))
        .route("/sso/register", get(register_page).post(register_submit))
        .route("/sso/signin", get(signin_page).post(signin_submit))
        .route("/sso/signin/code", get(code_page).post(code_submit))
        .route("/sso/signin/code/resend", post(code_resend))
        .route("/sso/recover", get(recover_page).post(recover_submit))
        .route("/sso/recover/code", get(recover_code_page).post(recover_code_submit))
        .route("/sso/signout", post(signout))
        .route("/sso/preferences", get(prefs_page).post(prefs_submit))
        .route("/sso/organisations", get(orgs_page).post(orgs_submit))
        .route("/sso/organisations/{pin}", get(org_page))
        .route("/sso/organisations/{pin}/members/{member}", post(org_decide));
    if sso.config().dev_pages {
        r = r.route("/sso/dev/sms", get(dev_sms)).route("/sso/dev/sms.json", get(dev_sms_json));
    }
    r.with_state(sso)
}

// ---- cookies, CSRF, sessions -------------------------------------------------

fn session_cookie(token: &str) -> HeaderValue {
    cookies::set(SESSION_COOKIE, token, SameSite::Lax, None)
}

fn clear_session_cookie() -> HeaderValue {
    cookies::set(SESSION_COOKIE, "", SameSite::Lax, Some(0))
}

fn device_cookie(token: &str) -> HeaderValue {
    cookies::set(DEVICE_COOKIE, token, SameSite::Lax, Some(DEVICE_COOKIE_AGE_SECS))
}

/// Who is asking: the source address and the known-browser cookie. The
/// address is the connection's peer, or, behind a proxy the operator
/// names (`client_ip_header`), the last address that proxy appended.
pub struct Caller(pub Client);

impl axum::extract::FromRequestParts<Sso> for Caller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, sso: &Sso) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map_or(std::net::IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
        let forwarded = sso
            .config()
            .client_ip_header
            .as_deref()
            .and_then(|h| parts.headers.get(h))
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse().ok());
        let device = cookies::get(&parts.headers, DEVICE_COOKIE).filter(|v| !v.is_empty());
        Ok(Self(Client { source: forwarded.unwrap_or(peer), device }))
    }
}

async fn current_session(sso: &Sso, headers: &HeaderMap) -> Result<Option<Session>, Error> {
    match cookies::get(headers, SESSION_COOKIE).filter(|v| !v.is_empty()) {
        Some(token) => sessions::find(sso, &token).await,
        None => Ok(None),
    }
}

async fn signed_in(sso: &Sso, headers: &HeaderMap) -> Result<Option<(Session, Account)>, Error> {
    match current_session(sso, headers).await? {
        Some(s) if s.stage == Stage::Active => {
            let a = accounts::get(sso, &s.account_id).await?;
            Ok((!a.blocked).then_some((s, a)))
        }
        _ => Ok(None),
    }
}

/// Only paths inside the sign-on are followed after sign-in.
fn safe_return(raw: Option<&String>) -> String {
    match raw {
        Some(r)
            if r.starts_with("/sso/") && !r.contains("//") && r.bytes().all(|b| b.is_ascii_graphic() && b != b'\\') =>
        {
            r.clone()
        }
        _ => "/sso/".to_string(),
    }
}

fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

fn with_cookies(mut resp: Response, cookies: impl IntoIterator<Item = HeaderValue>) -> Response {
    for c in cookies {
        resp.headers_mut().append(header::SET_COOKIE, c);
    }
    resp
}

fn no_store(mut resp: Response) -> Response {
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

// ---- pages ---------------------------------------------------------------------

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

fn message(
    status: StatusCode,
    title: &str,
    paragraphs: Vec<String>,
    links: Vec<(&'static str, &'static str)>,
) -> Response {
    render(status, &MessageTemplate { title: title.to_string(), paragraphs, links })
}

fn form(status: StatusCode, page: FormPage, set_csrf: Option<HeaderValue>) -> Response {
    no_store(with_cookies(render(status, &FormTemplate { page }), set_csrf))
}

/// A page for errors that are not about a form's fields.
fn error_page(err: &Error) -> Response {
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

fn retry_after(mut resp: Response, secs: u64) -> Response {
    resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
    resp
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

fn csrf_refused(sso: &Sso, headers: &HeaderMap) -> Response {
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

// ---- home, register, sign in ---------------------------------------------------

#[derive(Template)]
#[template(path = "account.html")]
struct AccountTemplate {
    account: Account,
    orgs: Vec<orgs::Membership>,
    csrf: String,
    notice: Option<String>,
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

async fn home(State(sso): State<Sso>, headers: HeaderMap, Query(q): Query<Notice>) -> Response {
    match signed_in(&sso, &headers).await {
        Ok(Some((_, account))) => {
            let orgs = match orgs::of_account(&sso, &account.id).await {
                Ok(o) => o,
                Err(e) => return error_page(&e),
            };
            let (csrf, set) = CSRF.token_for(&headers);
            let page = AccountTemplate { account, orgs, csrf, notice: notice_text(q.done.as_deref()) };
            no_store(with_cookies(render(StatusCode::OK, &page), set))
        }
        Ok(None) => see_other("/sso/signin"),
        Err(e) => error_page(&e),
    }
}

const PASSWORD_HINT: &str = "At least 10 characters. Three or four unrelated words are easy to remember and hard to guess; do not use your name, ID number, phone number or a common password";

fn register_form(csrf: String, r: &Registration) -> FormPage {
    FormPage {
        title: "Create an account",
        lead: vec!["One account signs you in to every online service of the agency.".into()],
        action: "/sso/register".into(),
        csrf,
        fields: vec![
            field("account_type", "You are a", "select", "off")
                .options(account_type_options())
                .value(if r.account_type.is_empty() { "citizen".to_string() } else { r.account_type.clone() }),
            field("id_number", "ID or passport number", "text", "off")
                .value(&r.id_number)
                .hint("The number on the document that matches your choice above"),
            field("date_of_birth", "Date of birth", "text", "bday")
                .value(&r.date_of_birth)
                .hint("As on your document, year-month-day: for example 1990-05-17"),
            field("phone", "Mobile number", "tel", "tel")
                .value(&r.phone)
                .hint("We send a code to this number to check it, for example 0712 345 678"),
            field("email", "Email address (optional)", "email", "email").value(&r.email),
            field("password", "Password", "password", "new-password").hint(PASSWORD_HINT),
            field("password_confirm", "Password again", "password", "new-password"),
            field("sms_alerts", "Send me SMS alerts about my transactions", "checkbox", "off")
                .value(if r.sms_alerts.is_some() || r.account_type.is_empty() { "on" } else { "" }),
        ],
        submit: "Create account",
        links: vec![("/sso/signin", "I already have an account")],
        ..Default::default()
    }
}

async fn register_page(headers: HeaderMap) -> Response {
    let (csrf, set) = CSRF.token_for(&headers);
    form(StatusCode::OK, register_form(csrf, &Registration::default()), set)
}

async fn register_submit(
    State(sso): State<Sso>,
    Caller(client): Caller,
    headers: HeaderMap,
    Fields(f): Fields,
) -> Response {
    if !CSRF.check(&headers, f.get("csrf").map(String::as_str)) {
        return csrf_refused(&sso, &headers);
    }
    let r = Registration {
        account_type: get_str(&f, "account_type"),
        id_number: get_str(&f, "id_number"),
        date_of_birth: get_str(&f, "date_of_birth"),
        phone: get_str(&f, "phone"),
        email: get_str(&f, "email"),
        password: get_str(&f, "password"),
        password_confirm: get_str(&f, "password_confirm"),
        sms_alerts: f.get("sms_alerts").cloned(),
    };
    match accounts::register(&sso, &r, &client).await {
        Ok(token) => with_cookies(see_other("/sso/signin/code"), [session_cookie(&token)]),
        Err(e) => form_or_error(e, register_form(get_str(&f, "csrf"), &r)),
    }
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

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
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

async fn pending(sso: &Sso, headers: &HeaderMap) -> Result<Option<(Session, Account)>, Error> {
    match current_session(sso, headers).await? {
        Some(s) if matches!(s.stage, Stage::VerifyPhone | Stage::SignInCode) => {
            let a = accounts::get(sso, &s.account_id).await?;
            Ok(Some((s, a)))
        }
        _ => Ok(None),
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

// ---- recovery -----------------------------------------------------------------

fn recover_form(csrf: String, f: &HashMap<String, String>) -> FormPage {
    FormPage {
        title: "Recover your account",
        lead: vec!["If you forgot your password, we send a code to the mobile number on your account. Then you choose a new password.".into()],
        action: "/sso/recover".into(),
        csrf,
        fields: vec![
            field("account_type", "You are a", "select", "off").options(account_type_options()).value(f.get("account_type").cloned().unwrap_or_else(|| "citizen".into())),
            field("id_number", "ID or passport number", "text", "username").value(get_str(f, "id_number")),
            field("date_of_birth", "Date of birth", "text", "bday")
                .value(get_str(f, "date_of_birth"))
                .hint("As on your document, year-month-day: for example 1990-05-17"),
        ],
        submit: "Send a code",
        links: vec![("/sso/signin", "Back to sign in")],
        ..Default::default()
    }
}

async fn recover_page(headers: HeaderMap) -> Response {
    let (csrf, set) = CSRF.token_for(&headers);
    form(StatusCode::OK, recover_form(csrf, &HashMap::new()), set)
}

async fn recover_submit(
    State(sso): State<Sso>,
    Caller(client): Caller,
    headers: HeaderMap,
    Fields(f): Fields,
) -> Response {
    if !CSRF.check(&headers, f.get("csrf").map(String::as_str)) {
        return csrf_refused(&sso, &headers);
    }
    let start = recovery::Start {
        account_type: get_str(&f, "account_type"),
        id_number: get_str(&f, "id_number"),
        date_of_birth: get_str(&f, "date_of_birth"),
    };
    match recovery::start(&sso, &start, &client).await {
        Ok(token) => with_cookies(
            see_other("/sso/recover/code"),
            [cookies::set(RECOVERY_COOKIE, &token, SameSite::Lax, Some(sessions::PENDING_MS / 1000))],
        ),
        Err(e) => form_or_error(e, recover_form(get_str(&f, "csrf"), &f)),
    }
}

fn recover_code_form(csrf: String) -> FormPage {
    FormPage {
        title: "Choose a new password",
        lead: vec![
            "If the details you gave match an account, we sent a 6-digit code to its registered mobile number. The code works for 5 minutes.".into(),
            "If no code comes within a few minutes, check the details and start again; after several codes in a short time, wait 15 minutes first.".into(),
        ],
        action: "/sso/recover/code".into(),
        csrf,
        fields: vec![
            field("code", "Code", "text", "one-time-code"),
            field("password", "New password", "password", "new-password").hint(PASSWORD_HINT),
            field("password_confirm", "New password again", "password", "new-password"),
        ],
        submit: "Change password",
        links: vec![("/sso/recover", "Start again")],
        ..Default::default()
    }
}

async fn recover_code_page(headers: HeaderMap) -> Response {
    let (csrf, set) = CSRF.token_for(&headers);
    form(StatusCode::OK, recover_code_form(csrf), set)
}

async fn recover_code_submit(
    State(sso): State<Sso>,
    Caller(client): Caller,
    headers: HeaderMap,
    Fields(f): Fields,
) -> Response {
    if !CSRF.check(&headers, f.get("csrf").map(String::as_str)) {
        return csrf_refused(&sso, &headers);
    }
    let token = cookies::get(&headers, RECOVERY_COOKIE).filter(|v| !v.is_empty());
    let finish = recovery::Finish {
        code: get_str(&f, "code"),
        password: get_str(&f, "password"),
        password_confirm: get_str(&f, "password_confirm"),
    };
    match recovery::finish(&sso, token.as_deref(), &finish, &client).await {
        Ok(device) => with_cookies(
            see_other("/sso/signin?done=recovered"),
            [clear_session_cookie(), cookies::set(RECOVERY_COOKIE, "", SameSite::Lax, Some(0)), device_cookie(&device)],
        ),
        Err(e) => form_or_error(e, recover_code_form(get_str(&f, "csrf"))),
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

// ---- preferences and organisations --------------------------------------------

fn prefs_form(csrf: String, on: bool) -> FormPage {
    FormPage {
        title: "SMS alerts",
        lead: vec![
            "Choose whether we send you SMS alerts about your transactions. Codes for signing in are always sent."
                .into(),
        ],
        action: "/sso/preferences".into(),
        csrf,
        fields: vec![field("sms_alerts", "Send me SMS alerts about my transactions", "checkbox", "off").value(if on {
            "on"
        } else {
            ""
        })],
        submit: "Save",
        links: vec![("/sso/", "Back to your account")],
        ..Default::default()
    }
}

macro_rules! require_signed_in {
    ($sso:expr, $headers:expr, $back:expr) => {
        match signed_in(&$sso, &$headers).await {
            Ok(Some(v)) => v,
            Ok(None) => return see_other(&format!("/sso/signin?return_to={}", urlencode($back))),
            Err(e) => return error_page(&e),
        }
    };
}

async fn prefs_page(State(sso): State<Sso>, headers: HeaderMap) -> Response {
    let (_, a) = require_signed_in!(sso, headers, "/sso/preferences");
    let (csrf, set) = CSRF.token_for(&headers);
    form(StatusCode::OK, prefs_form(csrf, a.sms_alerts), set)
}

async fn prefs_submit(State(sso): State<Sso>, headers: HeaderMap, Fields(f): Fields) -> Response {
    if !CSRF.check(&headers, f.get("csrf").map(String::as_str)) {
        return csrf_refused(&sso, &headers);
    }
    let (_, a) = require_signed_in!(sso, headers, "/sso/preferences");
    match accounts::set_sms_alerts(&sso, &a.id, f.contains_key("sms_alerts")).await {
        Ok(()) => see_other("/sso/?done=prefs"),
        Err(e) => error_page(&e),
    }
}

fn orgs_form(csrf: String, pin: String) -> FormPage {
    FormPage {
        title: "Add an organisation",
        lead: vec![
            "To act for a company, dealer, bank, insurer, embassy or government body, add it by its KRA PIN.".into(),
            "If the KRA register lists you as a director, you become its administrator at once. Otherwise its administrators are asked to approve you.".into(),
        ],
        action: "/sso/organisations".into(),
        csrf,
        fields: vec![field("kra_pin", "KRA PIN of the organisation", "text", "off").value(pin).hint("For example P051234567A")],
        submit: "Add organisation",
        links: vec![("/sso/", "Back to your account")],
        ..Default::default()
    }
}

async fn orgs_page(State(sso): State<Sso>, headers: HeaderMap) -> Response {
    let _ = require_signed_in!(sso, headers, "/sso/organisations");
    let (csrf, set) = CSRF.token_for(&headers);
    form(StatusCode::OK, orgs_form(csrf, String::new()), set)
}

async fn orgs_submit(State(sso): State<Sso>, headers: HeaderMap, Fields(f): Fields) -> Response {
    if !CSRF.check(&headers, f.get("csrf").map(String::as_str)) {
        return csrf_refused(&sso, &headers);
    }
    let (_, a) = require_signed_in!(sso, headers, "/sso/organisations");
    match orgs::add_by_pin(&sso, &a, &get_str(&f, "kra_pin")).await {
        Ok(m) if m.status == orgs::Status::Active => see_other("/sso/?done=org-added"),
        Ok(_) => see_other("/sso/?done=org-requested"),
        Err(e) => form_or_error(e, orgs_form(get_str(&f, "csrf"), get_str(&f, "kra_pin"))),
    }
}

#[derive(Template)]
#[template(path = "org.html")]
struct OrgTemplate {
    name: String,
    kra_pin: String,
    members: Vec<orgs::Member>,
    roles: &'static [domain::org::OrgRole],
    csrf: String,
    notice: Option<String>,
}

async fn org_page(
    State(sso): State<Sso>,
    headers: HeaderMap,
    Path(pin): Path<String>,
    Query(q): Query<Notice>,
) -> Response {
    let (_, a) = require_signed_in!(sso, headers, "/sso/");
    match orgs::members(&sso, &a, &pin).await {
        Ok((name, members)) => {
            let (csrf, set) = CSRF.token_for(&headers);
            let page = OrgTemplate {
                name,
                kra_pin: pin,
                members,
                roles: domain::org::OrgRole::ALL,
                csrf,
                notice: notice_text(q.done.as_deref()),
            };
            no_store(with_cookies(render(StatusCode::OK, &page), set))
        }
        Err(e) => error_page(&e),
    }
}

async fn org_decide(
    State(sso): State<Sso>,
    headers: HeaderMap,
    Path((pin, member)): Path<(String, String)>,
    Fields(f): Fields,
) -> Response {
    if !CSRF.check(&headers, f.get("csrf").map(String::as_str)) {
        return csrf_refused(&sso, &headers);
    }
    let (_, a) = require_signed_in!(sso, headers, "/sso/");
    let raw = get_str(&f, "decision");
    let decision = if raw == "remove" {
        orgs::Decision::Remove
    } else {
        match domain::org::OrgRole::parse(&raw) {
            Ok(r) => orgs::Decision::SetRole(r),
            Err(e) => return error_page(&crate::FieldErrors::single("decision", e.message)),
        }
    };
    match orgs::decide(&sso, &a, &pin, &member, decision).await {
        Ok(()) => see_other(&format!("/sso/organisations/{}?done=member", urlencode(&pin))),
        Err(e) => error_page(&e),
    }
}

// ---- development ---------------------------------------------------------------

#[derive(Template)]
#[template(path = "dev_sms.html")]
struct DevSmsTemplate {
    messages: Vec<crate::sms::SentSms>,
}

async fn dev_sms(State(sso): State<Sso>) -> Response {
    let messages = sso.adapters().dev_sms.as_ref().map(|s| s.messages(None)).unwrap_or_default();
    no_store(render(StatusCode::OK, &DevSmsTemplate { messages }))
}

async fn dev_sms_json(State(sso): State<Sso>, Query(q): Query<HashMap<String, String>>) -> Response {
    let to = q.get("to").and_then(|t| domain::Phone::parse(t).ok());
    let messages =
        sso.adapters().dev_sms.as_ref().map(|s| s.messages(to.as_ref().map(|p| p.as_str()))).unwrap_or_default();
    no_store(Json(messages).into_response())
}

// ---- OpenID Connect ------------------------------------------------------------

async fn discovery(State(sso): State<Sso>) -> Response {
    let mut resp = Json(oidc::discovery(&sso.config().issuer)).into_response();
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    resp.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    resp
}

async fn jwks(State(sso): State<Sso>) -> Response {
    if let Err(e) = sso.keys().refresh_if_stale(sso.db(), sso.now_ms()).await {
        tracing::error!(error = %e, "key refresh failed; serving the keys in memory");
    }
    let mut resp = Json(sso.keys().jwks()).into_response();
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=60"));
    resp.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    resp
}

async fn authorize(
    State(sso): State<Sso>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    q: Result<Query<AuthorizeParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(p)) = q else {
        return broken_authorize_request();
    };
    let pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()).into_owned().collect();
    authorize_with(&sso, &headers, p, pairs).await
}

/// OpenID Connect also allows the request as a form POST.
async fn authorize_post(State(sso): State<Sso>, headers: HeaderMap, Fields(f): Fields) -> Response {
    let Ok(p) = serde_json::from_value::<AuthorizeParams>(json!(f)) else {
        return broken_authorize_request();
    };
    authorize_with(&sso, &headers, p, f.into_iter().collect()).await
}

fn broken_authorize_request() -> Response {
    message(
        StatusCode::BAD_REQUEST,
        "This sign-in link is broken",
        vec!["The service that sent you here built a request we cannot read.".into()],
        vec![],
    )
}

async fn authorize_with(sso: &Sso, headers: &HeaderMap, p: AuthorizeParams, pairs: Vec<(String, String)>) -> Response {
    let session = match current_session(sso, headers).await {
        Ok(s) => s,
        Err(e) => return error_page(&e),
    };
    match oidc::authorize(sso, &p, session.as_ref()).await {
        Ok(Authorize::Redirect(to)) => no_store(see_other(&to)),
        Ok(Authorize::SignIn { reauthenticate }) => {
            // Come back to the same request; after a fresh sign-in it must
            // not ask for one again, so prompt=login is dropped.
            let pairs = pairs.into_iter().filter_map(|(k, v)| {
                if reauthenticate && k == "prompt" {
                    let rest: Vec<&str> = v.split(' ').filter(|p| *p != "login" && !p.is_empty()).collect();
                    (!rest.is_empty()).then(|| (k, rest.join(" ")))
                } else {
                    Some((k, v))
                }
            });
            let query = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
            let back = format!("/sso/authorize?{query}");
            see_other(&format!("/sso/signin?return_to={}", urlencode(&back)))
        }
        Ok(Authorize::Refuse(why)) => message(
            StatusCode::BAD_REQUEST,
            "This sign-in request cannot be used",
            vec![why, "Go back to the service and try again; if it happens again, tell the service.".into()],
            vec![],
        ),
        Err(e) => error_page(&e),
    }
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, rest) = v.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(rest.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    // RFC 6749 §2.3.1: both parts are form-urlencoded before encoding.
    let dec = |s: &str| url::form_urlencoded::parse(format!("x={s}").as_bytes()).next().map(|(_, v)| v.into_owned());
    Some((dec(id)?, dec(secret)?))
}

fn oauth_error(status: StatusCode, error: &str, description: Option<&str>) -> Response {
    let mut body = json!({ "error": error });
    if let Some(d) = description {
        body["error_description"] = json!(d);
    }
    no_store((status, Json(body)).into_response())
}

async fn token(
    State(sso): State<Sso>,
    headers: HeaderMap,
    form: Result<FormData, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(f)) = form else { return not_a_form() };
    match oidc::token(&sso, basic_credentials(&headers), &f).await {
        Ok(body) => {
            let mut resp = Json(body).into_response();
            resp.headers_mut().insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
            no_store(resp)
        }
        Err(e) => token_error(e, &headers),
    }
}

/// Token revocation (RFC 7009): 200 with an empty body whether or not
/// there was anything to revoke.
async fn revoke(
    State(sso): State<Sso>,
    headers: HeaderMap,
    form: Result<FormData, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(f)) = form else { return not_a_form() };
    match oidc::revoke(&sso, basic_credentials(&headers), &f).await {
        Ok(()) => no_store(StatusCode::OK.into_response()),
        Err(e) => token_error(e, &headers),
    }
}

fn not_a_form() -> Response {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_request", Some("send application/x-www-form-urlencoded parameters"))
}

/// An error of the token or revocation endpoint (RFC 6749 §5.2).
fn token_error(e: TokenError, headers: &HeaderMap) -> Response {
    match e {
        TokenError::InvalidClient => {
            let mut resp =
                oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", Some("client authentication failed"));
            if headers.get(header::AUTHORIZATION).is_some() {
                resp.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"tims\""));
            }
            resp
        }
        TokenError::InvalidRequest(d) => oauth_error(StatusCode::BAD_REQUEST, "invalid_request", Some(&d)),
        TokenError::InvalidGrant(d) => oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", Some(&d)),
        TokenError::InvalidScope(d) => oauth_error(StatusCode::BAD_REQUEST, "invalid_scope", Some(&d)),
        TokenError::UnsupportedGrantType => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            Some("use authorization_code or refresh_token"),
        ),
        TokenError::UnsupportedTokenType => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_token_type",
            Some("only refresh tokens are revoked; access tokens expire in minutes"),
        ),
        TokenError::Server(e) => {
            tracing::error!(error = %e, "token endpoint failed");
            oauth_error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", None)
        }
    }
}

async fn userinfo(State(sso): State<Sso>, headers: HeaderMap) -> Response {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(s, _)| s.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim().to_string());
    let invalid = |err: &'static str| {
        let mut resp = no_store((StatusCode::UNAUTHORIZED, Json(json!({"error": err}))).into_response());
        let v = if err == "invalid_token" { "Bearer error=\"invalid_token\"" } else { "Bearer" };
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(v));
        resp
    };
    let Some(token) = bearer else {
        return invalid("invalid_request");
    };
    match oidc::userinfo(&sso, &token).await {
        Ok(Some(claims)) => no_store(Json(claims).into_response()),
        Ok(None) => invalid("invalid_token"),
        Err(e) => {
            tracing::error!(error = %e, "userinfo failed");
            oauth_error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", None)
        }
    }
}

async fn logout(State(sso): State<Sso>, headers: HeaderMap, Query(p): Query<LogoutParams>) -> Response {
    logout_request(&sso, &headers, p).await
}

/// A POST is either the person confirming on our own page (it carries the
/// CSRF token) or a relying party's logout request sent as a form.
async fn logout_post(State(sso): State<Sso>, headers: HeaderMap, Fields(f): Fields) -> Response {
    if f.get("confirm").is_some_and(|c| c == "yes") {
        return logout_confirmed(sso, headers, f).await;
    }
    match serde_json::from_value::<LogoutParams>(json!(f)) {
        Ok(p) => logout_request(&sso, &headers, p).await,
        Err(_) => message(StatusCode::BAD_REQUEST, "This sign-out request cannot be used", vec![], vec![]),
    }
}

async fn logout_request(sso: &Sso, headers: &HeaderMap, p: LogoutParams) -> Response {
    let session = match current_session(sso, headers).await {
        Ok(s) => s,
        Err(e) => return error_page(&e),
    };
    let plan = match oidc::plan_logout(sso, &p, session.as_ref()).await {
        Ok(Ok(plan)) => plan,
        Ok(Err(why)) => {
            return message(
                StatusCode::BAD_REQUEST,
                "This sign-out request cannot be used",
                vec![why],
                vec![("/sso/", "Go to your account")],
            );
        }
        Err(e) => return error_page(&e),
    };
    let done = |redirect: Option<String>| match redirect {
        Some(to) => with_cookies(see_other(&to), [clear_session_cookie()]),
        None => with_cookies(
            message(
                StatusCode::OK,
                "You are signed out",
                vec!["You can close this window.".into()],
                vec![("/sso/signin", "Sign in again")],
            ),
            [clear_session_cookie()],
        ),
    };
    match session {
        None => done(plan.redirect),
        Some(s) if plan.confirmed_by_hint => match sessions::end(sso, &s.id_hash).await {
            Ok(()) => done(plan.redirect),
            Err(e) => error_page(&e),
        },
        Some(_) => {
            // No proof the request came from the person's own service: ask.
            let (csrf, set) = CSRF.token_for(headers);
            let mut hidden = vec![("confirm", "yes".to_string())];
            for (k, v) in [
                ("post_logout_redirect_uri", &p.post_logout_redirect_uri),
                ("state", &p.state),
                ("client_id", &p.client_id),
            ] {
                if let Some(v) = v {
                    hidden.push((k, v.clone()));
                }
            }
            let page = FormPage {
                title: "Sign out?",
                lead: vec!["A service asked to sign you out of the sign-on.".into()],
                action: "/sso/logout".into(),
                csrf,
                hidden,
                submit: "Sign out",
                ..Default::default()
            };
            form(StatusCode::OK, page, set)
        }
    }
}

async fn logout_confirmed(sso: Sso, headers: HeaderMap, f: HashMap<String, String>) -> Response {
    if !CSRF.check(&headers, f.get("csrf").map(String::as_str)) {
        return csrf_refused(&sso, &headers);
    }
    let p = LogoutParams {
        id_token_hint: None,
        post_logout_redirect_uri: f.get("post_logout_redirect_uri").cloned(),
        state: f.get("state").cloned(),
        client_id: f.get("client_id").cloned(),
    };
    let session = current_session(&sso, &headers).await.ok().flatten();
    let redirect = match oidc::plan_logout(&sso, &p, session.as_ref()).await {
        Ok(Ok(plan)) => plan.redirect,
        Ok(Err(_)) => None,
        Err(e) => return error_page(&e),
    };
    if let Some(s) = session
        && let Err(e) = sessions::end(&sso, &s.id_hash).await
    {
        return error_page(&e);
    }
    match redirect {
        Some(to) => with_cookies(see_other(&to), [clear_session_cookie()]),
        None => with_cookies(
            message(StatusCode::OK, "You are signed out", vec![], vec![("/sso/signin", "Sign in again")]),
            [clear_session_cookie()],
        ),
    }
}
