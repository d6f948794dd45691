//! How this client calls the provider as itself: client authentication
//! (client_secret_basic or client_secret_post), the token endpoint, and
//! OAuth error answers. It knows requests and answers, not what tokens mean.

use serde::Deserialize;
use serde_json::Value;

use crate::provider::ClientAuth;
use crate::{Provider, RpError};

/// RFC 6749 §2.3.1: id and secret are form-urlencoded, then joined and
/// base64-encoded.
fn basic_auth(id: &str, secret: &str) -> String {
    use base64::Engine;
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let joined = format!("{}:{}", enc(id), enc(secret));
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(joined))
}

#[derive(Deserialize)]
pub(crate) struct TokenResponse {
    pub access_token: String,
    token_type: String,
    #[serde(default)]
    expires_in: Option<Value>,
    #[serde(default)]
    pub refresh_token: Option<String>,
    #[serde(default)]
    pub id_token: Option<String>,
}

impl TokenResponse {
    pub(crate) fn expires_at(&self, now_ms: i64) -> Option<i64> {
        let secs = match self.expires_in.as_ref()? {
            Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64))?,
            // Some providers send it as a string.
            Value::String(s) => s.trim().parse().ok()?,
            _ => return None,
        };
        now_ms.checked_add(secs.checked_mul(1000)?)
    }
}

/// The `error` and `error_description` of an OAuth error body.
pub(crate) fn oauth_error(body: &Value) -> Option<RpError> {
    let error = body.get("error")?.as_str()?.to_string();
    let description = body.get("error_description").and_then(Value::as_str).map(str::to_string);
    Some(RpError::Provider { error, description })
}

impl Provider {
    /// POST the token endpoint with client authentication.
    /// POST `params` to one of the provider's endpoints as this client
    /// (client_secret_basic or client_secret_post); a redirect is refused.
    pub(crate) async fn client_post(
        &self,
        url: &reqwest::Url,
        what: &str,
        params: &[(&str, &str)],
    ) -> Result<reqwest::Response, RpError> {
        let cfg = &self.inner.cfg;
        let mut req = self.inner.http.post(url.clone()).header(reqwest::header::ACCEPT, "application/json");
        let mut form: Vec<(&str, &str)> = params.to_vec();
        match self.inner.client_auth {
            ClientAuth::Basic => {
                req =
                    req.header(reqwest::header::AUTHORIZATION, basic_auth(&cfg.client_id, cfg.client_secret.expose()));
            }
            ClientAuth::Post => {
                form.push(("client_id", &cfg.client_id));
                form.push(("client_secret", cfg.client_secret.expose()));
            }
        }
        let resp = req.form(&form).send().await.map_err(RpError::Unreachable)?;
        if resp.url() != url {
            return Err(RpError::bad(format!("the {what} redirected")));
        }
        Ok(resp)
    }

    pub(crate) async fn token_request(&self, params: &[(&str, &str)]) -> Result<TokenResponse, RpError> {
        let url = self.inner.token_endpoint.clone();
        let resp = self.client_post(&url, "token endpoint", params).await?;
        let status = resp.status();
        let body: Result<Value, _> = resp.json().await;
        let body = match body {
            Ok(b) => b,
            Err(e) if !e.is_decode() => return Err(RpError::Unreachable(e)),
            Err(_) => return Err(RpError::bad(format!("the token endpoint answered {status} without JSON"))),
        };
        if !status.is_success() {
            return Err(
                oauth_error(&body).unwrap_or_else(|| RpError::bad(format!("the token endpoint answered {status}")))
            );
        }
        let tokens: TokenResponse =
            serde_json::from_value(body).map_err(|_| RpError::bad("the token response is not valid"))?;
        if !tokens.token_type.eq_ignore_ascii_case("bearer") {
            return Err(RpError::Unsupported("access tokens that are not Bearer tokens".into()));
        }
        Ok(tokens)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_auth_form_encodes_the_id_and_secret_first() {
        use base64::Engine;
        let header = basic_auth("my client", "s3:cr+t/é");
        let encoded = header.strip_prefix("Basic ").unwrap();
        let decoded = base64::engine::general_purpose::STANDARD.decode(encoded).unwrap();
        assert_eq!(String::from_utf8(decoded).unwrap(), "my+client:s3%3Acr%2Bt%2F%C3%A9");
    }
}
