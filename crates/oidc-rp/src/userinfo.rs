//! The userinfo endpoint: the claims an access token gives, about the
//! person the ID token named. It checks whose claims they are, not what they
//! allow.

use serde_json::{Map, Value};

use crate::{Provider, RpError};

/// A parameter of a `WWW-Authenticate: Bearer error="...", ...` header.
fn www_authenticate_param(header: &str, name: &str) -> Option<String> {
    let at = header.find(&format!("{name}=\""))? + name.len() + 2;
    let rest = &header[at..];
    Some(rest[..rest.find('"')?].to_string())
}

impl Provider {
    /// Fetch the userinfo claims with an access token. The answer's `sub`
    /// must equal `subject` (the ID token's), or it is not used
    /// (OpenID Connect Core §5.3.4). Signed or encrypted userinfo answers
    /// are not supported.
    pub async fn userinfo(&self, access_token: &str, subject: &str) -> Result<Map<String, Value>, RpError> {
        let url = self
            .inner
            .userinfo_endpoint
            .clone()
            .ok_or_else(|| RpError::Unsupported("the provider has no userinfo endpoint".into()))?;
        let resp = self
            .inner
            .http
            .get(url.clone())
            .bearer_auth(access_token)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(RpError::Unreachable)?;
        if resp.url() != &url {
            return Err(RpError::bad("the userinfo endpoint redirected"));
        }
        let status = resp.status();
        if !status.is_success() {
            let challenge = resp.headers().get(reqwest::header::WWW_AUTHENTICATE).and_then(|h| h.to_str().ok());
            if let Some(error) = challenge.and_then(|h| www_authenticate_param(h, "error")) {
                let description = challenge.and_then(|h| www_authenticate_param(h, "error_description"));
                return Err(RpError::Provider { error, description });
            }
            return Err(RpError::bad(format!("the userinfo endpoint answered {status}")));
        }
        let is_jwt = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|h| h.to_str().ok())
            .is_some_and(|t| t.to_ascii_lowercase().starts_with("application/jwt"));
        if is_jwt {
            return Err(RpError::Unsupported("signed userinfo answers".into()));
        }
        let body: Value = resp.json().await.map_err(|e| {
            if e.is_decode() { RpError::bad("the userinfo answer is not JSON") } else { RpError::Unreachable(e) }
        })?;
        let Value::Object(claims) = body else {
            return Err(RpError::bad("the userinfo answer is not a JSON object"));
        };
        match claims.get("sub").and_then(Value::as_str) {
            None => Err(RpError::bad("the userinfo answer has no sub")),
            Some(s) if s != subject => Err(RpError::bad("the userinfo answer is about another subject")),
            Some(_) => Ok(claims),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_of_a_bearer_challenge_is_read() {
        let h = r#"Bearer realm="x", error="invalid_token", error_description="expired""#;
        assert_eq!(www_authenticate_param(h, "error").as_deref(), Some("invalid_token"));
        assert_eq!(www_authenticate_param(h, "error_description").as_deref(), Some("expired"));
        assert_eq!(www_authenticate_param(h, "scope"), None);
    }
}
