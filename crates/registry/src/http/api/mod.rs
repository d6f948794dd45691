//! The JSON API under `/api/v1`: the same steps as the pages, for people's
//! apps and for dealers', banks' and insurers' systems. Callers send the
//! provider's access token as a Bearer token and, to act for an
//! organisation, its KRA PIN in `X-Act-For`. Requests are read strictly
//! (unknown JSON fields are refused); every error under `/api/` is RFC 9457
//! problem+json with field errors; `Idempotency-Key` is honoured on every
//! POST. The OpenAPI 3.1 document at `/api/openapi.json` is made from the
//! same handlers and types. Handlers parse, call one use case and render.

mod doc;
mod idempotency;
mod input;
mod payments;
mod problem;
pub mod schema;
mod transfers;
mod vehicles;

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use texts::{ApiText, Text as _};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::API_LANG;
use crate::paging::PageRequest;
use crate::signin::{self, Actor};
use crate::vehicles::Search;
use crate::{Error, FieldErrors, Registry};
pub use doc::{Site, openapi_json};
pub use problem::{PROBLEM_JSON, problem, problem_for_status, problems_only};

pub const ACT_FOR_HEADER: &str = "x-act-for";
const MAX_BODY: usize = crate::scans::MAX_SCAN_BYTES + 64 * 1024;

/// The API's routes and its OpenAPI description, from the same handlers.
fn routes() -> (Router<Registry>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = OpenApiRouter::with_openapi(doc::ApiDoc::openapi())
        .routes(routes!(vehicles::me))
        .routes(routes!(vehicles::my_actions))
        .routes(routes!(vehicles::fees))
        .routes(routes!(vehicles::quote))
        .routes(routes!(vehicles::my_vehicles))
        .routes(routes!(vehicles::inquire))
        .routes(routes!(transfers::my_transfers, transfers::create))
        .routes(routes!(transfers::transfer))
        .routes(routes!(transfers::scan, transfers::upload_scan))
        .routes(routes!(transfers::send_code))
        .routes(routes!(transfers::submit))
        .routes(routes!(transfers::consent))
        .routes(routes!(transfers::accept))
        .routes(routes!(transfers::decline))
        .routes(routes!(transfers::pay))
        .routes(routes!(transfers::payment))
        .routes(routes!(transfers::cancel))
        .routes(routes!(transfers::refund))
        .routes(routes!(transfers::review_view, transfers::review))
        .routes(routes!(transfers::logbook))
        .routes(routes!(transfers::queue))
        .routes(routes!(payments::attempts))
        .routes(routes!(payments::report))
        .routes(routes!(payments::statement))
        .split_for_parts();
    doc::EveryOperation.modify(&mut doc);
    (router, doc)
}

pub fn router(reg: Registry) -> Router {
    let (api, _) = routes();
    let cfg = reg.config();
    let spec = openapi_json(&Site { public_url: &cfg.public_url, offices: &cfg.offices, issuer: &cfg.oidc.issuer });
    let spec = std::sync::Arc::new(spec);
    let api = api
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(reg.clone(), authenticate))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .with_state(reg);
    let v1 = Router::new().nest("/api/v1", Router::new().fallback(not_found)).merge(api);
    Router::new()
        .route(
            "/api/openapi.json",
            get(move || {
                let spec = spec.clone();
                async move { ([(header::CONTENT_TYPE, "application/json")], spec.as_str().to_string()) }
            }),
        )
        .merge(v1.layer(middleware::map_response(no_store)))
        .layer(middleware::map_response(problems_only))
}

/// Nothing under /api/v1 is for a cache to keep: transfer records, scanned
/// logbooks, who the caller is, and refusals alike (the OpenAPI document
/// may be kept).
async fn no_store(mut resp: Response) -> Response {
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

async fn not_found() -> Response {
    problem(&Error::NotFound(ApiText::NoSuchEndpoint.render(API_LANG)))
}

// ---- who is asking ------------------------------------------------------------

/// Resolve the caller once per request (Bearer token, `X-Act-For`, address)
/// and keep it in the request for the handler; then honour an
/// `Idempotency-Key` (one layer for both: every API request passes here).
async fn authenticate(State(reg): State<Registry>, mut req: Request, next: Next) -> Response {
    if let Some(refused) = refuse_announced_excess(&mut req).await {
        return refused;
    }
    let address = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string());
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(|t| t.trim().to_string());
    if let Some(token) = bearer {
        let act_for = match act_for(&req) {
            Ok(a) => a,
            Err(e) => return problem(&e),
        };
        let actor = match signin::from_bearer(&reg, &token, address, API_LANG).await {
            Ok(a) => a,
            Err(e) => return problem(&e),
        };
        match actor.act_for(act_for.as_deref(), API_LANG) {
            Ok(a) => {
                req.extensions_mut().insert(a);
            }
            Err(e) => return problem(&e),
        }
    }
    if req.method() == Method::POST && req.headers().contains_key(idempotency::HEADER) {
        return idempotency::run_once(&reg, req, next).await;
    }
    next.run(req).await
}

/// A body announced over the limit is refused (413) before it is used. A
/// client waiting on `Expect: 100-continue` is answered at once; another is
/// sending the body already, so it is read and dropped first (up to four
/// times the limit), for the client to get to read the answer at all.
async fn refuse_announced_excess(req: &mut Request) -> Option<Response> {
    let announced = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok())?;
    if announced <= MAX_BODY {
        return None;
    }
    let waiting = req.headers().get(header::EXPECT).is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    if !waiting && announced <= 4 * MAX_BODY {
        let body = std::mem::take(req.body_mut());
        let _ = axum::body::to_bytes(body, 4 * MAX_BODY).await;
    }
    Some(problem::body_too_large())
}

/// The KRA PIN in `X-Act-For`, if any (empty is none), refused by name when
/// it is not one.
fn act_for(req: &Request) -> Result<Option<String>, Error> {
    let Some(v) = req.headers().get(ACT_FOR_HEADER) else { return Ok(None) };
    let v = v.to_str().map_err(|_| FieldErrors::single("X-Act-For", ApiText::ActForAscii.render(API_LANG)))?.trim();
    if v.is_empty() {
        return Ok(None);
    }
    domain::KraPin::parse(v)
        .map(|p| Some(p.as_str().to_string()))
        .map_err(|e| FieldErrors::single("X-Act-For", e.message))
}

/// The signed-in caller; 401 without one.
pub struct Caller(pub Actor);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Caller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.remove::<Actor>().map(Caller).ok_or_else(|| problem(&Error::Unauthenticated))
    }
}

/// The caller if signed in, for what anyone may ask but a signed-in caller
/// may ask more of.
pub struct MaybeCaller(pub Option<Actor>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for MaybeCaller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(MaybeCaller(parts.extensions.remove::<Actor>()))
    }
}

// ---- parameters every operation shares --------------------------------------------

/// A transfer, by id or by reference.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TransferPath {
    /// The transfer's id, or its reference (e.g. `TR-4K7QZ-M2P9X`).
    #[param(pattern = "^([0-9a-f]{32}|TR-[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5})$")]
    pub id: String,
}

/// Which page of a list, as sent (read by [`PageRequest::parse`], which
/// names a refused value).
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// The `next` cursor of the previous page; none (or empty) for the first.
    #[param(pattern = "^[A-Za-z0-9_-]{0,512}$")]
    after: Option<String>,
    /// Items on the page, 1 to 200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    limit: Option<String>,
}

impl PageQuery {
    pub fn page_request(&self) -> Result<PageRequest, Error> {
        PageRequest::parse(self.after.as_deref(), self.limit.as_deref())
    }
}

/// A search within a list, as typed (read by [`Search::parse`], which names
/// a refused term).
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// A registration number or transfer reference, whole or in part, in
    /// any case, with or without spaces and dashes (at most 40 characters);
    /// none (or empty) for the whole list.
    #[param(max_length = 40)]
    q: Option<String>,
}

impl SearchQuery {
    pub fn search(&self, actor: &Actor) -> Result<Search, Error> {
        Search::parse(self.q.as_deref(), actor)
    }
}
