//! How the API refuses: RFC 9457 problem+json, with field errors, for every
//! error under `/api/`: the registry's own errors, the framework's
//! rejections (a path it cannot read, a method an address does not take, a
//! body over the limit) and the HTTP frame's (headers too large, a body that
//! stopped arriving). The refusals are declared once here for the OpenAPI
//! document, as response sets every operation names.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use texts::{ApiText, Lang, Text as _};

use crate::Error;
use crate::http::API_LANG;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// A problem (RFC 9457): what went wrong, and for a refused request, each
/// field that was refused and why.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"type": "about:blank", "title": "Some fields need attention", "status": 422,
    "detail": "buyer_type: Unknown field",
    "errors": [{"field": "buyer_type", "message": "Unknown field"}]}))]
pub struct Problem {
    /// Always `about:blank`: the status and title say what kind of problem
    /// it is.
    #[schema(value_type = String, example = "about:blank")]
    pub r#type: &'static str,
    pub title: String,
    /// The HTTP status, repeated.
    #[schema(minimum = 400, maximum = 599)]
    pub status: u16,
    /// What to do about it; with field errors, each of them in one line.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false, nullable = false)]
    pub detail: Option<String>,
    /// The fields refused, in the request's order.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false, nullable = false)]
    pub errors: Option<Vec<FieldProblem>>,
}

/// One refused field: its name (a JSON path such as `buyer_id_number`, a
/// query parameter, a header such as `Idempotency-Key`, or `body` for the
/// request body as a whole) and why.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

/// The refusals of every operation that needs an access token.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum Refusals {
    /// No access token, or one that was refused (`WWW-Authenticate: Bearer`).
    #[response(status = 401, content_type = "application/problem+json",
        headers(("WWW-Authenticate" = String, description = "`Bearer`, with `error=\"invalid_token\"` when a token was refused")))]
    Unauthenticated(Problem),
    /// Not yours to do, or `X-Act-For` names an organisation the caller
    /// does not belong to.
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
    /// Not found, or not yours to see.
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// Not possible in the current state, or an `Idempotency-Key` whose
    /// request is still running.
    #[response(status = 409, content_type = "application/problem+json")]
    Conflict(Problem),
    /// Fields were refused: `errors` names each.
    #[response(status = 422, content_type = "application/problem+json")]
    Invalid(Problem),
    /// Any other refusal: 400 (a path or query that cannot be read), 405
    /// (see `Allow`), 413 (a body over 10 MB), 415, 429 and 503 (with
    /// `Retry-After`), 431 (headers over 32 KB), 500.
    #[response(status = "default", content_type = "application/problem+json",
        headers(("Retry-After" = String, description = "Seconds to wait, on a 429 or a 503"), ("Allow" = String, description = "The methods the address takes, on a 405")))]
    Other(Problem),
}

/// The refusals of the public operations (the gazetted fee schedule).
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum PublicRefusals {
    /// An access token was sent and refused, or one is needed for what was
    /// asked (`WWW-Authenticate: Bearer`).
    #[response(status = 401, content_type = "application/problem+json",
        headers(("WWW-Authenticate" = String, description = "`Bearer`, with `error=\"invalid_token\"` when a token was refused")))]
    Unauthenticated(Problem),
    /// Fields were refused: `errors` names each.
    #[response(status = 422, content_type = "application/problem+json")]
    Invalid(Problem),
    /// Any other refusal: 400, 405 (see `Allow`), 413, 429 and 503 (with
    /// `Retry-After`), 431, 500.
    #[response(status = "default", content_type = "application/problem+json",
        headers(("Retry-After" = String, description = "Seconds to wait, on a 429 or a 503"), ("Allow" = String, description = "The methods the address takes, on a 405")))]
    Other(Problem),
}

/// An RFC 9457 problem details response; field errors, when there are any,
/// make the detail and are listed under `errors`.
pub fn problem_response(
    status: StatusCode,
    title: &str,
    detail: Option<String>,
    fields: &[(String, String)],
) -> Response {
    let errors = (!fields.is_empty())
        .then(|| fields.iter().map(|(f, m)| FieldProblem { field: f.clone(), message: m.clone() }).collect::<Vec<_>>());
    let detail = if fields.is_empty() {
        detail
    } else {
        Some(fields.iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; "))
    };
    let body = Problem { r#type: "about:blank", title: title.to_string(), status: status.as_u16(), detail, errors };
    let text = serde_json::to_string(&body).unwrap_or_default();
    let mut resp = (status, text).into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    resp
}

/// RFC 9457 problem details for a registry error, in the API's language.
pub fn problem(err: &Error) -> Response {
    problem_in(API_LANG, err)
}

/// The title and detail of a registry error's problem, in `lang`.
fn title_and_detail(lang: Lang, err: &Error) -> (String, Option<String>) {
    let t = |m: ApiText<'_>| m.render(lang);
    let failed = || (t(ApiText::SomethingWentWrong), Some(t(ApiText::TryAgainInAMoment)));
    match err {
        Error::Invalid(_) => (t(ApiText::FieldsNeedAttention), None),
        Error::Conflict(m) => (t(ApiText::NotPossibleNow), Some(m.clone())),
        Error::TooMany(m) => (t(ApiText::TooManyRequests), Some(m.clone())),
        Error::Unauthenticated => (t(ApiText::SignInFirst), Some(t(ApiText::SendAccessToken))),
        Error::SignInFor(m) => (t(ApiText::SignInFirst), Some(m.clone())),
        Error::TokenRefused(why) => (t(ApiText::TokenRefused), Some(t(ApiText::TokenRefusedBecause { why }))),
        Error::Forbidden(m) => (t(ApiText::NotAllowed), Some(m.clone())),
        Error::NotFound(m) => (t(ApiText::NotFound), Some(m.clone())),
        Error::Unavailable(m) => (t(ApiText::Unavailable), Some(m.clone())),
        Error::Db(e) => {
            tracing::error!(error = %e, "database error");
            failed()
        }
        Error::Internal(m) => {
            tracing::error!(error = m, "internal error");
            failed()
        }
    }
}

/// RFC 9457 problem details for a registry error, in `lang`.
pub fn problem_in(lang: Lang, err: &Error) -> Response {
    let status = err.status();
    let (title, detail) = title_and_detail(lang, err);
    let fields = match err {
        Error::Invalid(fields) => fields.0.as_slice(),
        _ => &[],
    };
    let mut resp = problem_response(status, &title, detail, fields);
    if let Some(challenge) = err.www_authenticate() {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, challenge);
    }
    if matches!(err, Error::Unavailable(_) | Error::TooMany(_)) {
        resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
    }
    resp
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        problem(&self)
    }
}

/// The refusal of a body over the limit, naming the body.
pub fn body_too_large() -> Response {
    let message = ApiText::BodyTooLarge { mb: (crate::scans::MAX_SCAN_BYTES >> 20) as u64 }.render(API_LANG);
    let status = StatusCode::PAYLOAD_TOO_LARGE;
    problem_response(status, status.canonical_reason().unwrap_or_default(), None, &[("body".into(), message)])
}

/// A problem for a status alone, as the HTTP frame refuses (headers too
/// large, a body that stopped arriving).
pub fn problem_for_status(status: StatusCode, detail: &str) -> Response {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return body_too_large();
    }
    let title = status.canonical_reason().unwrap_or("Refused");
    problem_response(status, title, Some(detail.to_string()).filter(|d| !d.is_empty()), &[])
}

/// Every error the API answers is problem+json: the framework's own
/// refusals (plain text, or no body at all, as for 405) are rewritten, their
/// other headers (`Allow`, `Retry-After`) kept.
pub async fn problems_only(resp: Response) -> Response {
    let status = resp.status();
    let is_problem = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with(PROBLEM_JSON));
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let plain = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("text/plain"));
    let detail = if status == StatusCode::METHOD_NOT_ALLOWED {
        // (axum adds the Allow header itself, after this layer.)
        ApiText::MethodNotAllowed.render(API_LANG)
    } else if plain && !status.is_server_error() {
        let text = axum::body::to_bytes(body, 64 * 1024).await.unwrap_or_default();
        String::from_utf8_lossy(&text).trim().to_string()
    } else {
        String::new()
    };
    let mut out = problem_for_status(status, &detail);
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().append(name.clone(), value.clone());
        }
    }
    out
}
