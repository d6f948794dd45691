//! Signing in with the authorization code flow: `begin` gives the
//! authorization URL and what to keep (state, nonce, PKCE verifier);
//! `finish` checks the callback, redeems the code and verifies the ID
//! token. It keeps nothing itself: the caller holds [`Pending`].

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::jose;
use crate::{Provider, RpError};

/// Where to send the browser, and what to keep (server side, tied to the
/// browser) until it comes back.
#[derive(Debug)]
pub struct Begin {
    pub url: String,
    pub pending: Pending,
}

/// The per-sign-in secrets, kept by the caller between [`Provider::begin`]
/// and [`Provider::finish`]. Keep it server side or encrypted: the verifier
/// is what makes a stolen code useless.
#[derive(Clone, Serialize, Deserialize)]
pub struct Pending {
    pub state: String,
    pub nonce: String,
    pub code_verifier: String,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pending([redacted])")
    }
}

/// A completed sign-in: the verified ID token's claims and the tokens.
#[derive(Clone)]
pub struct SignedIn {
    /// Every claim of the verified ID token.
    pub claims: Map<String, Value>,
    pub subject: String,
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub access_expires_at_ms: Option<i64>,
    /// The raw ID token, for `id_token_hint` at sign-out.
    pub id_token: String,
}

impl std::fmt::Debug for SignedIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedIn")
            .field("subject", &self.subject)
            .field("access_expires_at_ms", &self.access_expires_at_ms)
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "[redacted]"))
            .finish_non_exhaustive()
    }
}

fn random_token() -> String {
    let mut buf = [0u8; 32];
    // The OS generator failing means the machine cannot do secure work at all.
    getrandom::fill(&mut buf).expect("the operating system's random generator failed");
    jose::b64url(&buf)
}

impl Provider {
    /// Start a sign-in: the authorization URL (response_type=code, PKCE
    /// S256, fresh state and nonce) and what to keep until the callback.
    /// `extra` adds parameters such as `prompt` or `ui_locales`; the ones
    /// this method sets itself cannot be overridden and are skipped.
    pub fn begin(&self, extra: &[(&str, &str)]) -> Begin {
        const OWN: [&str; 8] = [
            "response_type",
            "client_id",
            "redirect_uri",
            "scope",
            "state",
            "nonce",
            "code_challenge",
            "code_challenge_method",
        ];
        let pending = Pending { state: random_token(), nonce: random_token(), code_verifier: random_token() };
        let challenge = jose::b64url(&jose::sha256(pending.code_verifier.as_bytes()));
        let cfg = &self.inner.cfg;
        let mut url = self.inner.authorization_endpoint.clone();
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("response_type", "code")
                .append_pair("client_id", &cfg.client_id)
                .append_pair("redirect_uri", &cfg.redirect_uri)
                .append_pair("scope", &self.inner.scope)
                .append_pair("state", &pending.state)
                .append_pair("nonce", &pending.nonce)
                .append_pair("code_challenge", &challenge)
                .append_pair("code_challenge_method", "S256");
            for (k, v) in extra {
                if OWN.contains(k) {
                    tracing::warn!(parameter = k, "ignored an extra authorization parameter that begin sets itself");
                } else {
                    q.append_pair(k, v);
                }
            }
        }
        Begin { url: url.into(), pending }
    }

    /// Complete a sign-in from the callback's query parameters: check
    /// `state` and `iss`, surface a provider error, redeem the code with the
    /// PKCE verifier, and verify the ID token (signature, issuer, audience,
    /// expiry, issue time, nonce, and `at_hash` when present).
    ///
    /// The caller must drop `pending` afterwards whatever the outcome, so
    /// that a callback cannot be replayed.
    pub async fn finish(
        &self,
        callback: &HashMap<String, String>,
        pending: &Pending,
        now_ms: i64,
    ) -> Result<SignedIn, RpError> {
        let state = callback.get("state").map(String::as_str).unwrap_or_default();
        if !jose::ct_eq(state.as_bytes(), pending.state.as_bytes()) {
            return Err(RpError::StateMismatch);
        }
        // RFC 9207: a response naming another issuer is a mix-up attack;
        // a provider that promises `iss` must send it.
        match callback.get("iss") {
            Some(iss) if iss != &self.inner.cfg.issuer => {
                return Err(RpError::IssuerMismatch { expected: self.inner.cfg.issuer.clone(), found: iss.clone() });
            }
            None if self.inner.meta.authorization_response_iss_parameter_supported == Some(true) => {
                return Err(RpError::IssuerMismatch { expected: self.inner.cfg.issuer.clone(), found: String::new() });
            }
            _ => {}
        }
        if let Some(error) = callback.get("error") {
            return Err(RpError::Provider {
                error: error.clone(),
                description: callback.get("error_description").cloned(),
            });
        }
        let code =
            callback.get("code").filter(|c| !c.is_empty()).ok_or_else(|| RpError::bad("the response has no code"))?;
        let tokens = self
            .token_request(&[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", &self.inner.cfg.redirect_uri),
                ("code_verifier", &pending.code_verifier),
            ])
            .await?;
        let id_token = tokens.id_token.clone().ok_or_else(|| RpError::bad("the token response has no ID token"))?;
        let claims = self.verify_id_token(&id_token, &tokens.access_token, now_ms).await?;
        match claims.get("nonce").and_then(Value::as_str) {
            Some(n) if jose::ct_eq(n.as_bytes(), pending.nonce.as_bytes()) => {}
            _ => return Err(RpError::invalid("the ID token's nonce is not this sign-in's")),
        }
        let subject = claims.get("sub").and_then(Value::as_str).unwrap_or_default().to_string();
        Ok(SignedIn {
            subject,
            access_expires_at_ms: tokens.expires_at(now_ms),
            access_token: tokens.access_token,
            refresh_token: tokens.refresh_token,
            id_token,
            claims,
        })
    }
}
