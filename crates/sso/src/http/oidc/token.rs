//! The token and revocation endpoints: client credentials from the
//! `Authorization` header, the form, and OAuth errors as JSON (RFC 6749
//! §5.2), never cached. `oidc::token` and `oidc::revoke` decide; this only
//! frames.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Json, Router};
use base64::Engine;
use serde_json::json;

use crate::Sso;
use crate::http::respond::no_store;
use crate::oidc::{self, TokenError};

type FormData = Form<std::collections::HashMap<String, String>>;

pub(super) fn routes() -> Router<Sso> {
    Router::new().route("/sso/token", post(token)).route("/sso/revoke", post(revoke))
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, rest) = v.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(rest.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    // RFC 6749 §2.3.1: both parts are form-urlencoded before encoding.
    let dec = |s: &str| url::form_urlencoded::parse(format!("x={s}").as_bytes()).next().map(|(_, v)| v.into_owned());
    Some((dec(id)?, dec(secret)?))
}

pub(super) fn oauth_error(status: StatusCode, error: &str, description: Option<&str>) -> Response {
    let mut body = json!({ "error": error });
    if let Some(d) = description {
        body["error_description"] = json!(d);
    }
    no_store((status, Json(body)).into_response())
}

async fn token(
    State(sso): State<Sso>,
    headers: HeaderMap,
    form: Result<FormData, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(f)) = form else { return not_a_form() };
    match oidc::token(&sso, basic_credentials(&headers), &f).await {
        Ok(body) => {
            let mut resp = Json(body).into_response();
            resp.headers_mut().insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
            no_store(resp)
        }
        Err(e) => token_error(e, &headers),
    }
}

/// Token revocation (RFC 7009): 200 with an empty body whether or not
/// there was anything to revoke.
async fn revoke(
    State(sso): State<Sso>,
    headers: HeaderMap,
    form: Result<FormData, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(f)) = form else { return not_a_form() };
    match oidc::revoke(&sso, basic_credentials(&headers), &f).await {
        Ok(()) => no_store(StatusCode::OK.into_response()),
        Err(e) => token_error(e, &headers),
    }
}

fn not_a_form() -> Response {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_request", Some("send application/x-www-form-urlencoded parameters"))
}

/// An error of the token or revocation endpoint (RFC 6749 §5.2).
fn token_error(e: TokenError, headers: &HeaderMap) -> Response {
    match e {
        TokenError::InvalidClient => {
            let mut resp =
                oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", Some("client authentication failed"));
            if headers.get(header::AUTHORIZATION).is_some() {
                resp.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"tims\""));
            }
            resp
        }
        TokenError::InvalidRequest(d) => oauth_error(StatusCode::BAD_REQUEST, "invalid_request", Some(&d)),
        TokenError::InvalidGrant(d) => oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", Some(&d)),
        TokenError::InvalidScope(d) => oauth_error(StatusCode::BAD_REQUEST, "invalid_scope", Some(&d)),
        TokenError::UnsupportedGrantType => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            Some("use authorization_code or refresh_token"),
        ),
        TokenError::UnsupportedTokenType => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_token_type",
            Some("only refresh tokens are revoked; access tokens expire in minutes"),
        ),
        TokenError::Server(e) => {
            tracing::error!(error = %e, "token endpoint failed");
            oauth_error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", None)
        }
    }
}
