//! The JSON API under `/api/v1`: the same steps as the pages, for people's
//! apps and for dealers', banks' and insurers' systems. Callers send the
//! provider's access token as a Bearer token and, to act for an
//! organisation, its KRA PIN in `X-Act-For`. Errors are RFC 9457
//! problem+json with field errors; `Idempotency-Key` is honoured on every
//! POST. Handlers parse, call one use case and render.

use std::collections::HashMap;
use std::net::SocketAddr;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Path, Query, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{self, Actor};
use crate::paging::PageRequest;
use crate::transfers::{self, Acceptance, CodeStep, NewTransfer, TransferView};
use crate::vehicles::Inquiry;
use crate::{Error, FieldErrors, Registry, vehicles};

pub const ACT_FOR_HEADER: &str = "x-act-for";
const MAX_BODY: usize = crate::store::MAX_SCAN_BYTES + 64 * 1024;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "tims registry API",
        version = "1",
        description = "Vehicles, owners and the online logbook transfer. Send the sign-on's access token as a \
                       Bearer token (only the gazetted fee schedule and a fee quote by class are public); to act \
                       for an organisation send its KRA PIN in X-Act-For. Every POST honours Idempotency-Key. \
                       Errors are RFC 9457 problem+json."
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "vehicles", description = "Inquiry and the caller's vehicles"),
        (name = "transfers", description = "The logbook transfer, step by step"),
        (name = "review", description = "The agency's officers"),
        (name = "fees", description = "The fee schedule")
    )
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
    }
}

/// Beside the bearer scheme, where its tokens come from: the provider's
/// discovery document (`openIdConnect`), known only once the issuer is.
fn declare_provider(openapi: &mut utoipa::openapi::OpenApi, issuer: &str) {
    use utoipa::openapi::security::{OpenIdConnect, SecurityScheme};
    let components = openapi.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "openIdConnect",
        SecurityScheme::OpenIdConnect(OpenIdConnect::with_description(
            format!("{issuer}/.well-known/openid-configuration"),
            "The sign-on that issues the access tokens of the bearer scheme: authorization code flow with PKCE \
             (S256) for a client the operator registered with API access; scopes openid profile phone \
             organisations (offline_access for a refresh token)."
                .to_string(),
        )),
    );
}

/// The API's routes and its OpenAPI description, from the same handlers.
fn routes() -> (Router<Registry>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(me))
        .routes(routes!(fees))
        .routes(routes!(quote))
        .routes(routes!(my_vehicles))
        .routes(routes!(inquire))
        .routes(routes!(my_transfers, create_transfer))
        .routes(routes!(transfer))
        .routes(routes!(scan, upload_scan))
        .routes(routes!(send_code))
        .routes(routes!(submit))
        .routes(routes!(consent))
        .routes(routes!(accept))
        .routes(routes!(decline))
        .routes(routes!(pay))
        .routes(routes!(cancel))
        .routes(routes!(review))
        .routes(routes!(logbook))
        .routes(routes!(queue))
        .split_for_parts()
}

/// The OpenAPI 3.1 document, as served at `/api/openapi.json`.
pub fn openapi_json() -> String {
    routes().1.to_pretty_json().unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// The document as served for the provider `issuer` (see [`declare_provider`]).
fn openapi_json_for(issuer: &str) -> String {
    let mut doc = routes().1;
    declare_provider(&mut doc, issuer);
    doc.to_pretty_json().unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

pub fn router(reg: Registry) -> Router {
    let (api, _) = routes();
    let spec = std::sync::Arc::new(openapi_json_for(&reg.config().oidc.issuer));
    let api = api
        .fallback(not_found)
        .layer(middleware::map_response(problem_for_rejections))
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
}

/// Nothing under /api/v1 is for a cache to keep: transfer records, scanned
/// logbooks, who the caller is, and refusals alike (the OpenAPI document
/// may be kept).
async fn no_store(mut resp: Response) -> Response {
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// A problem (RFC 9457), as the API answers every error.
#[derive(Debug, utoipa::ToSchema)]
#[allow(dead_code)]
struct Problem {
    r#type: String,
    title: String,
    status: u16,
    detail: Option<String>,
    errors: Option<Vec<FieldProblem>>,
}

#[derive(Debug, utoipa::ToSchema)]
#[allow(dead_code)]
struct FieldProblem {
    field: String,
    message: String,
}

// ---- errors -----------------------------------------------------------------

/// Refusal of a body over the limit, naming the field.
fn body_too_large() -> String {
    format!("The request body is too large: at most {} MB", crate::store::MAX_SCAN_BYTES >> 20)
}

/// The framework's own refusals (a body over the limit, a path or query it
/// cannot read) come as plain text; API clients get problem+json like every
/// other refusal.
async fn problem_for_rejections(resp: Response) -> Response {
    let plain = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("text/plain"));
    let status = resp.status();
    if !status.is_client_error() || !plain {
        return resp;
    }
    let title = status.canonical_reason().unwrap_or("Refused");
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return problem_response(status, title, None, &[("body".into(), body_too_large())]);
    }
    let text = axum::body::to_bytes(resp.into_body(), 64 * 1024).await.unwrap_or_default();
    problem_response(status, title, Some(String::from_utf8_lossy(&text).trim().to_string()), &[])
}

/// An RFC 9457 problem details response; field errors, when there are any,
/// make the detail and are listed under `errors`.
fn problem_response(status: StatusCode, title: &str, detail: Option<String>, fields: &[(String, String)]) -> Response {
    let mut body = json!({"type": "about:blank", "title": title, "status": status.as_u16()});
    if let Some(d) = detail {
        body["detail"] = json!(d);
    }
    if !fields.is_empty() {
        body["detail"] = json!(fields.iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; "));
        body["errors"] = json!(fields.iter().map(|(f, m)| json!({"field": f, "message": m})).collect::<Vec<_>>());
    }
    let mut resp = (status, body.to_string()).into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    resp
}

/// RFC 9457 problem details for a registry error.
pub fn problem(err: &Error) -> Response {
    let status = err.status();
    let failed = || ("Something went wrong", Some("Try again in a moment".to_string()));
    let (title, detail) = match err {
        Error::Invalid(_) => ("Some fields need attention", None),
        Error::Conflict(m) => ("Not possible now", Some(m.clone())),
        Error::TooMany(m) => ("Too many requests", Some(m.clone())),
        Error::Unauthenticated => {
            ("Sign in first", Some("Send the sign-on's access token as `Authorization: Bearer …`".to_string()))
        }
        Error::SignInFor(m) => ("Sign in first", Some(m.clone())),
        Error::TokenRefused(why) => ("Access token refused", Some(format!("The access token was refused: {why}"))),
        Error::Forbidden(m) => ("Not allowed", Some(m.clone())),
        Error::NotFound(m) => ("Not found", Some(m.clone())),
        Error::Unavailable(m) => ("Unavailable", Some(m.clone())),
        Error::Db(e) => {
            tracing::error!(error = %e, "database error");
            failed()
        }
        Error::Internal(m) => {
            tracing::error!(error = m, "internal error");
            failed()
        }
    };
    let fields = match err {
        Error::Invalid(FieldErrors(fields)) => fields.as_slice(),
        _ => &[],
    };
    let mut resp = problem_response(status, title, detail, fields);
    if let Some(challenge) = err.www_authenticate() {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, challenge);
    }
    if matches!(err, Error::Unavailable(_) | Error::TooMany(_)) {
        resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
    }
    resp
}

type ApiResult = Result<Response, Error>;

fn ok<T: serde::Serialize>(status: StatusCode, v: &T) -> ApiResult {
    Ok((status, Json(v)).into_response())
}

async fn not_found() -> Response {
    problem(&Error::NotFound("No such API endpoint".into()))
}

/// Parse a JSON body, turning every malformed input into a field error.
fn body<T: DeserializeOwned + Default>(bytes: &Bytes) -> Result<T, Error> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(bytes).map_err(|e| {
        let what = e.to_string();
        let field = what.split('`').nth(1).unwrap_or("body").to_string();
        FieldErrors::single(field, format!("The request body is not the JSON this endpoint takes: {what}"))
    })
}

// ---- who is asking ------------------------------------------------------------

/// Resolve the caller once per request (Bearer token, `X-Act-For`, address)
/// and keep it in the request for the handler; then honour an
/// `Idempotency-Key` (one layer for both: every API request passes here).
async fn authenticate(State(reg): State<Registry>, mut req: Request, next: Next) -> Response {
    let address = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string());
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(|t| t.trim().to_string());
    if let Some(token) = bearer {
        let act_for = req.headers().get(ACT_FOR_HEADER).and_then(|v| v.to_str().ok()).map(str::to_string);
        let actor = match auth::from_bearer(&reg, &token, address).await {
            Ok(a) => a,
            Err(e) => return problem(&e),
        };
        match actor.act_for(act_for.as_deref()) {
            Ok(a) => {
                req.extensions_mut().insert(a);
            }
            Err(e) => return problem(&e),
        }
    }
    if req.method() == Method::POST && req.headers().contains_key("idempotency-key") {
        return idempotency(&reg, req, next).await;
    }
    next.run(req).await
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

// ---- Idempotency-Key ------------------------------------------------------------

/// Same key and body: the first answer again. Same key, another body: 422.
/// Still running: 409. Keys are per person; answers of 5xx are not kept, so
/// a retry runs again.
async fn idempotency(reg: &Registry, req: Request, next: Next) -> Response {
    let Some(key) = req.headers().get("idempotency-key").cloned() else {
        return next.run(req).await;
    };
    let key = match key.to_str().ok().map(str::trim).filter(|k| !k.is_empty() && k.len() <= 255) {
        Some(k) => k.to_string(),
        None => {
            return problem(&FieldErrors::single("Idempotency-Key", "Send 1 to 255 visible ASCII characters"));
        }
    };
    let Some(principal) = req.extensions().get::<Actor>().map(|a| a.person.id.clone()) else {
        return next.run(req).await; // the handler answers 401
    };
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => return problem(&FieldErrors::single("body", body_too_large())),
    };
    let mut hasher = sha2::Sha256::default();
    sha2::Digest::update(&mut hasher, parts.method.as_str().as_bytes());
    sha2::Digest::update(&mut hasher, parts.uri.path().as_bytes());
    sha2::Digest::update(&mut hasher, parts.headers.get(ACT_FOR_HEADER).map_or(&b""[..], |v| v.as_bytes()));
    sha2::Digest::update(&mut hasher, &bytes);
    let hash = crate::reference::hex(&sha2::Digest::finalize(hasher));
    match claim_key(reg, &principal, &key, &hash).await {
        Ok(Claim::New) => {}
        Ok(Claim::Replay(status, body)) => {
            let mut resp = (StatusCode::from_u16(status).unwrap_or(StatusCode::OK), body).into_response();
            let ct = if status >= 400 { "application/problem+json" } else { "application/json" };
            resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
            resp.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
            return resp;
        }
        Ok(Claim::OtherBody) => {
            return problem(&FieldErrors::single(
                "Idempotency-Key",
                "This key was already used for a different request: use a new key for a new request",
            ));
        }
        Ok(Claim::Running) => {
            return problem(&Error::Conflict("A request with this Idempotency-Key is still being processed".into()));
        }
        Err(e) => return problem(&e),
    }
    let resp = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    let status = resp.status();
    let (parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    let stored = if status.is_server_error() {
        reg.db()
            .execute_write(
                sqlx::query("DELETE FROM reg_idempotency WHERE principal = $1 AND idem_key = $2")
                    .bind(&principal)
                    .bind(&key),
            )
            .await
    } else {
        reg.db()
            .execute_write(
                sqlx::query("UPDATE reg_idempotency SET status = $1, body = $2 WHERE principal = $3 AND idem_key = $4")
                    .bind(i64::from(status.as_u16()))
                    .bind(String::from_utf8_lossy(&bytes).to_string())
                    .bind(&principal)
                    .bind(&key),
            )
            .await
    };
    if let Err(e) = stored {
        tracing::error!(error = %e, "could not record the answer to an Idempotency-Key");
    }
    Response::from_parts(parts, Body::from(bytes))
}

enum Claim {
    New,
    Replay(u16, String),
    OtherBody,
    Running,
}

/// A key whose request has run this long without an answer is taken to be
/// abandoned (the client went away, the node stopped) and may be used again.
pub const ABANDONED_KEY_MS: i64 = 60_000;
/// Answers are kept this long for replays.
pub const KEEP_KEYS_MS: i64 = 24 * 60 * 60 * 1000;

async fn claim_key(reg: &Registry, principal: &str, key: &str, hash: &str) -> Result<Claim, Error> {
    let now = reg.now_ms();
    let inserted = reg
        .db()
        .execute_write(
            sqlx::query(
                "INSERT INTO reg_idempotency (principal, idem_key, request_hash, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (principal, idem_key) DO NOTHING",
            )
            .bind(principal)
            .bind(key)
            .bind(hash)
            .bind(now),
        )
        .await?;
    if inserted.rows_affected() == 1 {
        return Ok(Claim::New);
    }
    let row: Option<(String, Option<i64>, Option<String>, i64)> = sqlx::query_as(
        "SELECT request_hash, status, body, created_at FROM reg_idempotency WHERE principal = $1 AND idem_key = $2",
    )
    .bind(principal)
    .bind(key)
    .fetch_optional(reg.db().pool())
    .await?;
    Ok(match row {
        None => Claim::Running,
        Some((h, _, _, _)) if h != hash => Claim::OtherBody,
        Some((_, Some(status), Some(body), _)) => Claim::Replay(u16::try_from(status).unwrap_or(200), body),
        Some((_, _, _, created_at)) if now - created_at >= ABANDONED_KEY_MS => {
            // Take the abandoned key over, once, even if two retries race.
            let taken = reg
                .db()
                .execute_write(
                    sqlx::query(
                        "UPDATE reg_idempotency SET created_at = $1 WHERE principal = $2 AND idem_key = $3 \
                 AND status IS NULL AND created_at = $4",
                    )
                    .bind(now)
                    .bind(principal)
                    .bind(key)
                    .bind(created_at),
                )
                .await?;
            if taken.rows_affected() == 1 { Claim::New } else { Claim::Running }
        }
        Some(_) => Claim::Running,
    })
}

/// Forget answers older than `KEEP_KEYS_MS`. Returns how many.
pub async fn purge_keys(reg: &Registry) -> Result<u64, Error> {
    let before = reg.now_ms() - KEEP_KEYS_MS;
    // Look first, so that a pass with nothing to purge commits nothing.
    let any: Option<(i64,)> =
        reg.db().read_optional("SELECT 1 FROM reg_idempotency WHERE created_at < $1 LIMIT 1", &[before.into()]).await?;
    if any.is_none() {
        return Ok(0);
    }
    let r =
        reg.db().execute_write(sqlx::query("DELETE FROM reg_idempotency WHERE created_at < $1").bind(before)).await?;
    Ok(r.rows_affected())
}

// ---- handlers -------------------------------------------------------------------

#[utoipa::path(get, path = "/api/v1/me", tag = "vehicles", summary = "Who the caller is, their organisations and staff role", params(("X-Act-For" = Option<String>, Header, description = "KRA PIN of the organisation to act for")), responses((status = 200, description = "Who the caller is, their organisations and staff role", body = Object), (status = 401, description = "No or bad access token", body = Problem, content_type = "application/problem+json"), (status = 403, description = "Not yours to do", body = Problem, content_type = "application/problem+json"), (status = 404, description = "Not found or not yours to see", body = Problem, content_type = "application/problem+json"), (status = 409, description = "Not possible in the current state", body = Problem, content_type = "application/problem+json"), (status = 422, description = "A field was refused", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
async fn me(Caller(a): Caller) -> ApiResult {
    ok(
        StatusCode::OK,
        &json!({
            "name": a.person.name,
            "id_type": a.person.doc_type,
            "id_number": a.person.doc_number,
            "staff_role": a.staff.map(|s| s.as_str()),
            "organisations": a.memberships,
            "acting_for": a.acting_for,
        }),
    )
}

#[utoipa::path(get, path = "/api/v1/fees", tag = "fees", summary = "The fee schedules in force and loaded", description = "Public, no token needed: the transfer fee schedule is gazetted. A token sent anyway must be valid.", responses((status = 200, description = "The fee schedules in force and loaded", body = Object), (status = 401, description = "An access token was sent and refused", body = Problem, content_type = "application/problem+json")), security(()))]
async fn fees(State(reg): State<Registry>) -> ApiResult {
    let (fees, _) = reg.rules().await?;
    ok(StatusCode::OK, &json!({ "schedules": fees.all() }))
}

#[derive(Debug, Deserialize)]
struct QuoteQuery {
    registration_number: Option<String>,
    class: Option<String>,
    engine_cc: Option<String>,
    trailer_wheels: Option<String>,
    date: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/fees/quote", tag = "fees", summary = "The transfer fee for a vehicle", description = "By class, engine_cc and trailer_wheels: public, no token needed (the schedule is gazetted). By registration_number: needs the sign-on's access token, since it reads the register; without one it answers 401.", params(("registration_number" = Option<String>, Query, description = "A registered vehicle; needs an access token"), ("class" = Option<String>, Query, description = "motor_vehicle, motorcycle, trailer or tractor"), ("engine_cc" = Option<u32>, Query, description = "Engine capacity in cc"), ("trailer_wheels" = Option<u32>, Query, description = "Wheels on a trailer"), ("date" = Option<String>, Query, description = "YYYY-MM-DD; default today (EAT)")), responses((status = 200, description = "The transfer fee for a vehicle", body = Object), (status = 401, description = "registration_number without an access token, or a token that was refused", body = Problem, content_type = "application/problem+json"), (status = 422, description = "A field was refused, or no such vehicle is registered", body = Problem, content_type = "application/problem+json")), security((), ("bearer" = [])))]
async fn quote(
    State(reg): State<Registry>,
    MaybeCaller(caller): MaybeCaller,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult {
    let q = QuoteQuery {
        registration_number: q.get("registration_number").cloned(),
        class: q.get("class").cloned(),
        engine_cc: q.get("engine_cc").cloned(),
        trailer_wheels: q.get("trailer_wheels").cloned(),
        date: q.get("date").cloned(),
    };
    let mut errors = FieldErrors::new();
    let date = match q.date.as_deref() {
        Some(d) => errors.check("date", domain::Date::parse(d)),
        None => Some(transfers::today_eat(reg.now_ms())),
    };
    let query = if let Some(r) = q.registration_number.as_deref() {
        // Whether a plate is registered is the register's to tell, to
        // those signed in; the schedule itself is public.
        if caller.is_none() {
            return Err(Error::SignInFor(
                "A quote by registration_number reads the register, so send the sign-on's access token as \
                 `Authorization: Bearer …`; a quote by class and engine_cc (or trailer_wheels) needs none"
                    .into(),
            ));
        }
        let reg_no = vehicles::parse_registration(r)?;
        let v = vehicles::by_registration(&reg, &reg_no)
            .await?
            .ok_or_else(|| FieldErrors::single("registration_number", format!("No vehicle {reg_no} is registered")))?;
        Some(v.fee_query()?)
    } else {
        let class = match q.class.as_deref() {
            Some(c) => errors.check("class", domain::fees::VehicleClass::parse(c)),
            None => {
                errors.add("class", "Give registration_number, or class (motor_vehicle, motorcycle, trailer, tractor)");
                None
            }
        };
        let number = |errors: &mut FieldErrors, field: &str, raw: Option<&str>, max: u32| -> Option<u32> {
            let raw = raw?;
            match raw.trim().parse::<u32>() {
                Ok(n) if n <= max => Some(n),
                _ => {
                    errors.add(field, format!("Enter a whole number from 0 to {max}"));
                    None
                }
            }
        };
        let engine_cc = number(&mut errors, "engine_cc", q.engine_cc.as_deref(), 100_000);
        let wheels = number(&mut errors, "trailer_wheels", q.trailer_wheels.as_deref(), 64);
        class.map(|class| domain::fees::FeeQuery {
            class,
            engine_cc,
            trailer_wheels: wheels.and_then(|w| u8::try_from(w).ok()),
        })
    };
    errors.into_result()?;
    let (Some(date), Some(query)) = (date, query) else {
        return Err(Error::Internal("checked above".into()));
    };
    let (fees, _) = reg.rules().await?;
    let fee = fees.quote_on(date, &query).map_err(|e| FieldErrors::single("vehicle", e.to_string()))?;
    ok(
        StatusCode::OK,
        &json!({
            "amount_cents": fee.amount_cents,
            "amount": domain::fees::format_kes(fee.amount_cents),
            "rule": fee.description,
            "schedule": fee.schedule_version,
            "date": date.to_string(),
        }),
    )
}

#[utoipa::path(get, path = "/api/v1/vehicles", tag = "vehicles", summary = "The caller's vehicles and, when acting for an organisation, its vehicles too", params(("X-Act-For" = Option<String>, Header, description = "KRA PIN of the organisation to act for"), ("after" = Option<String>, Query, description = "The `next` cursor of the previous page; none for the first"), ("limit" = Option<u32>, Query, description = "Items on the page, 1 to 200 (default 50)")), responses((status = 200, description = "The caller's vehicles and, when acting for an organisation, its vehicles too", body = Object), (status = 401, description = "No or bad access token", body = Problem, content_type = "application/problem+json"), (status = 403, description = "Not yours to do", body = Problem, content_type = "application/problem+json"), (status = 404, description = "Not found or not yours to see", body = Problem, content_type = "application/problem+json"), (status = 409, description = "Not possible in the current state", body = Problem, content_type = "application/problem+json"), (status = 422, description = "A field was refused", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
async fn my_vehicles(
    State(reg): State<Registry>,
    Caller(a): Caller,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult {
    let page = vehicles::mine(&reg, &a, &PageRequest::from_query(&q)?).await?;
    let items: Vec<Value> = page
        .items
        .into_iter()
        .map(|h| {
            let mut j = json!(h.vehicle);
            j["your_role"] = json!(h.role);
            j["held_by"] = json!(h.organisation.unwrap_or_else(|| "you".into()));
            j
        })
        .collect();
    ok(StatusCode::OK, &json!({ "vehicles": items, "next": page.next }))
}

#[utoipa::path(get, path = "/api/v1/vehicles/{registration_number}", tag = "vehicles", summary = "Inquire by registration number: the whole record for owners and staff, a limited view for others", params(("X-Act-For" = Option<String>, Header, description = "KRA PIN of the organisation to act for"), ("registration_number" = String, Path, description = "e.g. KAA 001A")), responses((status = 200, description = "Inquire by registration number: the whole record for owners and staff, a limited view for others", body = Inquiry), (status = 401, description = "No or bad access token", body = Problem, content_type = "application/problem+json"), (status = 403, description = "Not yours to do", body = Problem, content_type = "application/problem+json"), (status = 404, description = "Not found or not yours to see", body = Problem, content_type = "application/problem+json"), (status = 409, description = "Not possible in the current state", body = Problem, content_type = "application/problem+json"), (status = 422, description = "A field was refused", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
async fn inquire(State(reg): State<Registry>, Caller(a): Caller, Path(r): Path<String>) -> ApiResult {
    ok(StatusCode::OK, &vehicles::inquire(&reg, &a, &r).await?)
}

#[utoipa::path(get, path = "/api/v1/transfers", tag = "transfers", summary = "The transfers the caller is a party to", params(("X-Act-For" = Option<String>, Header, description = "KRA PIN of the organisation to act for"), ("after" = Option<String>, Query, description = "The `next` cursor of the previous page; none for the first"), ("limit" = Option<u32>, Query, description = "Items on the page, 1 to 200 (default 50)")), responses((status = 200, description = "The transfers the caller is a party to", body = Object), (status = 401, description = "No or bad access token", body = Problem, content_type = "application/problem+json"), (status = 403, description = "Not yours to do", body = Problem, content_type = "application/problem+json"), (status = 404, description = "Not found or not yours to see", body = Problem, content_type = "application/problem+json"), (status = 409, description = "Not possible in the current state", body = Problem, content_type = "application/problem+json"), (status = 422, description = "A field was refused", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
async fn my_transfers(
    State(reg): State<Registry>,
    Caller(a): Caller,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult {
    let page = transfers::list_mine(&reg, &a, &PageRequest::from_query(&q)?).await?;
    ok(StatusCode::OK, &json!({ "transfers": page.items, "next": page.next }))
}

#[utoipa::path(post, path = "/api/v1/transfers", tag = "transfers", summary = "Open a transfer (seller)", params(("X-Act-For" = Option<String>, Header, description = "KRA PIN of the organisation to act for")), request_body = NewTransfer, responses((status = 201, description = "Open a transfer (seller)", body = TransferView), (status = 401, description = "No or bad access token", body = Problem, content_type = "application/problem+json"), (status = 403, description = "Not yours to do", body = Problem, content_type = "application/problem+json"), (status = 404, description = "Not found or not yours to see", body = Problem, content_type = "application/problem+json"), (status = 409, description = "Not possible in the current state", body = Problem, content_type = "application/problem+json"), (status = 422, description = "A field was refused", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
async fn create_transfer(State(reg): State<Registry>, Caller(a): Caller, b: Bytes) -> ApiResult {
    let input: NewTransfer = body(&b)?;
    let t = transfers::create(&reg, &a, &input).await?;
    let mut resp = (StatusCode::CREATED, Json(&t)).into_response();
    if let Ok(loc) = HeaderValue::from_str(&format!("/api/v1/transfers/{}", t.id)) {
        resp.headers_mut().insert(header::LOCATION, loc);
    }
    Ok(resp)
}

#[utoipa::path(get, path = "/api/v1/transfers/{id}", tag = "transfers", summary = "A transfer with its timeline", params(("X-Act-For" = Option<String>, Header, description = "KRA PIN of the organisation to act for"), ("id" = String, Path, description = "Transfer id or reference")), responses((status = 200, description = "A transfer with its timeline", body = TransferView), (status = 401, description = "No or bad access token", body = Problem, content_type = "application/problem+json"), (status = 403, description = "Not yours to do", body = Problem, content_type = "application/problem+json"), (status = 404, description = "Not found or not yours to see", body = Problem, content_type = "application/problem+json"), (status = 409, description = "Not possible in the current state", body = Problem, content_type = "application/problem+json"), (status = 422, description = "A field was refused", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
async fn transfer(State(reg): State<Registry>, Caller(a): Caller, Path(id): Path<String>) -> ApiResult {
    ok(StatusCode::OK, &transfers::get(&reg, &a, &id).await?)
}

#[utoipa::path(get, path = "/api/v1/transfers/{id}/logbook-scan", tag = "transfers", summary = "The scanned logbook (seller and officers)", params(("X-Act-For" = Option<String>, Header, description = "KRA PIN of the organisation to act for"), ("id" = String, Path, description = "Transfer id or reference")), responses((status = 200, description = "The scanned logbook (seller and officers)"), (status = 401, description = "No or bad access token", body = Problem, content_type = "application/problem+json"), (status = 403, description = "Not yours to do", body = Problem, content_type = "application/problem+json"), (status = 404, description = "Not found or not yours to see", body = Problem, content_type = "application/problem+json"), (status = 409, description = "Not possible in the current state", body = Problem, content_type = "application/problem+json"), (status = 422, description = "A field was refused", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
async fn scan(State(reg): State<Registry>, Caller(a): Caller, Path(id): Path<String>) -> ApiResult {
    let (ct, bytes) = transfers::logbook_scan(&reg, &a, &id).await?;
    let mut resp = bytes.into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(&ct)));
    resp.headers_mut().insert("content-disposition", HeaderValue::from_static("inline; filename=\"logbook\""));
    resp.headers_mut().insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    Ok(resp)
}

fn content_type(ct: &str) -> &'static str {
    match ct {
        "application/pdf" => "application/pdf",
        "image/jpeg" => "image/jpeg",
        "image/png" => "image/png",
        _ => "application/octet-stream",
    }
}

#[utoipa::path(put, path = "/api/v1/transfers/{id}/logbook-scan", tag = "transfers", summary = "Upload the scanned logbook: PDF, JPEG or PNG, at most 10 MB", params(("X-Act-For" = Option<String>, Header, description = "KRA PIN of the organisation to act for"), ("id" = String, Path, description = "Transfer id or reference")), request_body = Vec<u8>, responses((status = 200, description = "Upload the scanned logbook: PDF, JPEG or PNG, at most 10 MB", body = TransferView), (status = 401, description = "No or bad access token", body = Problem, content_type = "application/problem+json"), (status = 403, description = "Not yours to do", body = Problem, content_type = "application/problem+json"), (status = 404, description = "Not found or not yours to see", body = Problem, content_type = "application/problem+json"), (status = 409, description = "Not possible in the current state", body = Problem, content_type = "application/problem+json"), (status = 422, description = "A field was refused", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
async fn upload_scan(State(reg): State<Registry>, Caller(a): Caller, Path(id): Path<String>, b: Bytes) -> ApiResult {
    ok(StatusCode::OK, &transfers::upload_logbook(&reg, &a, &id, &b).await?)
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
struct StepBody {
    #[serde(default)]
    step: String,
}

#[utoipa::path(post, path = "/api/v1/transfers/{id}/codes", tag = "transfers", summary = "Send an SMS code for a step", params(("X-Act-For" = Option<String>, Header, description = "KRA PIN of the organisation to act for"), ("id" = String, Path, description = "Transfer id or reference")), request_body = StepBody, responses((status = 202, description = "Send an SMS code for a step", body = Object), (status = 401, description = "No or bad access token", body = Problem, content_type = "application/problem+json"), (status = 403, description = "Not yours to do", body = Problem, content_type = "application/problem+json"), (status = 404, description = "Not found or not yours to see", body = Problem, content_type = "application/problem+json"), (status = 409, description = "Not possible in the current state", body = Problem, content_type = "application/problem+json"), (status = 422, description = "A field was refused", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
async fn send_code(State(reg): State<Registry>, Caller(a): Caller, Path(id): Path<String>, b: Bytes) -> ApiResult {
    let input: StepBody = body(&b)?;
    let step = CodeStep::parse(&input.step)?;
    let masked = transfers::send_code(&reg, &a, &id, step).await?;
    ok(StatusCode::ACCEPTED, &json!({ "sent_to": masked, "valid_for_seconds": 300 }))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
struct CodeBody {
    #[serde(default)]
    code: String,
}

#[utoipa::path(post, path = "/api/v1/transfers/{id}/submit", tag = "transfers", summary = "The seller submits with the code", params(("X-Act-For" = Option<String>, Header, description = "KRA PIN of the organisation to act for"), ("id" = String, Path, description = "Transfer id or reference")), request_body = CodeBody, responses((status = 200, description = "The seller submits with the code", body = TransferView), (status = 401, description = "No or bad access token", body = Problem, content_type = "application/problem+json"), (status = 403, description = "Not yours to do", body = Problem, content_type = "application/problem+json"), (status = 404, description = "Not found or not yours to see", body = Problem, content_type = "application/problem+json"), (status = 409, description = "Not possible in the current state", body = Problem, content_type = "application/problem+json"), (status = 422, description = "A field was refused", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
async fn submit(State(reg): State<Registry>, Caller(a): Caller, Path(id): Path<String>, b: Bytes) -> ApiResult {
    let input: CodeBody = body(&b)?;
    ok(StatusCode::OK, &transfers::submit(&reg, &a, &id, &input.code).await?)
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
struct ConsentBody {
    #[serde(default)]
    code: String,
    approve: Option<bool>,
}

#[utoipa::path(post, path = "/api/v1/transfers/{id}/consent", tag = "transfers", summary = "A joint owner or the financier approves or refuses with a code", params(("X-Act-For" = Option<String>, Header, description = "KRA PIN of the organisation to act for"), ("id" = String, Path, description = "Transfer id or reference")), request_body = ConsentBody, responses((status = 200, description = "A joint owner or the financier approves or refuses with a code", body = TransferView), (status = 401, description = "No or bad access token", body = Problem, content_type = "application/problem+json"), (status = 403, description = "Not yours to do", body = Problem, content_type = "application/problem+json"), (status = 404, description = "Not found or not yours to see", body = Problem, content_type = "application/problem+json"), (status = 409, description = "Not possible in the current state", body = Problem, content_type = "application/problem+json"), (status = 422, description = "A field was refused", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
async fn consent(State(reg): State<Registry>, Caller(a): Caller, Path(id): Path<String>, b: Bytes) -> ApiResult {
    let input: ConsentBody = body(&b)?;
    let approve =
        input.approve.ok_or_else(|| FieldErrors::single("approve", "Say true to approve or false to refuse"))?;
    ok(StatusCode::OK, &transfers::consent(&reg, &a, &id, approve, &input.code).await?)
}

#[utoipa::path(post, path = "/api/v1/transfers/{id}/accept", tag = "transfers", summary = "The buyer accepts with a code and pays the fee", params(("X-Act-For" = Option<String>, Header, description = "KRA PIN of the organisation to act for"), ("id" = String, Path, description = "Transfer id or reference")), request_body = Acceptance, responses((status = 200, description = "The buyer accepts with a code and pays the fee", body = TransferView), (status = 401, description = "No or bad access token", body = Problem, content_type = "application/problem+json"), (status = 403, description = "Not yours to do", body = Problem, content_type = "application/problem+json"), (status = 404, description = "Not found or not yours to see", body = Problem, content_type = "application/problem+json"), (status = 409, description = "Not possible in the current state", body = Problem, content_type = "application/problem+json"), (status = 422, description = "A field was refused", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
async fn accept(State(reg): State<Registry>, Caller(a): Caller, Path(id): Path<String>, b: Bytes) -> ApiResult {
    let input: Acceptance = body(&b)?;
    ok(StatusCode::OK, &transfers::accept(&reg, &a, &id, &input).await?)
}

#[utoipa::path(post, path = "/api/v1/transfers/{id}/decline", tag = "transfers", summary = "The buyer declines with a code", params(("X-Act-For" = Option<String>, Header, description = "KRA PIN of the organisation to act for"), ("id" = String, Path, description = "Transfer id or reference")), request_body = CodeBody, responses((status = 200, description = "The buyer declines with a code", body = TransferView), (status = 401, description = "No or bad access token", body = Problem, content_type = "application/problem+json"), (status = 403, description = "Not yours to do", body = Problem, content_type = "application/problem+json"), (status = 404, description = "Not found or not yours to see", body = Problem, content_type = "application/problem+json"), (status = 409, description = "Not possible in the current state", body = Problem, content_type = "application/problem+json"), (status = 422, description = "A field was refused", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
async fn decline(State(reg): State<Registry>, Caller(a): Caller, Path(id): Path<String>, b: Bytes) -> ApiResult {
    let input: CodeBody = body(&b)?;
    ok(StatusCode::OK, &transfers::decline(&reg, &a, &id, &input.code).await?)
}

#[utoipa::path(post, path = "/api/v1/transfers/{id}/pay", tag = "transfers", summary = "Try the payment again", params(("X-Act-For" = Option<String>, Header, description = "KRA PIN of the organisation to act for"), ("id" = String, Path, description = "Transfer id or reference")), responses((status = 200, description = "Try the payment again", body = TransferView), (status = 401, description = "No or bad access token", body = Problem, content_type = "application/problem+json"), (status = 403, description = "Not yours to do", body = Problem, content_type = "application/problem+json"), (status = 404, description = "Not found or not yours to see", body = Problem, content_type = "application/problem+json"), (status = 409, description = "Not possible in the current state", body = Problem, content_type = "application/problem+json"), (status = 422, description = "A field was refused", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
async fn pay(State(reg): State<Registry>, Caller(a): Caller, Path(id): Path<String>) -> ApiResult {
    ok(StatusCode::OK, &transfers::pay(&reg, &a, &id).await?)
}

#[utoipa::path(post, path = "/api/v1/transfers/{id}/cancel", tag = "transfers", summary = "The seller cancels, until the buyer accepts", params(("X-Act-For" = Option<String>, Header, description = "KRA PIN of the organisation to act for"), ("id" = String, Path, description = "Transfer id or reference")), responses((status = 200, description = "The seller cancels, until the buyer accepts", body = TransferView), (status = 401, description = "No or bad access token", body = Problem, content_type = "application/problem+json"), (status = 403, description = "Not yours to do", body = Problem, content_type = "application/problem+json"), (status = 404, description = "Not found or not yours to see", body = Problem, content_type = "application/problem+json"), (status = 409, description = "Not possible in the current state", body = Problem, content_type = "application/problem+json"), (status = 422, description = "A field was refused", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
async fn cancel(State(reg): State<Registry>, Caller(a): Caller, Path(id): Path<String>) -> ApiResult {
    ok(StatusCode::OK, &transfers::cancel(&reg, &a, &id).await?)
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
struct ReviewBody {
    #[serde(default)]
    decision: String,
    reason: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/transfers/{id}/review", tag = "review", summary = "An officer approves, or rejects with a reason", params(("X-Act-For" = Option<String>, Header, description = "KRA PIN of the organisation to act for"), ("id" = String, Path, description = "Transfer id or reference")), request_body = ReviewBody, responses((status = 200, description = "An officer approves, or rejects with a reason", body = TransferView), (status = 401, description = "No or bad access token", body = Problem, content_type = "application/problem+json"), (status = 403, description = "Not yours to do", body = Problem, content_type = "application/problem+json"), (status = 404, description = "Not found or not yours to see", body = Problem, content_type = "application/problem+json"), (status = 409, description = "Not possible in the current state", body = Problem, content_type = "application/problem+json"), (status = 422, description = "A field was refused", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
async fn review(State(reg): State<Registry>, Caller(a): Caller, Path(id): Path<String>, b: Bytes) -> ApiResult {
    let input: ReviewBody = body(&b)?;
    let approve = match input.decision.as_str() {
        "approve" => true,
        "reject" => false,
        _ => return Err(FieldErrors::single("decision", "Choose approve or reject")),
    };
    ok(StatusCode::OK, &transfers::review(&reg, &a, &id, approve, input.reason.as_deref()).await?)
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
struct LogbookBody {
    #[serde(default)]
    state: String,
}

#[utoipa::path(post, path = "/api/v1/transfers/{id}/logbook", tag = "review", summary = "Move the new logbook on", params(("X-Act-For" = Option<String>, Header, description = "KRA PIN of the organisation to act for"), ("id" = String, Path, description = "Transfer id or reference")), request_body = LogbookBody, responses((status = 200, description = "Move the new logbook on", body = TransferView), (status = 401, description = "No or bad access token", body = Problem, content_type = "application/problem+json"), (status = 403, description = "Not yours to do", body = Problem, content_type = "application/problem+json"), (status = 404, description = "Not found or not yours to see", body = Problem, content_type = "application/problem+json"), (status = 409, description = "Not possible in the current state", body = Problem, content_type = "application/problem+json"), (status = 422, description = "A field was refused", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
async fn logbook(State(reg): State<Registry>, Caller(a): Caller, Path(id): Path<String>, b: Bytes) -> ApiResult {
    let input: LogbookBody = body(&b)?;
    ok(StatusCode::OK, &transfers::advance_logbook(&reg, &a, &id, &input.state).await?)
}

#[utoipa::path(get, path = "/api/v1/review-queue", tag = "review", summary = "Transfers waiting for review, oldest first", params(("X-Act-For" = Option<String>, Header, description = "KRA PIN of the organisation to act for"), ("after" = Option<String>, Query, description = "The `next` cursor of the previous page; none for the first"), ("limit" = Option<u32>, Query, description = "Items on the page, 1 to 200 (default 50)")), responses((status = 200, description = "Transfers waiting for review, oldest first", body = Object), (status = 401, description = "No or bad access token", body = Problem, content_type = "application/problem+json"), (status = 403, description = "Not yours to do", body = Problem, content_type = "application/problem+json"), (status = 404, description = "Not found or not yours to see", body = Problem, content_type = "application/problem+json"), (status = 409, description = "Not possible in the current state", body = Problem, content_type = "application/problem+json"), (status = 422, description = "A field was refused", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
async fn queue(State(reg): State<Registry>, Caller(a): Caller, Query(q): Query<HashMap<String, String>>) -> ApiResult {
    let page = transfers::queue(&reg, &a, &PageRequest::from_query(&q)?).await?;
    ok(StatusCode::OK, &json!({ "transfers": page.items, "next": page.next }))
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        problem(&self)
    }
}
