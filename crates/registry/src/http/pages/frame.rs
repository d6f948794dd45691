//! What every page shares: the frame (the language, the signed-in person,
//! the error summary and the notice that the part's `base.html` shows),
//! rendering, the error page and error summary lines, the table page that
//! lists and messages use, and the pager. It knows nothing of any one
//! journey.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use texts::{Lang, Page as PageText, Part, Refusal, RegistryPage, Text};

use super::extract::SignedIn;
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
    fn or_show(self, me: &SignedIn) -> Result<T, Shown>;
}

impl<T> OrShow<T> for Result<T, Error> {
    fn or_show(self, me: &SignedIn) -> Result<T, Shown> {
        self.map_err(|e| message_page(me.lang, Some(user(me.lang, &me.actor)), e.status(), &e).into())
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

/// Links to the next page of a list and back to the first (empty when
/// there is none), with their texts: the arguments of the kit's pager.
#[derive(Debug, Default)]
pub struct Pager {
    pub next: String,
    pub first: String,
    pub next_text: String,
    pub first_text: String,
    /// The pager's name, for screen readers.
    pub label: String,
}

/// The pager of a list at `path`.
pub fn pager<T>(lang: Lang, path: &str, req: &PageRequest, page: &Page<T>) -> Pager {
    let mut p = Pager {
        next_text: PageText::NextPage.render(lang),
        first_text: PageText::FirstPage.render(lang),
        label: PageText::Pages.render(lang),
        ..Pager::default()
    };
    if let Some(next) = &page.next {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        q.append_pair("after", next);
        if req.limit != crate::paging::DEFAULT_LIMIT {
            q.append_pair("limit", &req.limit.to_string());
        }
        p.next = format!("{path}?{}", q.finish());
    }
    if !req.is_first() {
        p.first = path.to_string();
    }
    p
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

/// The person in `a`, their organisations named in `lang`.
pub fn user(lang: Lang, a: &Actor) -> User {
    User {
        name: a.person.name.clone(),
        staff: a.is_staff(),
        acting_for: a.acting_for.as_ref().map(|m| m.name.clone()),
        orgs: a
            .memberships
            .iter()
            .map(|m| {
                let chosen = a.acting_for.as_ref().is_some_and(|c| c.org_id == m.org_id);
                (m.kra_pin.clone(), RegistryPage::OrgAndRole { org: &m.name, role: m.role }.render(lang), chosen)
            })
            .collect(),
    }
}

/// What `base.html` shows around a page: in which language, for whom, the
/// error summary and the notice (empty when there is none).
pub struct Frame {
    pub lang: Lang,
    pub user: Option<User>,
    pub errors: Vec<(String, String)>,
    pub notice: String,
}

impl Frame {
    pub fn new(lang: Lang, user: Option<User>) -> Self {
        Self { lang, user, errors: vec![], notice: String::new() }
    }

    /// The frame of a signed-in person's page.
    pub fn of(me: &SignedIn) -> Self {
        Self::new(me.lang, Some(user(me.lang, &me.actor)))
    }

    /// A text of the catalogue in the page's language:
    /// `{{ frame.t(texts::RegistryPage::Timeline) }}`.
    pub fn t(&self, text: impl Text) -> String {
        text.render(self.lang)
    }

    pub fn service(&self) -> String {
        PageText::ServiceName { part: Part::Registry }.render(self.lang)
    }

    /// "Error: ", before a page's title and a field's error when the page
    /// shows errors, for screen readers.
    pub fn error_prefix(&self) -> String {
        PageText::ErrorTitlePrefix.render(self.lang)
    }

    /// The title's start: "Error: " when the page shows errors.
    pub fn title_prefix(&self) -> String {
        if self.errors.is_empty() { String::new() } else { self.error_prefix() }
    }

    pub fn problem_title(&self) -> String {
        PageText::ErrorSummaryTitle.render(self.lang)
    }

    /// The header's links: (address, text).
    pub fn nav(&self) -> Vec<(&'static str, String)> {
        let mut nav = vec![
            ("/vehicles", PageText::NavMyVehicles),
            ("/inquiry", PageText::NavInquiry),
            ("/transfers", PageText::NavTransfers),
        ];
        if self.user.as_ref().is_some_and(|u| u.staff) {
            nav.push(("/review", PageText::NavReviewQueue));
        }
        nav.into_iter().map(|(href, t)| (href, t.render(self.lang))).collect()
    }

    /// "Signed in as …", for the home page (empty when no one is).
    pub fn signed_in_as(&self) -> String {
        self.user.as_ref().map_or_else(String::new, |u| self.t(RegistryPage::SignedInAs { name: &u.name }))
    }

    /// Who is signed in, and for whom they act.
    pub fn who(&self) -> String {
        match &self.user {
            Some(User { name, acting_for: Some(org), .. }) => {
                PageText::ActingFor { person: name, org }.render(self.lang)
            }
            Some(u) => u.name.clone(),
            None => String::new(),
        }
    }
}

/// A page, never cached, setting `cookies` (an `Option` sets one or none).
pub fn render<T: Template>(status: StatusCode, t: &T, cookies: impl IntoIterator<Item = HeaderValue>) -> Response {
    match t.render() {
        Ok(html) => {
            let mut resp = (status, Html(html)).into_response();
            let h = resp.headers_mut();
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            for c in cookies {
                h.append(header::SET_COOKIE, c);
            }
            resp
        }
        Err(e) => {
            tracing::error!(error = %e, "page rendering failed");
            (StatusCode::INTERNAL_SERVER_ERROR, PageText::SomethingWentWrongTitle.render(Lang::default()))
                .into_response()
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
pub fn error_lines(lang: Lang, e: &Error) -> Vec<(String, String)> {
    match e {
        Error::Invalid(f) => f.0.clone(),
        Error::Db(_) | Error::Internal(_) => {
            tracing::error!(error = %e, "page request failed");
            vec![(String::new(), Refusal::SomethingWentWrong.render(lang))]
        }
        Error::Unauthenticated => vec![(String::new(), Refusal::SignInFirst.render(lang))],
        other => vec![(String::new(), other.to_string())],
    }
}

#[derive(Template)]
#[template(path = "table.html")]
pub struct TablePage {
    pub frame: Frame,
    pub title: String,
    pub lead: Vec<String>,
    /// The inquiry's form, when the page has one: its address and query.
    pub form_action: String,
    pub query: String,
    pub head: Vec<String>,
    /// Rows, each with the address its first cell links to (or none).
    pub rows: Vec<(String, Vec<String>)>,
    /// A record, as (what, value) pairs, shown instead of rows.
    pub record: Vec<(String, String)>,
    pub empty: String,
    pub pager: Pager,
}

impl TablePage {
    /// A table page titled `title`, in `frame`, with nothing in it yet.
    pub fn titled(frame: Frame, title: impl Into<String>) -> Self {
        Self {
            frame,
            title: title.into(),
            lead: vec![],
            form_action: String::new(),
            query: String::new(),
            head: vec![],
            rows: vec![],
            record: vec![],
            empty: String::new(),
            pager: Pager::default(),
        }
    }
}

pub fn message_page(lang: Lang, user: Option<User>, status: StatusCode, e: &Error) -> Response {
    let title = if status == StatusCode::NOT_FOUND {
        RegistryPage::NotFoundTitle.render(lang)
    } else {
        PageText::ThatDidNotWork.render(lang)
    };
    let mut frame = Frame::new(lang, user);
    frame.errors = error_lines(lang, e);
    render(status, &TablePage::titled(frame, title), None)
}

/// The refusal of a form whose CSRF token does not match the browser's.
pub fn csrf_refused(lang: Lang) -> Response {
    message_page(lang, None, StatusCode::FORBIDDEN, &Error::Forbidden(Refusal::FormExpired.render(lang)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_page_says_its_language_and_its_texts_come_from_the_catalogue() {
        let mut frame = Frame::new(Lang::En, None);
        frame.errors = error_lines(Lang::En, &Error::Internal("boom".into()));
        let mut page = TablePage::titled(frame, "Transfers");
        page.head = vec!["Reference".into()];
        page.rows = vec![("/transfers/t1".into(), vec!["TR-1".into()])];
        let first = PageRequest::parse(None, None).unwrap();
        page.pager = pager(Lang::En, "/transfers", &first, &Page::<()> { items: vec![], next: Some("x".into()) });
        let html = page.render().unwrap();
        assert!(html.contains(r#"<html lang="en">"#), "{html}");
        assert!(html.contains("<title>Error: Transfers – tims vehicle registry</title>"), "{html}");
        assert!(html.contains("<h2>There is a problem</h2>"), "{html}");
        assert!(html.contains("Something went wrong on our side. Try again in a moment."), "{html}");
        assert!(html.contains(r#"<a href="/transfers/t1">TR-1</a>"#), "{html}");
        assert!(html.contains(r#"<a href="/transfers?after=x" rel="next">Next page</a>"#), "{html}");
        assert!(!html.contains("Back to the first page"), "{html}");
        let sw = TablePage::titled(Frame::new(Lang::Sw, None), "Uhamisho").render().unwrap();
        assert!(sw.contains(r#"<html lang="sw">"#) && sw.contains("tims usajili wa magari"), "{sw}");
    }

    #[test]
    fn a_kiswahili_page_holds_no_english_of_its_own() {
        let mut page = TablePage::titled(Frame::new(Lang::Sw, None), "Tafuta gari");
        page.form_action = "/inquiry".into();
        let first = PageRequest::parse(None, None).unwrap();
        page.pager = pager(Lang::Sw, "/vehicles", &first, &Page::<()> { items: vec![], next: Some("x".into()) });
        let html = page.render().unwrap();
        assert!(html.contains(r#"<label for="registration_number">Nambari ya usajili</label>"#), "{html}");
        assert!(html.contains("Kwa mfano KAA 001A au KMAA 001A") && html.contains(">Chunguza</button>"), "{html}");
        assert!(html.contains(r#"<nav aria-label="Kurasa">"#), "{html}");
        for english in ["Registration number", "For example", "Inquire", "Pages", "Next page"] {
            assert!(!html.contains(english), "{english} in {html}");
        }
    }
}
