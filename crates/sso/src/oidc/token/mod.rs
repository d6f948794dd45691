//! The token endpoint (RFC 6749 §3.2): an authenticated client redeems an
//! authorization code (`code_grant`) or a refresh token (`refresh_grant`)
//! for new tokens. It knows no HTTP: the caller gives the form and the
//! Basic credentials, and frames the answer.

mod code_grant;
mod refresh_grant;

use serde_json::Value;

use super::oauth::{Form, TokenError, authenticate_client, field};
use crate::Sso;

/// Answer a token request: the token response's body, or an OAuth error.
#[tracing::instrument(skip_all, fields(client_id = tracing::field::Empty, grant_type = tracing::field::Empty))]
pub async fn token(sso: &Sso, basic: Option<(String, String)>, form: &Form) -> Result<Value, TokenError> {
    let grant_type = field(form, "grant_type")?;
    if grant_type != "authorization_code" && grant_type != "refresh_token" {
        return Err(TokenError::UnsupportedGrantType);
    }
    tracing::Span::current().record("grant_type", grant_type);
    let client = authenticate_client(sso, basic, form).await?;
    tracing::Span::current().record("client_id", client.client_id.as_str());
    sso.keys().refresh_if_stale(sso.db(), sso.now_ms()).await?;
    if grant_type == "authorization_code" {
        code_grant::code_grant(sso, &client, form).await
    } else {
        refresh_grant::refresh_grant(sso, &client, form).await
    }
}
