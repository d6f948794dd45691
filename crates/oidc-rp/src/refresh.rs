//! Refresh tokens: using one for new tokens (a new ID token, if sent, must
//! name the same person) and revoking one (RFC 7009). It keeps no token: the
//! caller stores and forgets them.

use serde_json::{Map, Value};

use crate::backchannel::oauth_error;
use crate::{Provider, RpError};

/// New tokens from a refresh. The provider may or may not rotate the
/// refresh token and may or may not send a new ID token.
#[derive(Clone)]
pub struct Refreshed {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub access_expires_at_ms: Option<i64>,
    pub id_token: Option<String>,
    /// The new ID token's claims, verified, when there is one.
    pub claims: Option<Map<String, Value>>,
}

impl std::fmt::Debug for Refreshed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Refreshed")
            .field("access_expires_at_ms", &self.access_expires_at_ms)
            .field("new_refresh_token", &self.refresh_token.is_some())
            .field("new_id_token", &self.id_token.is_some())
            .finish_non_exhaustive()
    }
}

impl Provider {
    /// Use a refresh token. A new ID token, if sent, is verified and must
    /// name the same `subject` (OpenID Connect Core §12.2).
    pub async fn refresh(&self, refresh_token: &str, subject: &str, now_ms: i64) -> Result<Refreshed, RpError> {
        let tokens = self.token_request(&[("grant_type", "refresh_token"), ("refresh_token", refresh_token)]).await?;
        let claims = match &tokens.id_token {
            None => None,
            Some(t) => {
                let claims = self.verify_id_token(t, &tokens.access_token, now_ms).await?;
                if claims.get("sub").and_then(Value::as_str) != Some(subject) {
                    return Err(RpError::invalid("the refreshed ID token names another subject"));
                }
                Some(claims)
            }
        };
        Ok(Refreshed {
            access_expires_at_ms: tokens.expires_at(now_ms),
            access_token: tokens.access_token,
            refresh_token: tokens.refresh_token,
            id_token: tokens.id_token,
            claims,
        })
    }

    /// Revoke a refresh token (RFC 7009), so that it cannot be used again
    /// wherever it is kept. Returns false when the provider offers no
    /// revocation endpoint.
    pub async fn revoke_refresh_token(&self, refresh_token: &str) -> Result<bool, RpError> {
        let Some(url) = &self.inner.revocation_endpoint else { return Ok(false) };
        let params = [("token", refresh_token), ("token_type_hint", "refresh_token")];
        let resp = self.client_post(url, "revocation endpoint", &params).await?;
        let status = resp.status();
        if status.is_success() {
            return Ok(true);
        }
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        Err(oauth_error(&body).unwrap_or_else(|| RpError::bad(format!("the revocation endpoint answered {status}"))))
    }
}
