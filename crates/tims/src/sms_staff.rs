//! The staff's view of the SMS sent to one number:
//! `GET /api/v1/staff/sms?phone=0712345678[&limit=50]`, for the agency's
//! staff only (an access token whose person the registry knows as staff).
//!
//! Both outboxes are read (the sign-on's and the registry's), which is why
//! it lives here, where both parts meet, and not in the registry: each
//! message with what it was for, its status and every delivery report, and
//! its cost; never the text of a message that carried a code.

use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use registry::http::api::problem;
use registry::{Error, FieldErrors};
use serde::{Deserialize, Serialize};
use texts::{Lang, PayText, Refusal, Text as _};

/// The most messages one answer lists.
const MAX_LIMIT: i64 = 200;

pub fn router(registry: registry::Registry) -> Router {
    Router::new().route("/api/v1/staff/sms", get(messages)).with_state(registry)
}

#[derive(Debug, Deserialize)]
struct Ask {
    phone: String,
    limit: Option<i64>,
}

#[derive(Debug, Serialize)]
struct Answer {
    /// The number, in E.164.
    phone: String,
    /// Newest first.
    messages: Vec<adapters::outbox::MessageHistory>,
}

async fn messages(
    State(reg): State<registry::Registry>,
    headers: HeaderMap,
    ask: Result<Query<Ask>, QueryRejection>,
) -> Response {
    match answer(&reg, &headers, ask.ok().map(|q| q.0)).await {
        Ok(a) => axum::Json(a).into_response(),
        Err(e) => problem(&e),
    }
}

async fn answer(reg: &registry::Registry, headers: &HeaderMap, ask: Option<Ask>) -> Result<Answer, Error> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
        .ok_or(Error::Unauthenticated)?;
    let actor = registry::signin::from_bearer(reg, token, None, Lang::En).await?;
    // Refusals in the language the member of staff reads.
    let lang = registry::parties::lang_of(&actor.person);
    if !actor.is_staff() {
        return Err(Error::Forbidden(Refusal::Forbidden.render(lang)));
    }
    let phone = ask.and_then(|a| domain::Phone::parse(&a.phone).ok().map(|p| (p, a.limit)));
    let (phone, limit) = phone.ok_or_else(|| FieldErrors::single("phone", PayText::EnterMobileNumber.render(lang)))?;
    let limit = limit.unwrap_or(50).clamp(1, MAX_LIMIT);
    let outboxes = [sso::outbox::OUTBOX, registry::outbox::OUTBOX];
    let messages = adapters::outbox::history_for_number(reg.db(), &outboxes, phone.as_str(), limit).await?;
    Ok(Answer { phone: phone.as_str().to_string(), messages })
}
