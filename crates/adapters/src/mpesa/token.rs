//! Daraja's OAuth token: fetched with the consumer key and secret, kept
//! until shortly before it expires, refreshed by one caller at a time.

use secure::Secret;
use serde_json::Value;

use super::Mpesa;

/// How long before its expiry a token is replaced, so that none expires on
/// its way to Daraja.
const EARLY_MS: i64 = 60_000;
/// A token's life when Daraja does not say (it says 3599 seconds).
const DEFAULT_LIFE_SECS: i64 = 3599;

#[derive(Debug, Clone)]
struct Token {
    value: Secret,
    /// When to stop using it (already `EARLY_MS` before its expiry).
    use_until_ms: i64,
}

/// The current token. The lock is held while a token is fetched, so that
/// callers arriving meanwhile wait for that one instead of each fetching
/// their own.
#[derive(Debug, Default)]
pub(super) struct TokenCache {
    slot: tokio::sync::Mutex<Option<Token>>,
}

impl Mpesa {
    /// A token that is good for a while yet, fetched if need be.
    pub(super) async fn token(&self) -> Result<Secret, String> {
        let mut slot = self.token.slot.lock().await;
        let now = self.clock.now_ms();
        if let Some(t) = slot.as_ref().filter(|t| now < t.use_until_ms) {
            return Ok(t.value.clone());
        }
        *slot = None;
        let (value, life_secs) = self.fetch_token().await?;
        let life_ms = life_secs.saturating_mul(1000);
        // A short-lived token is used for half its life rather than not at all.
        let use_until_ms = now + if life_ms > 2 * EARLY_MS { life_ms - EARLY_MS } else { life_ms / 2 };
        *slot = Some(Token { value: value.clone(), use_until_ms });
        Ok(value)
    }

    /// Forget `stale`, which Daraja refused, unless another caller has
    /// replaced it already.
    pub(super) async fn drop_token(&self, stale: &Secret) {
        let mut slot = self.token.slot.lock().await;
        if slot.as_ref().is_some_and(|t| t.value == *stale) {
            *slot = None;
        }
    }

    async fn fetch_token(&self) -> Result<(Secret, i64), String> {
        let url = format!("{}/oauth/v1/generate?grant_type=client_credentials", self.base);
        let s = &self.settings;
        let resp = self
            .http
            .get(url)
            .basic_auth(s.consumer_key.expose(), Some(s.consumer_secret.expose()))
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| format!("cannot get an M-Pesa access token: {}", super::call::describe(&e)))?;
        let status = resp.status();
        let body: Option<Value> = resp.bytes().await.ok().and_then(|b| serde_json::from_slice(&b).ok());
        let body = match body {
            Some(b) if status.is_success() => b,
            other => {
                let why = other.as_ref().map(super::call::error_text).unwrap_or_default();
                return Err(format!("M-Pesa refused an access token (HTTP {}){why}", status.as_u16()));
            }
        };
        let token = body
            .get("access_token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or("M-Pesa's token answer has no access_token")?;
        Ok((Secret::new(token), life_secs(body.get("expires_in"))))
    }
}

/// `expires_in`: a JSON string ("3599") as Daraja sends it, or a number.
fn life_secs(v: Option<&Value>) -> i64 {
    let n = match v {
        Some(Value::String(s)) => s.trim().parse::<i64>().ok(),
        Some(Value::Number(n)) => n.as_i64(),
        _ => None,
    };
    n.filter(|n| *n > 0).unwrap_or(DEFAULT_LIFE_SECS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_life_is_read_from_a_string_or_a_number() {
        assert_eq!(life_secs(Some(&Value::from("3599"))), 3599);
        assert_eq!(life_secs(Some(&Value::from(120))), 120);
        assert_eq!(life_secs(Some(&Value::from("soon"))), DEFAULT_LIFE_SECS);
        assert_eq!(life_secs(None), DEFAULT_LIFE_SECS);
    }
}
