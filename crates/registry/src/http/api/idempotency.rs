//! `Idempotency-Key` on every POST: the same key and body give the first
//! answer again (status, body and `Location`), another body with the same
//! key is refused (422), and a key whose request is still running is
//! answered 409. Keys are per person; answers of 5xx are not kept, so a
//! retry runs again. The keys and answers are kept by
//! [`crate::idempotency`]; this module is the HTTP side only.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use texts::{ApiText, Text as _};

use super::problem::{PROBLEM_JSON, body_too_large, problem};
use super::{ACT_FOR_HEADER, MAX_BODY};
use crate::http::API_LANG;
use crate::idempotency::{self, Answer, Claim};
use crate::signin::Actor;
use crate::{Error, FieldErrors, Registry};

pub const HEADER: &str = "idempotency-key";

/// Run the request once per key, or answer as the first time.
pub async fn run_once(reg: &Registry, req: Request, next: Next) -> Response {
    let Some(key) = req.headers().get(HEADER).cloned() else {
        return next.run(req).await;
    };
    let key = match key.to_str().ok().map(str::trim).filter(|k| !k.is_empty() && k.len() <= 255) {
        Some(k) => k.to_string(),
        None => {
            return problem(&FieldErrors::single("Idempotency-Key", ApiText::IdempotencyKeyFormat.render(API_LANG)));
        }
    };
    let Some(principal) = req.extensions().get::<Actor>().map(|a| a.person.id.clone()) else {
        return next.run(req).await; // the handler answers 401
    };
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return body_too_large();
    };
    let hash = request_hash(&parts, &bytes);
    match idempotency::claim(reg, &principal, &key, &hash).await {
        Ok(Claim::New) => {}
        Ok(Claim::Replay(answer)) => return replay(answer),
        Ok(Claim::OtherBody) => {
            return problem(&FieldErrors::single("Idempotency-Key", ApiText::IdempotencyKeyReused.render(API_LANG)));
        }
        Ok(Claim::Running) => {
            return problem(&Error::Conflict(ApiText::IdempotencyKeyRunning.render(API_LANG)));
        }
        Err(e) => return problem(&e),
    }
    let resp = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    let status = resp.status();
    let (parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    let location = parts.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_string);
    let stored = if status.is_server_error() {
        idempotency::release(reg, &principal, &key).await
    } else {
        let answer = Answer { status: status.as_u16(), body: String::from_utf8_lossy(&bytes).to_string(), location };
        idempotency::keep(reg, &principal, &key, &answer).await
    };
    if let Err(e) = stored {
        tracing::error!(error = %e, "could not record the answer to an Idempotency-Key");
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// What makes two requests the same: method, path, whom they act for and
/// body.
fn request_hash(parts: &axum::http::request::Parts, body: &[u8]) -> String {
    let mut hasher = sha2::Sha256::default();
    sha2::Digest::update(&mut hasher, parts.method.as_str().as_bytes());
    sha2::Digest::update(&mut hasher, parts.uri.path().as_bytes());
    sha2::Digest::update(&mut hasher, parts.headers.get(ACT_FOR_HEADER).map_or(&b""[..], |v| v.as_bytes()));
    sha2::Digest::update(&mut hasher, body);
    secure::hex(&sha2::Digest::finalize(hasher))
}

/// The first answer again, marked as a replay.
fn replay(answer: Answer) -> Response {
    let mut resp = (StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK), answer.body).into_response();
    let ct = if answer.status >= 400 { PROBLEM_JSON } else { "application/json" };
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    h.insert("idempotent-replayed", HeaderValue::from_static("true"));
    if let Some(loc) = answer.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        h.insert(header::LOCATION, loc);
    }
    resp
}
