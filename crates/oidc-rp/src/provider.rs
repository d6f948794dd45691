//! One configured provider: its discovery document, how this client is
//! registered with it (the client secret kept out of logs), and what the
//! flows share (`Provider`). The flows themselves have their own files:
//! `signin`, `refresh`, `userinfo`, `tokens` (checking what it signs),
//! `logout`; `backchannel` is how this client calls it, `keys` its JWKS.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::RpError;
use crate::keys::{KeyCache, fetch_json};

/// The discovery document (OpenID Connect Discovery 1.0 §3), the fields
/// a relying party uses.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Metadata {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    #[serde(default)]
    pub userinfo_endpoint: Option<String>,
    pub jwks_uri: String,
    #[serde(default)]
    pub end_session_endpoint: Option<String>,
    /// RFC 7009 token revocation.
    #[serde(default)]
    pub revocation_endpoint: Option<String>,
    #[serde(default)]
    pub code_challenge_methods_supported: Option<Vec<String>>,
    #[serde(default)]
    pub id_token_signing_alg_values_supported: Vec<String>,
    #[serde(default)]
    pub token_endpoint_auth_methods_supported: Option<Vec<String>>,
    /// RFC 9207: when true, every authorization response carries `iss`.
    #[serde(default)]
    pub authorization_response_iss_parameter_supported: Option<bool>,
}

/// A secret that never shows in `Debug` output or logs.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    /// The secret itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Self(s)
    }
}

/// How this client is registered with the provider.
#[derive(Clone, Debug, Deserialize)]
pub struct ClientConfig {
    /// Exactly as the provider spells it; compared byte for byte.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Secret,
    pub redirect_uri: String,
    /// `openid` is added in front if missing.
    pub scopes: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ClientAuth {
    Basic,
    Post,
}

pub(crate) struct Inner {
    pub http: reqwest::Client,
    pub cfg: ClientConfig,
    pub meta: Metadata,
    pub authorization_endpoint: Url,
    pub token_endpoint: Url,
    pub userinfo_endpoint: Option<Url>,
    pub end_session_endpoint: Option<Url>,
    pub revocation_endpoint: Option<Url>,
    pub scope: String,
    pub client_auth: ClientAuth,
    pub keys: KeyCache,
}

/// A discovered provider. Cheap to clone (shared inside); share one per
/// provider so that the key cache and its refetch limit are shared.
#[derive(Clone)]
pub struct Provider {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provider")
            .field("issuer", &self.inner.cfg.issuer)
            .field("client_id", &self.inner.cfg.client_id)
            .finish_non_exhaustive()
    }
}

fn endpoint(name: &str, s: &str) -> Result<Url, RpError> {
    Url::parse(s).map_err(|_| RpError::bad(format!("the {name} is not a URL")))
}

impl Provider {
    /// Fetch the discovery document and the JWKS. The document must name
    /// exactly the configured issuer (Discovery §4.3). Call again to retry
    /// when the provider was down: nothing is cached between calls.
    ///
    /// The `http` client is the caller's: it sets timeouts and TLS roots.
    /// Build it with `redirect(reqwest::redirect::Policy::none())`: the
    /// token and userinfo endpoints must answer themselves, and an answer
    /// that arrives from another URL after a redirect is refused anyway.
    pub async fn discover(http: reqwest::Client, cfg: ClientConfig) -> Result<Self, RpError> {
        // Discovery §4: drop a terminating slash, then append the path.
        let url = format!("{}/.well-known/openid-configuration", cfg.issuer.trim_end_matches('/'));
        let url = Url::parse(&url).map_err(|_| RpError::Unsupported("the configured issuer is not a URL".into()))?;
        let what = "the discovery document";
        let meta: Metadata =
            fetch_json(&http, url, "application/json", what, "the discovery document is not valid").await?;
        if meta.issuer != cfg.issuer {
            return Err(RpError::IssuerMismatch { expected: cfg.issuer.clone(), found: meta.issuer });
        }
        let authorization_endpoint = endpoint("authorization endpoint", &meta.authorization_endpoint)?;
        let token_endpoint = endpoint("token endpoint", &meta.token_endpoint)?;
        let jwks_uri = endpoint("JWKS URI", &meta.jwks_uri)?;
        let userinfo_endpoint =
            meta.userinfo_endpoint.as_deref().map(|u| endpoint("userinfo endpoint", u)).transpose()?;
        let end_session_endpoint =
            meta.end_session_endpoint.as_deref().map(|u| endpoint("end-session endpoint", u)).transpose()?;
        let revocation_endpoint =
            meta.revocation_endpoint.as_deref().map(|u| endpoint("revocation endpoint", u)).transpose()?;
        let client_auth = match &meta.token_endpoint_auth_methods_supported {
            // The default when the provider does not say (Discovery §3).
            None => ClientAuth::Basic,
            Some(m) if m.iter().any(|m| m == "client_secret_basic") => ClientAuth::Basic,
            Some(m) if m.iter().any(|m| m == "client_secret_post") => ClientAuth::Post,
            Some(_) => {
                return Err(RpError::Unsupported(
                    "the provider accepts neither client_secret_basic nor client_secret_post".into(),
                ));
            }
        };
        let algs = &meta.id_token_signing_alg_values_supported;
        if !algs.is_empty() && !algs.iter().any(|a| a == "RS256" || a == "ES256") {
            tracing::warn!(issuer = %cfg.issuer, "the provider lists neither RS256 nor ES256 for ID tokens");
        }
        if meta.code_challenge_methods_supported.as_ref().is_some_and(|m| !m.iter().any(|m| m == "S256")) {
            tracing::warn!(issuer = %cfg.issuer, "the provider does not list PKCE S256; sending it anyway");
        }
        let mut scopes = cfg.scopes.clone();
        if !scopes.iter().any(|s| s == "openid") {
            scopes.insert(0, "openid".into());
        }
        let scope = scopes.join(" ");
        let keys = KeyCache::fetch(&http, jwks_uri, &cfg.issuer).await?;
        tracing::debug!(issuer = %cfg.issuer, keys = keys.len(), "discovered the sign-in provider");
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                cfg,
                meta,
                authorization_endpoint,
                token_endpoint,
                userinfo_endpoint,
                end_session_endpoint,
                revocation_endpoint,
                scope,
                client_auth,
                keys,
            }),
        })
    }

    /// The discovery document as fetched.
    pub fn metadata(&self) -> &Metadata {
        &self.inner.meta
    }

    pub fn issuer(&self) -> &str {
        &self.inner.cfg.issuer
    }

    pub fn client_id(&self) -> &str {
        &self.inner.cfg.client_id
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Pending;

    #[test]
    fn a_secret_does_not_show_in_debug_output() {
        let cfg = ClientConfig {
            issuer: "https://id.example".into(),
            client_id: "registry".into(),
            client_secret: Secret::new("hunter2"),
            redirect_uri: "https://registry.example/cb".into(),
            scopes: vec![],
        };
        let shown = format!("{cfg:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("[redacted]"));
        let pending = Pending { state: "s".into(), nonce: "n".into(), code_verifier: "verifier-xyz".into() };
        assert!(!format!("{pending:?}").contains("verifier-xyz"));
    }
}
