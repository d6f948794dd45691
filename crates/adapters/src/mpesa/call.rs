//! One call to a Daraja API: a JSON POST with the token, retried once with
//! a new token when Daraja says the token is no good, and told apart by
//! whether it surely never reached Daraja.

use serde_json::Value;

use super::Mpesa;

/// Daraja's answer: its HTTP status and its body, if the body is JSON.
#[derive(Debug)]
pub(super) struct Answer {
    pub status: u16,
    pub body: Option<Value>,
}

/// A call that brought no answer.
#[derive(Debug)]
pub(super) enum Failed {
    /// Surely not sent: no token, or no connection.
    NotSent(String),
    /// Perhaps received: the answer was lost (a timeout once sent, a broken
    /// connection).
    Lost(String),
}

/// Daraja's codes for a token it does not accept (`404.001.03` as most
/// clients see it; `400.003.01` reported too).
const BAD_TOKEN_CODES: [&str; 2] = ["404.001.03", "400.003.01"];

impl Mpesa {
    /// POST `body` to `path` (under the base URL) with a bearer token.
    pub(super) async fn call(&self, path: &str, body: &Value) -> Result<Answer, Failed> {
        let mut retried = false;
        loop {
            let token = self.token().await.map_err(Failed::NotSent)?;
            let sent = self
                .http
                .post(format!("{}{path}", self.base))
                .bearer_auth(token.expose())
                .header(reqwest::header::ACCEPT, "application/json")
                .json(body)
                .send()
                .await;
            let resp = match sent {
                Ok(r) => r,
                Err(e) if e.is_connect() || e.is_builder() => return Err(Failed::NotSent(describe(&e))),
                Err(e) => return Err(Failed::Lost(describe(&e))),
            };
            let status = resp.status().as_u16();
            let bytes = resp.bytes().await.map_err(|e| Failed::Lost(describe(&e)))?;
            let answer = Answer { status, body: serde_json::from_slice(&bytes).ok() };
            if !retried && refuses_token(&answer) {
                // Revoked or expired early: a request refused at the door
                // prompted nobody, so it is safe to send again.
                tracing::info!(target: "tims::mpesa", path, "M-Pesa refused the access token; fetching another");
                self.drop_token(&token).await;
                retried = true;
                continue;
            }
            return Ok(answer);
        }
    }
}

fn refuses_token(a: &Answer) -> bool {
    if a.status == 401 {
        return true;
    }
    let Some(body) = &a.body else { return false };
    let code = body.get("errorCode").and_then(Value::as_str).unwrap_or_default();
    let message = body.get("errorMessage").and_then(Value::as_str).unwrap_or_default().to_ascii_lowercase();
    BAD_TOKEN_CODES.contains(&code) || (message.contains("access token") && message.contains("invalid"))
}

/// A transport error in a few words, without the URL's query.
pub(super) fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else {
        "connection failed"
    };
    match std::error::Error::source(e) {
        Some(s) => format!("{kind}: {s}"),
        None => kind.to_string(),
    }
}

/// Daraja's error code and message in an error body (`: 400.002.02 Bad
/// Request - Invalid PhoneNumber`), or nothing.
pub(super) fn error_text(body: &Value) -> String {
    let field = |name: &str| body.get(name).and_then(Value::as_str).unwrap_or_default().trim().to_string();
    let (code, message) = (field("errorCode"), field("errorMessage"));
    match (code.is_empty(), message.is_empty()) {
        (true, true) => String::new(),
        _ => format!(": {code} {message}").trim_end().to_string(),
    }
}

/// A code that Daraja sends as a string or a number (`"0"`, `0`, `"1032"`).
pub(super) fn code_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}
