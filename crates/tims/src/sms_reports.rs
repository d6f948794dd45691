//! The SMS gateway's delivery reports: `POST /sms/reports/{secret}`,
//! form-encoded (`id`, `status`, `phoneNumber`, `networkCode`,
//! `failureReason`, `retryCount`; other fields are ignored).
//!
//! The gateway does not sign its reports, so their address carries an
//! unguessable configured secret, compared in constant time; a wrong one,
//! or none configured, is answered 404 like any unknown address. A report
//! is matched by its `id` to a message in either outbox (`adapters::outbox`
//! keeps and applies it); one whose id is not known (yet) is answered 200,
//! so that the gateway does not keep sending it, and kept a while in case
//! its message's id is still being written.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;

use crate::config::Secret;

const PREFIX: &str = "/sms/reports/";

/// The request path as logs may show it: without the reports' secret.
pub fn loggable_path(path: &str) -> String {
    match path.strip_prefix(PREFIX) {
        Some(_) => format!("{PREFIX}{{secret}}"),
        None => path.to_string(),
    }
}

#[derive(Clone)]
struct Reports {
    registry: registry::Registry,
    secret: Option<std::sync::Arc<Secret>>,
}

/// The report's route; it answers 404 to every request without a secret
/// configured.
pub fn router(registry: registry::Registry, secret: Option<Secret>) -> Router {
    let secret = secret.filter(|s| !s.expose().is_empty()).map(std::sync::Arc::new);
    Router::new().route("/sms/reports/{secret}", post(report)).with_state(Reports { registry, secret })
}

/// The gateway's form; only `id` and `status` are required. (Read by
/// hand, after the secret is checked: a wrong address learns nothing of
/// the form it expects.)
#[derive(Debug)]
struct ReportForm {
    id: Option<String>,
    status: Option<String>,
    network_code: Option<String>,
    failure_reason: Option<String>,
    retry_count: Option<String>,
}

async fn report(State(r): State<Reports>, Path(given): Path<String>, body: String) -> Response {
    let Some(secret) = &r.secret else { return StatusCode::NOT_FOUND.into_response() };
    if !secure::ct_eq(&given, secret.expose()) {
        tracing::warn!("SMS delivery report with a wrong secret refused");
        return StatusCode::NOT_FOUND.into_response();
    }
    let form: ReportForm = match read_form(&body) {
        Some(f) => f,
        None => return (StatusCode::BAD_REQUEST, "not a delivery report").into_response(),
    };
    let (Some(id), Some(status)) = (form.id.filter(|i| !i.is_empty()), form.status.filter(|s| !s.is_empty())) else {
        return (StatusCode::BAD_REQUEST, "a delivery report needs id and status").into_response();
    };
    let report = adapters::outbox::Report {
        gateway_id: id,
        status,
        failure_reason: form.failure_reason.filter(|f| !f.is_empty()),
        network_code: form.network_code.filter(|n| !n.is_empty()),
        retry_count: form.retry_count.and_then(|n| n.trim().parse().ok()),
    };
    let outboxes = [sso::outbox::OUTBOX, registry::outbox::OUTBOX];
    match adapters::outbox::record_report(r.registry.db(), &outboxes, &report, r.registry.now_ms()).await {
        Ok(outcome) => {
            let (gateway_id, status) = (&report.gateway_id, &report.status);
            match outcome {
                adapters::outbox::ReportOutcome::Applied => {
                    tracing::info!(gateway_id, status, "SMS delivery report applied");
                }
                adapters::outbox::ReportOutcome::Waiting => {
                    tracing::info!(gateway_id, status, "SMS delivery report for an id not (yet) known: kept");
                }
            }
            "ok".into_response()
        }
        Err(e) => {
            // The gateway sends it again later.
            tracing::error!(error = %e, "SMS delivery report not stored");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

/// The form's fields; `None` for a body that is not a form.
fn read_form(body: &str) -> Option<ReportForm> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes()).into_owned().collect();
    let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    if pairs.is_empty() {
        return None;
    }
    Some(ReportForm {
        id: get("id"),
        status: get("status"),
        network_code: get("networkCode"),
        failure_reason: get("failureReason"),
        retry_count: get("retryCount"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reports_secret_never_reaches_a_log() {
        assert_eq!(loggable_path("/sms/reports/s3cr3t"), "/sms/reports/{secret}");
        assert_eq!(loggable_path("/sso/signin"), "/sso/signin");
    }
}
