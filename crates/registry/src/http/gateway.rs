//! What outside gateways call: the payment gateway's callback, at an
//! address only the attempt it is about knows (`/payments/callback/{secret}`).
//! Callbacks carry no signature we can check (M-Pesa's do not), so the
//! address is the credential: an unknown secret is a 404, a callback naming
//! another request than its address is refused, and the amount is checked
//! against the invoice when it is applied. The answer is the one M-Pesa
//! expects; a gateway retries what it did not get an answer for, and
//! applying is idempotent.
//!
//! Paybill payments (C2B) come to two addresses that carry one configured
//! secret (`/payments/c2b/validation/{secret}` and
//! `/payments/c2b/confirmation/{secret}`), compared in constant time; a
//! wrong one, or none configured, is a 404.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;

use crate::Registry;
use crate::transfers::attempt;
use crate::transfers::c2b::{self, Confirmed, Validation};
use adapters::mpesa::{C2bPayment, C2bRejection, c2b_accept, c2b_confirmation_answer, c2b_reject, parse_c2b};

/// A callback's body is a few hundred bytes; refuse anything much larger.
const MAX_CALLBACK_BYTES: usize = 16 * 1024;

pub fn router(reg: Registry) -> Router {
    Router::new()
        .route("/payments/callback/{secret}", post(payment_callback))
        .route("/payments/c2b/validation/{secret}", post(c2b_validation))
        .route("/payments/c2b/confirmation/{secret}", post(c2b_confirmation))
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

/// The request path as logs may show it: without the secret of a payment
/// address.
pub fn loggable_path(path: &str) -> Option<String> {
    ["/payments/callback/", "/payments/c2b/validation/", "/payments/c2b/confirmation/"]
        .into_iter()
        .find(|prefix| path.starts_with(prefix))
        .map(|prefix| format!("{prefix}{{secret}}"))
}

/// Whether `given` is the configured paybill secret.
fn c2b_secret_is(reg: &Registry, given: &str) -> bool {
    let Some(secret) = &reg.config().c2b_secret else { return false };
    secure::ct_eq(given, std::str::from_utf8(&secret.0).unwrap_or_default())
}

/// Read a paybill payment posted to an address with the right secret; else
/// the refusal to answer.
fn c2b_payment(reg: &Registry, secret: &str, body: &[u8]) -> Result<C2bPayment, (StatusCode, &'static str)> {
    if !c2b_secret_is(reg, secret) {
        tracing::warn!("a paybill payment came to an address with a wrong secret");
        metrics::counter!("tims_paybill_posts_total", "result" => "unknown_address").increment(1);
        return Err((StatusCode::NOT_FOUND, "Unknown"));
    }
    parse_c2b(body).map_err(|e| {
        tracing::warn!(error = %e, "a paybill payment could not be read");
        metrics::counter!("tims_paybill_posts_total", "result" => "unreadable").increment(1);
        (StatusCode::BAD_REQUEST, "Unreadable")
    })
}

/// M-Pesa asks whether to take a paybill payment: an account number no
/// transfer awaits payment under, or another amount, is turned away.
async fn c2b_validation(State(reg): State<Registry>, Path(secret): Path<String>, body: Bytes) -> Response {
    let payment = match c2b_payment(&reg, &secret, &body) {
        Ok(p) => p,
        Err((status, why)) => return refused(status, why),
    };
    let answer = match c2b::validate(&reg, &payment).await {
        Ok(Validation::Accept) => c2b_accept(),
        Ok(Validation::UnknownReference) => c2b_reject(C2bRejection::InvalidAccountNumber),
        Ok(Validation::WrongAmount) => c2b_reject(C2bRejection::InvalidAmount),
        Err(e) => {
            // Unanswered, M-Pesa takes the payment anyway (or not, as the
            // shortcode is set up); the confirmation is kept either way.
            tracing::error!(error = %e, "paybill validation: cannot look the transfer up");
            return refused(StatusCode::SERVICE_UNAVAILABLE, "Try again");
        }
    };
    metrics::counter!("tims_paybill_posts_total", "result" => "validated").increment(1);
    axum::Json(answer).into_response()
}

/// M-Pesa says a paybill payment was taken: kept and applied once.
async fn c2b_confirmation(State(reg): State<Registry>, Path(secret): Path<String>, body: Bytes) -> Response {
    let payment = match c2b_payment(&reg, &secret, &body) {
        Ok(p) => p,
        Err((status, why)) => return refused(status, why),
    };
    match c2b::confirm(&reg, &payment).await {
        Ok(confirmed) => {
            let result = match confirmed {
                Confirmed::Applied(_) => "applied",
                Confirmed::Unmatched => "unmatched",
                Confirmed::Repeat => "repeat",
            };
            tracing::info!(trans_id = payment.trans_id, ?confirmed, "paybill confirmation kept");
            metrics::counter!("tims_paybill_posts_total", "result" => result).increment(1);
            axum::Json(c2b_confirmation_answer()).into_response()
        }
        Err(e) => {
            tracing::error!(trans_id = payment.trans_id, error = %e, "paybill confirmation: cannot keep it now");
            refused(StatusCode::SERVICE_UNAVAILABLE, "Try again")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::loggable_path;

    #[test]
    fn logs_show_payment_addresses_without_their_secrets() {
        assert_eq!(loggable_path("/payments/callback/s3cr3t").as_deref(), Some("/payments/callback/{secret}"));
        assert_eq!(
            loggable_path("/payments/c2b/confirmation/s3cr3t").as_deref(),
            Some("/payments/c2b/confirmation/{secret}")
        );
        assert_eq!(loggable_path("/payments/c2b/validation/s").as_deref(), Some("/payments/c2b/validation/{secret}"));
        assert_eq!(loggable_path("/transfers/x/pay"), None);
    }
}
