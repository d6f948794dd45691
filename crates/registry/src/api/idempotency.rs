//! `Idempotency-Key` on every POST: the same key and body give the first
//! answer again (status, body and `Location`), another body with the same
//! key is refused (422), and a key whose request is still running is
//! answered 409. Keys are per person; answers of 5xx are not kept, so a
//! retry runs again.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::problem::{PROBLEM_JSON, body_too_large, problem};
use super::{ACT_FOR_HEADER, MAX_BODY};
use crate::auth::Actor;
use crate::{Error, FieldErrors, Registry};

pub const HEADER: &str = "idempotency-key";

/// A key whose request has run this long without an answer is taken to be
/// abandoned (the client went away, the node stopped) and may be used again.
pub const ABANDONED_KEY_MS: i64 = 60_000;
/// Answers are kept this long for replays.
pub const KEEP_KEYS_MS: i64 = 24 * 60 * 60 * 1000;

/// Run the request once per key, or answer as the first time.
pub async fn run_once(reg: &Registry, req: Request, next: Next) -> Response {
    let Some(key) = req.headers().get(HEADER).cloned() else {
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
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return body_too_large();
    };
    let mut hasher = sha2::Sha256::default();
    sha2::Digest::update(&mut hasher, parts.method.as_str().as_bytes());
    sha2::Digest::update(&mut hasher, parts.uri.path().as_bytes());
    sha2::Digest::update(&mut hasher, parts.headers.get(ACT_FOR_HEADER).map_or(&b""[..], |v| v.as_bytes()));
    sha2::Digest::update(&mut hasher, &bytes);
    let hash = crate::reference::hex(&sha2::Digest::finalize(hasher));
    match claim_key(reg, &principal, &key, &hash).await {
        Ok(Claim::New) => {}
        Ok(Claim::Replay(answer)) => return answer.replay(),
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
    let location = parts.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_string);
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
                sqlx::query(
                    "UPDATE reg_idempotency SET status = $1, body = $2, location = $3 \
                     WHERE principal = $4 AND idem_key = $5",
                )
                .bind(i64::from(status.as_u16()))
                .bind(String::from_utf8_lossy(&bytes).to_string())
                .bind(location)
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

/// The first answer to a key, as kept.
struct Answer {
    status: u16,
    body: String,
    location: Option<String>,
}

impl Answer {
    fn replay(self) -> Response {
        let mut resp = (StatusCode::from_u16(self.status).unwrap_or(StatusCode::OK), self.body).into_response();
        let ct = if self.status >= 400 { PROBLEM_JSON } else { "application/json" };
        let h = resp.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
        h.insert("idempotent-replayed", HeaderValue::from_static("true"));
        if let Some(loc) = self.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
            h.insert(header::LOCATION, loc);
        }
        resp
    }
}

enum Claim {
    New,
    Replay(Answer),
    OtherBody,
    Running,
}

type KeyRow = (String, Option<i64>, Option<String>, Option<String>, i64);

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
    let row: Option<KeyRow> = sqlx::query_as(
        "SELECT request_hash, status, body, location, created_at FROM reg_idempotency \
         WHERE principal = $1 AND idem_key = $2",
    )
    .bind(principal)
    .bind(key)
    .fetch_optional(reg.db().pool())
    .await?;
    Ok(match row {
        None => Claim::Running,
        Some((h, ..)) if h != hash => Claim::OtherBody,
        Some((_, Some(status), Some(body), location, _)) => {
            Claim::Replay(Answer { status: u16::try_from(status).unwrap_or(200), body, location })
        }
        Some((.., created_at)) if now - created_at >= ABANDONED_KEY_MS => {
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
