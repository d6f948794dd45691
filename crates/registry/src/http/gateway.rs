//! What outside gateways call: the payment gateway's callback, at an
//! address only the attempt it is about knows (`/payments/callback/{secret}`).
//! Callbacks carry no signature we can check (M-Pesa's do not), so the
//! address is the credential: an unknown secret is a 404, a callback naming
//! another request than its address is refused, and the amount is checked
//! against the invoice when it is applied. The answer is the one M-Pesa
//! expects; a gateway retries what it did not get an answer for, and
//! applying is idempotent.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;

use crate::Registry;
use crate::transfers::attempt;

/// A callback's body is a few hundred bytes; refuse anything much larger.
const MAX_CALLBACK_BYTES: usize = 16 * 1024;

pub fn router(reg: Registry) -> Router {
    Router::new()
        .route("/payments/callback/{secret}", post(payment_callback))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_CALLBACK_BYTES))
        .with_state(reg)
}

fn accepted() -> Response {
    axum::Json(serde_json::json!({ "ResultCode": 0, "ResultDesc": "Accepted" })).into_response()
}

fn refused(status: StatusCode, why: &str) -> Response {
    (status, axum::Json(serde_json::json!({ "ResultCode": 1, "ResultDesc": why }))).into_response()
}

async fn payment_callback(State(reg): State<Registry>, Path(secret): Path<String>, body: Bytes) -> Response {
    let attempt = match attempt::by_secret(&reg, &secret).await {
        Ok(Some(id)) => id,
        Ok(None) => {
            tracing::warn!("a payment callback came to an address no attempt has");
            metrics::counter!("tims_payment_callbacks_total", "result" => "unknown_address").increment(1);
            return refused(StatusCode::NOT_FOUND, "Unknown");
        }
        Err(e) => {
            tracing::error!(error = %e, "payment callback: cannot look the attempt up");
            return refused(StatusCode::SERVICE_UNAVAILABLE, "Try again");
        }
    };
    let callback = match reg.adapters().payments.parse_callback(&body) {
        Ok(cb) => cb,
        Err(e) => {
            tracing::warn!(attempt, error = %e, "a payment callback could not be read");
            metrics::counter!("tims_payment_callbacks_total", "result" => "unreadable").increment(1);
            return refused(StatusCode::BAD_REQUEST, "Unreadable");
        }
    };
    match attempt::apply(&reg, &attempt, &callback).await {
        Ok(Ok(applied)) => {
            tracing::info!(attempt, ?applied, "payment callback applied");
            metrics::counter!("tims_payment_callbacks_total", "result" => "applied").increment(1);
            accepted()
        }
        Ok(Err(attempt::Mismatch)) => {
            tracing::warn!(attempt, provider_ref = callback.provider_ref, "a payment callback named another request");
            metrics::counter!("tims_payment_callbacks_total", "result" => "mismatch").increment(1);
            refused(StatusCode::BAD_REQUEST, "Unknown request")
        }
        Err(e) => {
            // The gateway retries a callback it got no answer for.
            tracing::error!(attempt, error = %e, "payment callback: cannot apply it now");
            refused(StatusCode::SERVICE_UNAVAILABLE, "Try again")
        }
    }
}
