//! The userinfo endpoint: a Bearer access token in, the claims its scope
//! releases out. `oidc::userinfo` decides; this only frames.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use super::token::oauth_error;
use crate::http::respond::no_store;
use crate::{Sso, oidc};

pub(super) fn routes() -> Router<Sso> {
    Router::new().route("/sso/userinfo", get(userinfo).post(userinfo))
}

async fn userinfo(State(sso): State<Sso>, headers: HeaderMap) -> Response {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(s, _)| s.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim().to_string());
    let invalid = |err: &'static str| {
        let mut resp = no_store((StatusCode::UNAUTHORIZED, Json(json!({"error": err}))).into_response());
        let v = if err == "invalid_token" { "Bearer error=\"invalid_token\"" } else { "Bearer" };
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(v));
        resp
    };
    let Some(token) = bearer else {
        return invalid("invalid_request");
    };
    match oidc::userinfo(&sso, &token).await {
        Ok(Some(claims)) => no_store(Json(claims).into_response()),
        Ok(None) => invalid("invalid_token"),
        Err(e) => {
            tracing::error!(error = %e, "userinfo failed");
            oauth_error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", None)
        }
    }
}
