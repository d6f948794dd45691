//! The discovery document and the JWKS, public and cacheable. It decides
//! nothing.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use crate::{Sso, oidc};

pub(super) fn routes() -> Router<Sso> {
    Router::new().route("/sso/.well-known/openid-configuration", get(discovery)).route("/sso/jwks", get(jwks))
}

async fn discovery(State(sso): State<Sso>) -> Response {
    let mut resp = Json(oidc::discovery(&sso.config().issuer)).into_response();
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    resp.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    resp
}

async fn jwks(State(sso): State<Sso>) -> Response {
    if let Err(e) = sso.keys().refresh_if_stale(sso.db(), sso.now_ms()).await {
        tracing::error!(error = %e, "key refresh failed; serving the keys in memory");
    }
    let mut resp = Json(sso.keys().jwks()).into_response();
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=60"));
    resp.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    resp
}
