//! What every page shares: the frame's view of the signed-in person,
//! rendering, the error page and error summary lines, the table page that
//! lists and messages use, and the pager. It knows nothing of any one
//! journey.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::Error;
use crate::paging::{Page, PageRequest};
use crate::signin::Actor;

/// A page answered instead of the one asked for: the sign-in, or an error
/// page. (Boxed, so that a page handler's error stays small.)
pub struct Shown(Box<Response>);

impl From<Response> for Shown {
    fn from(r: Response) -> Self {
        Shown(Box::new(r))
    }
}

impl IntoResponse for Shown {
    fn into_response(self) -> Response {
        *self.0
    }
}

/// What a page handler answers: the page, or another shown instead.
pub type PageResult = Result<Response, Shown>;

/// A use case's error, shown to the signed-in person as an error page.
pub trait OrShow<T> {
    fn or_show(self, actor: &Actor) -> Result<T, Shown>;
}

impl<T> OrShow<T> for Result<T, Error> {
    fn or_show(self, actor: &Actor) -> Result<T, Shown> {
        self.map_err(|e| message_page(Some(user(actor)), e.status(), &e).into())
    }
}

/// Which page of a list, as asked in its address.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ListQuery {
    after: Option<String>,
    limit: Option<String>,
}

impl ListQuery {
    pub fn page_request(&self) -> Result<PageRequest, Error> {
        PageRequest::parse(self.after.as_deref(), self.limit.as_deref())
    }
}

/// Links to the next page of a list at `path`, and back to the first.
pub fn pager<T>(path: &str, req: &PageRequest, page: &Page<T>) -> Vec<(String, &'static str)> {
    let mut links = vec![];
    if let Some(next) = &page.next {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        q.append_pair("after", next);
        if req.limit != crate::paging::DEFAULT_LIMIT {
            q.append_pair("limit", &req.limit.to_string());
        }
        links.push((format!("{path}?{}", q.finish()), "Next page"));
    }
    if !req.is_first() {
        links.push((path.to_string(), "Back to the first page"));
    }
    links
}

/// What the page frame shows of the signed-in person.
#[derive(Debug, Clone)]
pub struct User {
    pub name: String,
    pub staff: bool,
    pub acting_for: Option<String>,
    /// (KRA PIN, name and role, chosen)
    pub orgs: Vec<(String, String, bool)>,
}

pub fn user(a: &Actor) -> User {
    User {
        name: a.person.name.clone(),
        staff: a.is_staff(),
        acting_for: a.acting_for.as_ref().map(|m| m.name.clone()),
        orgs: a
            .memberships
            .iter()
            .map(|m| {
                let chosen = a.acting_for.as_ref().is_some_and(|c| c.org_id == m.org_id);
                (m.kra_pin.clone(), format!("{} ({})", m.name, m.role.as_str()), chosen)
            })
            .collect(),
    }
}

pub fn render<T: Template>(status: StatusCode, t: &T, set: Option<HeaderValue>) -> Response {
    match t.render() {
        Ok(html) => {
            let mut resp = (status, Html(html)).into_response();
            let h = resp.headers_mut();
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            if let Some(c) = set {
                h.append(header::SET_COOKIE, c);
            }
            resp
        }
        Err(e) => {
            tracing::error!(error = %e, "page rendering failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong").into_response()
        }
    }
}

pub fn to_signin(path: &str) -> Response {
    Redirect::to(&format!(
        "/signin?return_to={}",
        url::form_urlencoded::byte_serialize(path.as_bytes()).collect::<String>()
    ))
    .into_response()
}

/// An error as the page's error summary: (field id, message).
pub fn error_lines(e: &Error) -> Vec<(String, String)> {
    match e {
        Error::Invalid(f) => f.0.clone(),
        Error::Db(_) | Error::Internal(_) => {
            tracing::error!(error = %e, "page request failed");
            vec![(String::new(), "Something went wrong on our side. Try again in a moment.".into())]
        }
        Error::Unauthenticated => vec![(String::new(), "Sign in first.".into())],
        other => vec![(String::new(), other.to_string())],
    }
}

#[derive(Template)]
#[template(path = "table.html")]
pub struct TablePage {
    pub user: Option<User>,
    pub errors: Vec<(String, String)>,
    pub notice: Option<String>,
    pub title: String,
    pub lead: Vec<String>,
    pub form_action: String,
    pub query: String,
    pub head: Vec<&'static str>,
    pub rows: Vec<Row>,
    pub empty: String,
    /// Links to other pages of a long list: (address, text).
    pub pager: Vec<(String, &'static str)>,
}

pub struct Row {
    pub link: String,
    pub cells: Vec<String>,
}

impl TablePage {
    /// A table page titled `title`, for `user`, with nothing in it yet.
    pub fn titled(user: Option<User>, title: impl Into<String>) -> Self {
        Self {
            user,
            errors: vec![],
            notice: None,
            title: title.into(),
            lead: vec![],
            form_action: String::new(),
            query: String::new(),
            head: vec![],
            rows: vec![],
            empty: String::new(),
            pager: vec![],
        }
    }
}

pub fn message_page(user: Option<User>, status: StatusCode, e: &Error) -> Response {
    let title = if status == StatusCode::NOT_FOUND { "Not found" } else { "That did not work" };
    let page = TablePage { errors: error_lines(e), ..TablePage::titled(user, title) };
    render(status, &page, None)
}

/// The refusal of a form whose CSRF token does not match the browser's.
pub fn csrf_refused() -> Response {
    let e =
        Error::Forbidden("The form had expired or came from elsewhere. Go back, reload the page and try again.".into());
    message_page(None, StatusCode::FORBIDDEN, &e)
}
