//! The registry's pages: plain server-rendered HTML, working without
//! JavaScript, for every step of the transfer. People sign in through the
//! provider (OpenID Connect, over HTTP); the page session keeps the
//! organisation they chose to act for. Every form carries a CSRF token
//! (double submit). Handlers parse, call one use case and render.

use std::collections::HashMap;
use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use cookies::SameSite;
use domain::transfer::State as TState;

use crate::paging::{Page, PageRequest};
use crate::reference::ct_eq;
use crate::signin::{self as auth, Actor};
use crate::transfers::{self, Acceptance, CodeStep, NewTransfer, TransferView};
use crate::{Error, FieldErrors, Registry, vehicles};

pub const SESSION_COOKIE: &str = "__Host-tims_reg";
pub const CSRF_COOKIE: &str = "__Host-tims_reg_csrf";
/// The double-submit check of every form (see the `cookies` crate).
const CSRF: cookies::Csrf = cookies::Csrf { cookie: CSRF_COOKIE };
/// Binds a sign-in under way to the browser that started it.
pub const LOGIN_COOKIE: &str = "__Host-tims_reg_login";

pub fn router(reg: Registry) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/signin", get(signin))
        .route("/signin/callback", get(callback))
        .route("/signout", post(signout))
        .route("/acting-for", post(acting_for))
        .route("/vehicles", get(my_vehicles))
        .route("/inquiry", get(inquiry))
        .route("/transfers", get(my_transfers))
        .route("/transfers/new", get(new_transfer).post(new_transfer_submit))
        .route("/transfers/{id}", get(transfer_page))
        .route("/transfers/{id}/scan", get(scan))
        .route("/transfers/{id}/{action}", post(transfer_action))
        .route("/review", get(review_queue))
        .layer(axum::extract::DefaultBodyLimit::max(crate::store::MAX_SCAN_BYTES + 64 * 1024))
        .with_state(reg)
}

// ---- cookies, CSRF, the signed-in person ------------------------------------

/// The address a request came from, for the timeline.
pub struct Addr(pub Option<String>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Addr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string())))
    }
}

async fn current(reg: &Registry, headers: &HeaderMap, addr: Option<String>) -> Result<Option<(Actor, String)>, Error> {
    let Some(token) = cookies::get(headers, SESSION_COOKIE).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    Ok(auth::from_session(reg, &token, addr).await?.map(|a| (a, token)))
}

/// The signed-in person, or the page to answer with instead: sign-in when
/// there is no session, an error page when the session could not be read
/// (a database that does not answer is no reason to sign in again).
async fn signed_in(
    reg: &Registry,
    headers: &HeaderMap,
    addr: Option<String>,
    back: &str,
) -> Result<(Actor, String), Shown> {
    match current(reg, headers, addr).await {
        Ok(Some(me)) => Ok(me),
        Ok(None) | Err(Error::Unauthenticated) => Err(to_signin(back).into()),
        Err(e) => Err(message_page(None, e.status(), &e).into()),
    }
}

/// A page answered instead of the one asked for: the sign-in, or an error
/// page. (Boxed, so that a page handler's error stays small.)
struct Shown(Box<Response>);

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
type PageResult = Result<Response, Shown>;

/// A use case's error, shown to the signed-in person as an error page.
trait OrShow<T> {
    fn or_show(self, actor: &Actor) -> Result<T, Shown>;
}

impl<T> OrShow<T> for Result<T, Error> {
    fn or_show(self, actor: &Actor) -> Result<T, Shown> {
        self.map_err(|e| message_page(Some(user(actor)), e.status(), &e).into())
    }
}

/// Links to the next page of a list at `path`, and back to the first.
fn pager<T>(path: &str, req: &PageRequest, page: &Page<T>) -> Vec<(String, &'static str)> {
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

/// A transfer's page, to come back to after signing in.
fn transfer_path(id: &str) -> String {
    format!("/transfers/{}", url::form_urlencoded::byte_serialize(id.as_bytes()).collect::<String>())
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

fn user(a: &Actor) -> User {
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

fn render<T: Template>(status: StatusCode, t: &T, set: Option<HeaderValue>) -> Response {
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

fn to_signin(path: &str) -> Response {
    Redirect::to(&format!(
        "/signin?return_to={}",
        url::form_urlencoded::byte_serialize(path.as_bytes()).collect::<String>()
    ))
    .into_response()
}

/// An error as the page's error summary: (field id, message).
fn error_lines(e: &Error) -> Vec<(String, String)> {
    match e {
        Error::Invalid(FieldErrors(f)) => f.clone(),
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
struct TablePage {
    user: Option<User>,
    errors: Vec<(String, String)>,
    notice: Option<String>,
    title: String,
    lead: Vec<String>,
    form_action: String,
    query: String,
    head: Vec<&'static str>,
    rows: Vec<Row>,
    empty: String,
    /// Links to other pages of a long list: (address, text).
    pager: Vec<(String, &'static str)>,
}

struct Row {
    link: String,
    cells: Vec<String>,
}

fn message_page(user: Option<User>, status: StatusCode, e: &Error) -> Response {
    let page = TablePage {
        user,
        errors: error_lines(e),
        notice: None,
        title: if status == StatusCode::NOT_FOUND { "Not found".into() } else { "That did not work".into() },
        lead: vec![],
        form_action: String::new(),
        query: String::new(),
        head: vec![],
        rows: vec![],
        empty: String::new(),
        pager: vec![],
    };
    render(status, &page, None)
}

// ---- home, sign-in, sign-out ----------------------------------------------------

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    user: Option<User>,
    errors: Vec<(String, String)>,
    notice: Option<String>,
    csrf: String,
}

async fn home(
    State(reg): State<Registry>,
    headers: HeaderMap,
    Addr(addr): Addr,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let (csrf, set) = CSRF.token_for(&headers);
    let me = match current(&reg, &headers, addr.clone()).await {
        Ok(m) => m,
        Err(e) => return message_page(None, e.status(), &e),
    };
    let notice = match q.get("notice").map(String::as_str) {
        Some("signed-out") => Some("You have signed out.".to_string()),
        Some("switched") => Some("Done: you now act as shown at the top of the page.".to_string()),
        _ => None,
    };
    render(StatusCode::OK, &HomePage { user: me.map(|(a, _)| user(&a)), errors: vec![], notice, csrf }, set)
}

/// Only paths inside the registry are followed after sign-in.
fn safe_return(raw: Option<&String>) -> String {
    match raw {
        Some(r)
            if r.starts_with('/')
                && !r.starts_with("//")
                && !r.starts_with("/sso")
                && r.bytes().all(|b| b.is_ascii_graphic() && b != b'\\') =>
        {
            r.clone()
        }
        _ => "/".to_string(),
    }
}

async fn signin(State(reg): State<Registry>, Query(q): Query<HashMap<String, String>>) -> Response {
    match auth::begin_sign_in(&reg, &safe_return(q.get("return_to"))).await {
        Ok((url, state)) => {
            let mut resp = Redirect::to(&url).into_response();
            // Lax: the provider's redirect back is a top-level navigation.
            let bound = crate::reference::sha256_hex(state.as_bytes());
            resp.headers_mut().append(header::SET_COOKIE, cookies::set(LOGIN_COOKIE, &bound, SameSite::Lax, Some(600)));
            resp
        }
        Err(e) => message_page(None, e.status(), &e),
    }
}

async fn callback(
    State(reg): State<Registry>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    // Only the browser that started this sign-in may finish it.
    let state = q.get("state").map(|s| crate::reference::sha256_hex(s.as_bytes()));
    let bound = cookies::get(&headers, LOGIN_COOKIE);
    if !matches!((&state, &bound), (Some(s), Some(b)) if ct_eq(s, b)) {
        let e =
            Error::Forbidden("This sign-in was not started in this browser: start again from the sign-in page".into());
        return message_page(None, StatusCode::FORBIDDEN, &e);
    }
    let mut resp = match auth::finish_sign_in(&reg, &q).await {
        Ok((token, to)) => {
            let mut resp = Redirect::to(&to).into_response();
            resp.headers_mut().append(header::SET_COOKIE, cookies::set(SESSION_COOKIE, &token, SameSite::Lax, None));
            resp
        }
        Err(e) => message_page(None, e.status(), &e),
    };
    resp.headers_mut().append(header::SET_COOKIE, cookies::set(LOGIN_COOKIE, "", SameSite::Lax, Some(0)));
    resp
}

async fn signout(State(reg): State<Registry>, headers: HeaderMap, Form(f): Form<HashMap<String, String>>) -> Response {
    if !CSRF.check(&headers, f.get("csrf").map(String::as_str)) {
        return csrf_refused();
    }
    let mut to = "/?notice=signed-out".to_string();
    if let Some(token) = cookies::get(&headers, SESSION_COOKIE)
        && let Ok(Some(id_token)) = auth::end_session(&reg, &token).await
        && let Ok(p) = reg.provider().await
        && let Some(url) = p.end_session_url(&id_token, Some(&format!("{}/", reg.config().public_url)), None)
    {
        // Sign out of the provider too, and come back here.
        to = url;
    }
    let mut resp = Redirect::to(&to).into_response();
    resp.headers_mut().append(header::SET_COOKIE, cookies::set(SESSION_COOKIE, "", SameSite::Lax, Some(0)));
    resp
}

fn csrf_refused() -> Response {
    let e =
        Error::Forbidden("The form had expired or came from elsewhere. Go back, reload the page and try again.".into());
    message_page(None, StatusCode::FORBIDDEN, &e)
}

async fn acting_for(
    State(reg): State<Registry>,
    headers: HeaderMap,
    Addr(addr): Addr,
    Form(f): Form<HashMap<String, String>>,
) -> PageResult {
    if !CSRF.check(&headers, f.get("csrf").map(String::as_str)) {
        return Ok(csrf_refused());
    }
    let (actor, token) = signed_in(&reg, &headers, addr.clone(), "/").await?;
    auth::switch_acting_for(&reg, &token, &actor, f.get("kra_pin").map(String::as_str)).await.or_show(&actor)?;
    Ok(Redirect::to("/?notice=switched").into_response())
}

// ---- vehicles ---------------------------------------------------------------------

async fn my_vehicles(
    State(reg): State<Registry>,
    headers: HeaderMap,
    Addr(addr): Addr,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let (actor, _) = signed_in(&reg, &headers, addr.clone(), "/vehicles").await?;
    let req = PageRequest::from_query(&q).or_show(&actor)?;
    let list = vehicles::mine(&reg, &actor, &req).await.or_show(&actor)?;
    let pager = pager("/vehicles", &req, &list);
    let rows = list
        .items
        .into_iter()
        .map(|h| Row {
            link: format!(
                "/inquiry?registration_number={}",
                url::form_urlencoded::byte_serialize(h.vehicle.registration_number.as_bytes()).collect::<String>()
            ),
            cells: vec![
                h.vehicle.registration_number,
                format!("{} {} {} ({})", h.vehicle.colour, h.vehicle.make, h.vehicle.model, h.vehicle.year),
                h.organisation.unwrap_or_else(|| "You".into()),
                h.role,
                if h.vehicle.transfer_pending { "Transfer pending".into() } else { h.vehicle.status },
            ],
        })
        .collect();
    let page = TablePage {
        user: Some(user(&actor)),
        errors: vec![],
        notice: None,
        title: match &actor.acting_for {
            Some(m) => format!("My vehicles and those of {}", m.name),
            None => "My vehicles".into(),
        },
        lead: vec![],
        form_action: String::new(),
        query: String::new(),
        head: vec!["Registration", "Vehicle", "Held by", "As", "Status"],
        rows,
        empty: "No vehicles are registered to you.".into(),
        pager,
    };
    Ok(render(StatusCode::OK, &page, None))
}

async fn inquiry(
    State(reg): State<Registry>,
    headers: HeaderMap,
    Addr(addr): Addr,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let (actor, _) = signed_in(&reg, &headers, addr.clone(), "/inquiry").await?;
    let query = q.get("registration_number").cloned().unwrap_or_default();
    let mut page = TablePage {
        user: Some(user(&actor)),
        errors: vec![],
        notice: None,
        title: "Look up a vehicle".into(),
        lead: vec![],
        form_action: "/inquiry".into(),
        query: query.clone(),
        head: vec!["", ""],
        rows: vec![],
        empty: String::new(),
        pager: vec![],
    };
    if query.trim().is_empty() {
        return Ok(render(StatusCode::OK, &page, None));
    }
    let pair = |k: &str, v: String| Row { link: String::new(), cells: vec![k.to_string(), v] };
    Ok(match vehicles::inquire(&reg, &actor, &query).await {
        Ok(vehicles::Inquiry::Full(f)) => {
            let v = f.vehicle;
            page.rows = vec![
                pair("Registration", v.registration_number),
                pair("Vehicle", format!("{} {} {}, {}", v.colour, v.make, v.model, v.body)),
                pair("Year", v.year.to_string()),
                pair("Class", v.class),
                pair("Engine", v.engine_cc.map_or("—".into(), |c| format!("{c} cc"))),
                pair("Chassis", v.chassis_number),
                pair("Engine number", v.engine_number),
                pair("Logbook serial", v.logbook_serial),
                pair("Status", if v.transfer_pending { "Transfer pending".into() } else { v.status }),
            ];
            for o in f.owners {
                page.rows.push(pair(if o.role == "financier" { "Financier" } else { "Owner" }, o.name));
            }
            render(StatusCode::OK, &page, None)
        }
        Ok(vehicles::Inquiry::Limited(v)) => {
            page.lead = vec!["You see the public part of the record: owners see the whole of it.".into()];
            page.rows = vec![
                pair("Registration", v.registration_number),
                pair("Vehicle", format!("{} {} {}", v.colour, v.make, v.model)),
                pair("Year", v.year.to_string()),
                pair("Status", if v.transfer_pending { "Transfer pending".into() } else { v.status }),
            ];
            render(StatusCode::OK, &page, None)
        }
        Err(e) => {
            let status = e.status();
            page.errors = error_lines(&e).into_iter().map(|(_, m)| ("registration_number".to_string(), m)).collect();
            render(status, &page, None)
        }
    })
}

// ---- transfers --------------------------------------------------------------------

fn eat(ms: i64) -> String {
    let d = domain::Date::from_utc_ms(ms + transfers::EAT_OFFSET_MS);
    let minutes = (ms + transfers::EAT_OFFSET_MS).rem_euclid(86_400_000) / 60_000;
    format!("{d} {:02}:{:02}", minutes / 60, minutes % 60)
}

/// A page of transfers, as a table.
struct ListPage<'a> {
    title: &'a str,
    lead: Vec<String>,
    empty: &'a str,
    pager: Vec<(String, &'static str)>,
}

fn list_page(actor: &Actor, items: Vec<transfers::ListItem>, l: ListPage<'_>) -> Response {
    let rows = items
        .into_iter()
        .map(|t| Row {
            link: format!("/transfers/{}", t.id),
            cells: vec![
                t.reference,
                t.registration_number,
                match t.conflict_of_interest {
                    Some(why) => format!("{}. {why}.", t.state_label),
                    None => t.state_label,
                },
                format!("{} day{}", t.age_days, if t.age_days == 1 { "" } else { "s" }),
                t.review_deadline.unwrap_or_default(),
            ],
        })
        .collect();
    let page = TablePage {
        user: Some(user(actor)),
        errors: vec![],
        notice: None,
        title: l.title.into(),
        lead: l.lead,
        form_action: String::new(),
        query: String::new(),
        head: vec!["Reference", "Vehicle", "State", "Age", "Review due"],
        rows,
        empty: l.empty.into(),
        pager: l.pager,
    };
    render(StatusCode::OK, &page, None)
}

async fn my_transfers(
    State(reg): State<Registry>,
    headers: HeaderMap,
    Addr(addr): Addr,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let (actor, _) = signed_in(&reg, &headers, addr.clone(), "/transfers").await?;
    let req = PageRequest::from_query(&q).or_show(&actor)?;
    let page = transfers::list_mine(&reg, &actor, &req).await.or_show(&actor)?;
    let pager = pager("/transfers", &req, &page);
    let l = ListPage { title: "Transfers", lead: vec![], empty: "You are not part of any transfer.", pager };
    Ok(list_page(&actor, page.items, l))
}

async fn review_queue(
    State(reg): State<Registry>,
    headers: HeaderMap,
    Addr(addr): Addr,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let (actor, _) = signed_in(&reg, &headers, addr.clone(), "/review").await?;
    let req = PageRequest::from_query(&q).or_show(&actor)?;
    let page = transfers::queue(&reg, &actor, &req).await.or_show(&actor)?;
    let (waiting, oldest) = transfers::review_backlog(&reg).await.or_show(&actor)?;
    let lead = match oldest {
        Some(at) if waiting > 0 => {
            let days = (reg.now_ms() - at).max(0) / domain::policy::DAY_MS;
            vec![format!(
                "{waiting} transfer{} waiting; the oldest for {days} day{}.",
                if waiting == 1 { "" } else { "s" },
                if days == 1 { "" } else { "s" }
            )]
        }
        _ => vec![],
    };
    let pager = pager("/review", &req, &page);
    let l = ListPage { title: "Review queue (oldest first)", lead, empty: "Nothing is waiting for review.", pager };
    Ok(list_page(&actor, page.items, l))
}

#[derive(Template)]
#[template(path = "new_transfer.html")]
struct NewTransferPage {
    user: Option<User>,
    errors: Vec<(String, String)>,
    notice: Option<String>,
    csrf: String,
    reg_no: String,
    buyer_type: String,
    buyer_id: String,
    buyer_types: Vec<(&'static str, &'static str)>,
    err_reg: Option<String>,
    err_type: Option<String>,
    err_id: Option<String>,
}

fn new_transfer_page(
    actor: &Actor,
    csrf: String,
    input: &NewTransfer,
    errors: Vec<(String, String)>,
) -> NewTransferPage {
    let find = |f: &str| errors.iter().find(|(k, _)| k == f).map(|(_, m)| m.clone());
    let mut buyer_types = vec![("individual", "An individual")];
    buyer_types.extend(domain::org::OrgKind::ALL.iter().map(|k| (k.as_str(), k.label())));
    NewTransferPage {
        user: Some(user(actor)),
        err_reg: find("registration_number"),
        err_type: find("buyer_type"),
        err_id: find("buyer_id_number"),
        errors,
        notice: None,
        csrf,
        reg_no: input.registration_number.clone(),
        buyer_type: input.buyer_type.clone(),
        buyer_id: input.buyer_id_number.clone(),
        buyer_types,
    }
}

async fn new_transfer(State(reg): State<Registry>, headers: HeaderMap, Addr(addr): Addr) -> PageResult {
    let (actor, _) = signed_in(&reg, &headers, addr.clone(), "/transfers/new").await?;
    let (csrf, set) = CSRF.token_for(&headers);
    let input = NewTransfer { buyer_type: "individual".into(), ..NewTransfer::default() };
    Ok(render(StatusCode::OK, &new_transfer_page(&actor, csrf, &input, vec![]), set))
}

async fn new_transfer_submit(
    State(reg): State<Registry>,
    headers: HeaderMap,
    Addr(addr): Addr,
    Form(f): Form<HashMap<String, String>>,
) -> PageResult {
    if !CSRF.check(&headers, f.get("csrf").map(String::as_str)) {
        return Ok(csrf_refused());
    }
    let (actor, _) = signed_in(&reg, &headers, addr.clone(), "/transfers/new").await?;
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let input = NewTransfer {
        registration_number: get("registration_number"),
        buyer_type: get("buyer_type"),
        buyer_id_type: Some(get("buyer_id_type")).filter(|s| !s.is_empty()),
        buyer_id_number: get("buyer_id_number"),
    };
    Ok(match transfers::create(&reg, &actor, &input).await {
        Ok(t) => Redirect::to(&format!("/transfers/{}?notice=created", t.id)).into_response(),
        Err(e) => {
            let (csrf, set) = CSRF.token_for(&headers);
            render(e.status(), &new_transfer_page(&actor, csrf, &input, error_lines(&e)), set)
        }
    })
}

struct Field {
    name: &'static str,
    label: &'static str,
    hint: Option<String>,
    kind: &'static str,
    options: Vec<String>,
}

fn field(name: &'static str, label: &'static str, kind: &'static str) -> Field {
    Field { name, label, hint: None, kind, options: vec![] }
}

fn code_field() -> Field {
    Field { hint: Some("The 6-digit code sent to your phone".into()), ..field("code", "SMS code", "text") }
}

struct Action {
    action: &'static str,
    title: &'static str,
    lead: Vec<String>,
    fields: Vec<Field>,
    button: &'static str,
    style: &'static str,
    upload: bool,
}

fn action(action: &'static str, title: &'static str, button: &'static str, fields: Vec<Field>) -> Action {
    Action { action, title, lead: vec![], fields, button, style: "", upload: false }
}

/// The forms the person may use now, from their roles and the state.
fn actions_for(reg: &Registry, t: &TransferView, principal_pending: bool) -> Vec<Action> {
    let has = |r: &str| t.your_roles.iter().any(|x| x == r);
    let state = TState::parse(&t.state).ok();
    let mut out = vec![];
    match state {
        Some(TState::Draft) if has("seller") => {
            out.push(Action {
                upload: true,
                lead: vec!["A PDF, JPEG or PNG of at most 10 MB.".into()],
                ..action(
                    "upload",
                    "1. Upload the scanned logbook",
                    "Upload",
                    vec![field("logbook", "Scanned logbook", "file")],
                )
            });
            out.push(action("code-submit", "2. Security verification", "Send me a code", vec![]));
            out.push(action("submit", "3. Submit the transfer", "Submit", vec![code_field()]));
        }
        Some(TState::AwaitingConsents) if principal_pending => {
            out.push(action("code-consent", "Security verification", "Send me a code", vec![]));
            out.push(action("approve", "Approve this transfer", "Approve", vec![code_field()]));
            out.push(Action {
                style: "warning",
                ..action("refuse", "Refuse this transfer", "Refuse", vec![code_field()])
            });
        }
        Some(TState::AwaitingBuyer) if has("buyer") => {
            out.push(action("code-answer", "Security verification", "Send me a code", vec![]));
            let mut office = field("collection_office", "Office where you will collect the logbook", "select");
            office.options = reg.config().offices.clone();
            let mut address = field("postal_address", "Your postal address", "text");
            address.hint = Some("For example P.O. Box 12345-00100 Nairobi".into());
            out.push(Action {
                lead: vec![format!("Accepting charges the transfer fee of {} to your phone.", t.fee.amount)],
                ..action("accept", "Accept the transfer", "Accept and pay", vec![code_field(), address, office])
            });
            out.push(Action {
                style: "warning",
                ..action("decline", "Decline the transfer", "Decline", vec![code_field()])
            });
        }
        Some(TState::AwaitingPayment) if has("buyer") => {
            out.push(action("pay", "Pay the transfer fee", "Pay now", vec![]));
        }
        Some(TState::InReview) if has("officer") => {
            out.push(action("review-approve", "Approve", "Approve the transfer", vec![]));
            let reason = Field {
                hint: Some("Both parties are told this reason".into()),
                ..field("reason", "Reason", "textarea")
            };
            out.push(Action {
                style: "warning",
                ..action("review-reject", "Reject", "Reject the transfer", vec![reason])
            });
        }
        Some(TState::Approved) if has("officer") => {
            if let Some(l) = &t.logbook
                && let Some(next) = domain::transfer::LogbookState::parse(&l.state).ok().and_then(|s| s.next())
            {
                let title = if next == domain::transfer::LogbookState::ReadyForCollection {
                    "The logbook is printed"
                } else {
                    "The buyer collected the logbook"
                };
                out.push(action("logbook-next", title, "Record it", vec![]));
            }
        }
        _ => {}
    }
    if has("seller") && matches!(state, Some(TState::Draft | TState::AwaitingConsents | TState::AwaitingBuyer)) {
        out.push(Action { style: "secondary", ..action("cancel", "Cancel the transfer", "Cancel it", vec![]) });
    }
    out
}

#[derive(Template)]
#[template(path = "transfer.html")]
struct TransferPage {
    user: Option<User>,
    errors: Vec<(String, String)>,
    notice: Option<String>,
    csrf: String,
    t: TransferView,
    can_see_scan: bool,
    actions: Vec<Action>,
    timeline: Vec<(String, String, String)>,
}

fn notice_text(code: Option<&str>) -> Option<String> {
    Some(
        match code? {
            "created" => "The transfer is started. Upload the scanned logbook, then confirm with an SMS code.",
            "code" => "We have sent a code to your phone. It works for 5 minutes.",
            "done" => "Done.",
            _ => return None,
        }
        .to_string(),
    )
}

async fn transfer_page_for(
    reg: &Registry,
    actor: &Actor,
    headers: &HeaderMap,
    id: &str,
    notice: Option<String>,
    errors: Vec<(String, String)>,
    status: StatusCode,
) -> Response {
    let t = match transfers::get(reg, actor, id).await {
        Ok(t) => t,
        Err(e) => return message_page(Some(user(actor)), e.status(), &e),
    };
    let pending = t.consents.iter().any(|c| c.party_id == actor.principal_id() && c.decision.is_none());
    let actions = actions_for(reg, &t, pending && actor.may_transact());
    let timeline = t
        .timeline
        .iter()
        .map(|e| {
            let who = match (&e.actor, &e.acting_for) {
                (Some(a), Some(f)) if a != f => format!("{a} for {f}"),
                (Some(a), _) => a.clone(),
                (None, _) => "tims".into(),
            };
            (eat(e.at_ms), e.action.replace('_', " "), who)
        })
        .collect();
    let (csrf, set) = CSRF.token_for(headers);
    let can_see_scan = t.your_roles.iter().any(|r| r == "seller" || r == "officer");
    let page = TransferPage {
        user: Some(user(actor)),
        errors,
        notice,
        csrf,
        can_see_scan,
        actions: if actor.may_transact() || actor.is_staff() { actions } else { vec![] },
        timeline,
        t,
    };
    render(status, &page, set)
}

async fn transfer_page(
    State(reg): State<Registry>,
    headers: HeaderMap,
    Addr(addr): Addr,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> PageResult {
    let (actor, _) = signed_in(&reg, &headers, addr.clone(), &transfer_path(&id)).await?;
    let notice = notice_text(q.get("notice").map(String::as_str));
    Ok(transfer_page_for(&reg, &actor, &headers, &id, notice, vec![], StatusCode::OK).await)
}

async fn scan(State(reg): State<Registry>, headers: HeaderMap, Addr(addr): Addr, Path(id): Path<String>) -> PageResult {
    let (actor, _) = signed_in(&reg, &headers, addr.clone(), "/transfers").await?;
    let (ct, bytes) = transfers::logbook_scan(&reg, &actor, &id).await.or_show(&actor)?;
    let ct = match ct.as_str() {
        "application/pdf" => "application/pdf",
        "image/jpeg" => "image/jpeg",
        "image/png" => "image/png",
        _ => "application/octet-stream",
    };
    let kind =
        [(header::CONTENT_TYPE, ct), (header::CACHE_CONTROL, "no-store"), (header::X_CONTENT_TYPE_OPTIONS, "nosniff")];
    Ok((kind, bytes).into_response())
}

/// A transfer form's fields; the scanned logbook arrives as a multipart upload.
async fn fields(req: Request) -> Result<(HashMap<String, String>, Option<Vec<u8>>), Error> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let bad = |m: &str| FieldErrors::single("logbook", m.to_string());
    if multipart {
        let mut mp =
            Multipart::from_request(req, &()).await.map_err(|_| bad("The upload could not be read: try again"))?;
        let mut f = HashMap::new();
        let mut file = None;
        while let Some(part) = mp.next_field().await.map_err(|_| bad("The upload could not be read: try again"))? {
            let name = part.name().unwrap_or_default().to_string();
            let bytes = part.bytes().await.map_err(|_| bad("The file is too large: at most 10 MB"))?;
            if name == "logbook" {
                file = Some(bytes.to_vec());
            } else {
                f.insert(name, String::from_utf8_lossy(&bytes).to_string());
            }
        }
        Ok((f, file))
    } else {
        let Form(f) = Form::<HashMap<String, String>>::from_request(req, &())
            .await
            .map_err(|_| FieldErrors::single("", "The form could not be read: go back and try again"))?;
        Ok((f, None))
    }
}

async fn transfer_action(
    State(reg): State<Registry>,
    Path((id, action)): Path<(String, String)>,
    req: Request,
) -> PageResult {
    let headers = req.headers().clone();
    let addr = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string());
    let (actor, _) = signed_in(&reg, &headers, addr.clone(), &transfer_path(&id)).await?;
    let (f, file) = match fields(req).await {
        Ok(x) => x,
        Err(e) => return Ok(transfer_page_for(&reg, &actor, &headers, &id, None, error_lines(&e), e.status()).await),
    };
    if !CSRF.check(&headers, f.get("csrf").map(String::as_str)) {
        return Ok(csrf_refused());
    }
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let code = get("code");
    let result: Result<&str, Error> = match action.as_str() {
        "upload" => match &file {
            Some(bytes) if !bytes.is_empty() => {
                transfers::upload_logbook(&reg, &actor, &id, bytes).await.map(|_| "done")
            }
            _ => Err(FieldErrors::single("logbook", "Choose the scanned logbook file to upload")),
        },
        "code-submit" => transfers::send_code(&reg, &actor, &id, CodeStep::Submit).await.map(|_| "code"),
        "code-consent" => transfers::send_code(&reg, &actor, &id, CodeStep::Consent).await.map(|_| "code"),
        "code-answer" => transfers::send_code(&reg, &actor, &id, CodeStep::Answer).await.map(|_| "code"),
        "submit" => transfers::submit(&reg, &actor, &id, &code).await.map(|_| "done"),
        "approve" => transfers::consent(&reg, &actor, &id, true, &code).await.map(|_| "done"),
        "refuse" => transfers::consent(&reg, &actor, &id, false, &code).await.map(|_| "done"),
        "accept" => {
            let a =
                Acceptance { code, postal_address: get("postal_address"), collection_office: get("collection_office") };
            transfers::accept(&reg, &actor, &id, &a).await.map(|_| "done")
        }
        "decline" => transfers::decline(&reg, &actor, &id, &code).await.map(|_| "done"),
        "pay" => transfers::pay(&reg, &actor, &id).await.map(|_| "done"),
        "cancel" => transfers::cancel(&reg, &actor, &id).await.map(|_| "done"),
        "review-approve" => transfers::review(&reg, &actor, &id, true, None).await.map(|_| "done"),
        "review-reject" => transfers::review(&reg, &actor, &id, false, Some(&get("reason"))).await.map(|_| "done"),
        "logbook-next" => match transfers::get(&reg, &actor, &id).await {
            Ok(t) => {
                let next = t
                    .logbook
                    .as_ref()
                    .and_then(|l| domain::transfer::LogbookState::parse(&l.state).ok())
                    .and_then(|s| s.next());
                match next {
                    Some(n) => transfers::advance_logbook(&reg, &actor, &id, n.as_str()).await.map(|_| "done"),
                    None => Err(Error::Conflict("The logbook has already been collected".into())),
                }
            }
            Err(e) => Err(e),
        },
        _ => Err(Error::NotFound("No such step".into())),
    };
    Ok(match result {
        Ok(notice) => Redirect::to(&format!("/transfers/{id}?notice={notice}")).into_response(),
        Err(e) => {
            // Field ids on the page are prefixed by the form's action.
            let lines = error_lines(&e)
                .into_iter()
                .map(|(f, m)| (if f.is_empty() { f } else { format!("{action}-{f}") }, m))
                .collect();
            transfer_page_for(&reg, &actor, &headers, &id, None, lines, e.status()).await
        }
    })
}
