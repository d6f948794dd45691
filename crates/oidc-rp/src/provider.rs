//! One configured provider: discovery, the authorization code flow with
//! PKCE, token checks, userinfo, refresh and the end-session URL.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use url::Url;

use crate::RpError;
use crate::jose::{self, Jwk, Jws, KeyCheck};

/// Clocks disagree; this much is forgiven on `exp`, `iat` and `nbf`.
pub const CLOCK_SKEW_MS: i64 = 60 * 1000;
/// A JWKS refetch for an unknown key id happens at most this often, so that
/// tokens with made-up key ids cannot make us hammer the provider.
pub const MIN_JWKS_REFETCH_INTERVAL_MS: i64 = 10 * 1000;
/// Keys are refetched when older than this, so that a key the provider
/// withdraws stops being trusted without a restart.
pub const JWKS_MAX_AGE_MS: i64 = 10 * 60 * 1000;

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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ClientAuth {
    Basic,
    Post,
}

struct KeySet {
    keys: Vec<Jwk>,
    /// None until the first check after discovery (which has no clock).
    fetched_at: Option<i64>,
    /// Bumped on every successful refetch, so that waiters can tell that
    /// someone else already fetched.
    generation: u64,
}

struct Inner {
    http: reqwest::Client,
    cfg: ClientConfig,
    meta: Metadata,
    authorization_endpoint: Url,
    token_endpoint: Url,
    userinfo_endpoint: Option<Url>,
    jwks_uri: Url,
    end_session_endpoint: Option<Url>,
    revocation_endpoint: Option<Url>,
    scope: String,
    client_auth: ClientAuth,
    keys: RwLock<KeySet>,
    /// Serialises JWKS refetches and holds the time of the last attempt.
    refetch: tokio::sync::Mutex<Option<i64>>,
}

/// A discovered provider. Cheap to clone (shared inside); share one per
/// provider so that the key cache and its refetch limit are shared.
#[derive(Clone)]
pub struct Provider {
    inner: Arc<Inner>,
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

fn random_token() -> String {
    let mut buf = [0u8; 32];
    // The OS generator failing means the machine cannot do secure work at all.
    getrandom::fill(&mut buf).expect("the operating system's random generator failed");
    jose::b64url(&buf)
}

/// RFC 6749 §2.3.1: id and secret are form-urlencoded, then joined and
/// base64-encoded.
fn basic_auth(id: &str, secret: &str) -> String {
    use base64::Engine;
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let joined = format!("{}:{}", enc(id), enc(secret));
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(joined))
}

/// A NumericDate claim (seconds, possibly fractional) in milliseconds.
fn time_claim(claims: &Map<String, Value>, name: &str) -> Result<Option<i64>, RpError> {
    let Some(v) = claims.get(name) else {
        return Ok(None);
    };
    let ms = if let Some(s) = v.as_i64() {
        s.checked_mul(1000)
    } else {
        v.as_f64().filter(|f| f.is_finite() && f.abs() < 1e15).map(|f| (f * 1000.0) as i64)
    };
    ms.map(Some).ok_or_else(|| RpError::InvalidToken(format!("the {name} claim is not a time")))
}

/// The `aud` claim as a list, whether one string or an array of strings.
fn audiences(claims: &Map<String, Value>) -> Result<Vec<&str>, RpError> {
    match claims.get("aud") {
        Some(Value::String(a)) => Ok(vec![a.as_str()]),
        Some(Value::Array(list)) => list
            .iter()
            .map(|a| a.as_str().ok_or_else(|| RpError::invalid("the aud claim is not a list of strings")))
            .collect(),
        Some(_) => Err(RpError::invalid("the aud claim is not a string or a list")),
        None => Err(RpError::invalid("the token names no audience")),
    }
}

/// Expiry, not-before and issued-at, with the allowed skew.
fn check_times(claims: &Map<String, Value>, now_ms: i64, require_iat: bool) -> Result<(), RpError> {
    let exp = time_claim(claims, "exp")?.ok_or_else(|| RpError::invalid("the token has no expiry"))?;
    if exp.saturating_add(CLOCK_SKEW_MS) <= now_ms {
        return Err(RpError::invalid("the token has expired"));
    }
    if let Some(nbf) = time_claim(claims, "nbf")?
        && nbf > now_ms.saturating_add(CLOCK_SKEW_MS)
    {
        return Err(RpError::invalid("the token is not valid yet"));
    }
    match time_claim(claims, "iat")? {
        Some(iat) if iat > now_ms.saturating_add(CLOCK_SKEW_MS) => {
            Err(RpError::invalid("the token was issued in the future"))
        }
        None if require_iat => Err(RpError::invalid("the token has no issue time")),
        _ => Ok(()),
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    token_type: String,
    #[serde(default)]
    expires_in: Option<Value>,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    id_token: Option<String>,
}

impl TokenResponse {
    fn expires_at(&self, now_ms: i64) -> Option<i64> {
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
fn oauth_error(body: &Value) -> Option<RpError> {
    let error = body.get("error")?.as_str()?.to_string();
    let description = body.get("error_description").and_then(Value::as_str).map(str::to_string);
    Some(RpError::Provider { error, description })
}

/// A parameter of a `WWW-Authenticate: Bearer error="...", ...` header.
fn www_authenticate_param(header: &str, name: &str) -> Option<String> {
    let at = header.find(&format!("{name}=\""))? + name.len() + 2;
    let rest = &header[at..];
    Some(rest[..rest.find('"')?].to_string())
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
        let resp = http
            .get(url)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(RpError::Unreachable)?;
        if !resp.status().is_success() {
            return Err(RpError::bad(format!("the discovery document answered {}", resp.status())));
        }
        let meta: Metadata = resp.json().await.map_err(|e| {
            if e.is_decode() { RpError::bad("the discovery document is not valid") } else { RpError::Unreachable(e) }
        })?;
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
        let keys = Self::fetch_jwks(&http, &jwks_uri).await?;
        tracing::debug!(issuer = %cfg.issuer, keys = keys.len(), "discovered the sign-in provider");
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                cfg,
                meta,
                authorization_endpoint,
                token_endpoint,
                userinfo_endpoint,
                jwks_uri,
                end_session_endpoint,
                revocation_endpoint,
                scope,
                client_auth,
                keys: RwLock::new(KeySet { keys, fetched_at: None, generation: 0 }),
                refetch: tokio::sync::Mutex::new(None),
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

    /// Verify an access token that an API client sent as a Bearer token,
    /// when the provider issues JWT access tokens (RFC 9068): header `typ`
    /// `at+jwt`, signature against the JWKS, `iss`, `exp` (with skew), and
    /// an `aud` among `accepted_audiences`. With no accepted audiences every
    /// token is refused: the caller must say what it is.
    ///
    /// Returns the claims; scopes and client checks are the caller's.
    pub async fn verify_jwt_access_token(
        &self,
        token: &str,
        accepted_audiences: &[String],
        now_ms: i64,
    ) -> Result<Map<String, Value>, RpError> {
        if accepted_audiences.is_empty() {
            return Err(RpError::invalid("no audience is configured for access tokens"));
        }
        let jws = Jws::parse(token).map_err(RpError::invalid)?;
        match jws.typ().as_deref() {
            Some("at+jwt" | "application/at+jwt") => {}
            _ => return Err(RpError::invalid("the token is not a JWT access token (typ at+jwt)")),
        }
        self.check_signature(&jws, now_ms).await?;
        let claims = jws.claims;
        if claims.get("iss").and_then(Value::as_str) != Some(self.inner.cfg.issuer.as_str()) {
            return Err(RpError::invalid("the token is from another issuer"));
        }
        check_times(&claims, now_ms, false)?;
        let aud = audiences(&claims)?;
        if !aud.iter().any(|a| accepted_audiences.iter().any(|ok| ok == a)) {
            // Audiences are client and API names, public like the issuer:
            // saying which were found and which are accepted tells an
            // integrator what to ask the operator for.
            return Err(RpError::InvalidToken(format!(
                "the token's audience ({}) is not one this API accepts ({})",
                aud.join(", "),
                accepted_audiences.join(", ")
            )));
        }
        Ok(claims)
    }

    /// The provider's sign-out URL (RP-Initiated Logout 1.0), if it has one.
    pub fn end_session_url(
        &self,
        id_token_hint: &str,
        post_logout_redirect_uri: Option<&str>,
        state: Option<&str>,
    ) -> Option<String> {
        let mut url = self.inner.end_session_endpoint.clone()?;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("id_token_hint", id_token_hint).append_pair("client_id", &self.inner.cfg.client_id);
            if let Some(uri) = post_logout_redirect_uri {
                q.append_pair("post_logout_redirect_uri", uri);
            }
            if let Some(s) = state {
                q.append_pair("state", s);
            }
        }
        Some(url.into())
    }

    /// POST the token endpoint with client authentication.
    /// POST `params` to one of the provider's endpoints as this client
    /// (client_secret_basic or client_secret_post); a redirect is refused.
    async fn client_post(
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

    async fn token_request(&self, params: &[(&str, &str)]) -> Result<TokenResponse, RpError> {
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

    /// OpenID Connect Core §3.1.3.7, less the nonce (the caller's).
    async fn verify_id_token(
        &self,
        id_token: &str,
        access_token: &str,
        now_ms: i64,
    ) -> Result<Map<String, Value>, RpError> {
        let jws = Jws::parse(id_token).map_err(RpError::invalid)?;
        // RFC 9068 §4: an access token must not pass as an ID token.
        if matches!(jws.typ().as_deref(), Some("at+jwt" | "application/at+jwt")) {
            return Err(RpError::invalid("an access token is not an ID token"));
        }
        self.check_signature(&jws, now_ms).await?;
        let claims = jws.claims;
        let cfg = &self.inner.cfg;
        if claims.get("iss").and_then(Value::as_str) != Some(cfg.issuer.as_str()) {
            return Err(RpError::invalid("the ID token is from another issuer"));
        }
        let aud = audiences(&claims)?;
        if !aud.contains(&cfg.client_id.as_str()) {
            return Err(RpError::invalid("the ID token is for another client"));
        }
        match claims.get("azp") {
            Some(azp) if azp.as_str() != Some(cfg.client_id.as_str()) => {
                return Err(RpError::invalid("the ID token was issued to another client (azp)"));
            }
            None if aud.len() > 1 => return Err(RpError::invalid("the ID token has several audiences and no azp")),
            _ => {}
        }
        check_times(&claims, now_ms, true)?;
        match claims.get("sub").and_then(Value::as_str) {
            Some(s) if !s.is_empty() => {}
            _ => return Err(RpError::invalid("the ID token has no subject")),
        }
        // §3.1.3.8: optional in the code flow, but a wrong one is a swap.
        // Both accepted algorithms hash with SHA-256, so one rule serves.
        if let Some(at_hash) = claims.get("at_hash")
            && at_hash.as_str() != Some(jose::half_hash(access_token).as_str())
        {
            return Err(RpError::invalid("the ID token's at_hash does not match the access token"));
        }
        Ok(claims)
    }

    /// Check a token's signature against the cached JWKS, refetching it
    /// when it is old or when the token names a key it does not hold.
    async fn check_signature(&self, jws: &Jws<'_>, now_ms: i64) -> Result<(), RpError> {
        let (generation, fetched_at) = {
            let set = self.inner.keys.read().unwrap_or_else(|e| e.into_inner());
            (set.generation, set.fetched_at)
        };
        // Discovery has no clock: the first check starts the keys' age.
        let fetched_at = fetched_at.unwrap_or_else(|| {
            *self.inner.keys.write().unwrap_or_else(|e| e.into_inner()).fetched_at.get_or_insert(now_ms)
        });
        let stale = now_ms - fetched_at >= JWKS_MAX_AGE_MS;
        // Keep the keys in hand if that fails: tokens are short-lived, and
        // the provider being down must not sign everybody out.
        if stale && let Err(e) = self.refetch_keys(generation, now_ms).await {
            tracing::warn!(issuer = %self.inner.cfg.issuer, error = %e, "could not refresh the provider's keys");
        }
        let generation = {
            let set = self.inner.keys.read().unwrap_or_else(|e| e.into_inner());
            match jws.check(&set.keys) {
                KeyCheck::Valid => return Ok(()),
                KeyCheck::Invalid => return Err(RpError::invalid("the signature does not verify")),
                KeyCheck::NoKey => set.generation,
            }
        };
        // An unknown key id: perhaps the provider rotated its keys.
        if !self.refetch_keys(generation, now_ms).await? {
            return Err(RpError::invalid("the token is signed with a key the provider does not publish"));
        }
        let set = self.inner.keys.read().unwrap_or_else(|e| e.into_inner());
        match jws.check(&set.keys) {
            KeyCheck::Valid => Ok(()),
            KeyCheck::Invalid => Err(RpError::invalid("the signature does not verify")),
            KeyCheck::NoKey => Err(RpError::invalid("the token is signed with a key the provider does not publish")),
        }
    }

    /// Refetch the JWKS unless someone did since `seen_generation` (then
    /// their keys are used) or the last attempt was under ten seconds ago.
    /// Returns whether there are newer keys than the caller saw.
    async fn refetch_keys(&self, seen_generation: u64, now_ms: i64) -> Result<bool, RpError> {
        let mut last_attempt = self.inner.refetch.lock().await;
        if self.inner.keys.read().unwrap_or_else(|e| e.into_inner()).generation != seen_generation {
            return Ok(true);
        }
        if last_attempt.is_some_and(|t| now_ms - t < MIN_JWKS_REFETCH_INTERVAL_MS) {
            return Ok(false);
        }
        *last_attempt = Some(now_ms);
        let keys = Self::fetch_jwks(&self.inner.http, &self.inner.jwks_uri).await?;
        tracing::info!(issuer = %self.inner.cfg.issuer, keys = keys.len(), "refetched the provider's keys");
        let mut set = self.inner.keys.write().unwrap_or_else(|e| e.into_inner());
        set.keys = keys;
        set.fetched_at = Some(now_ms);
        set.generation += 1;
        Ok(true)
    }

    async fn fetch_jwks(http: &reqwest::Client, url: &Url) -> Result<Vec<Jwk>, RpError> {
        let resp = http
            .get(url.clone())
            .header(reqwest::header::ACCEPT, "application/json, application/jwk-set+json")
            .send()
            .await
            .map_err(RpError::Unreachable)?;
        if !resp.status().is_success() {
            return Err(RpError::bad(format!("the JWKS answered {}", resp.status())));
        }
        let doc: Value = resp
            .json()
            .await
            .map_err(|e| if e.is_decode() { RpError::bad("the JWKS is not JSON") } else { RpError::Unreachable(e) })?;
        jose::parse_jwks(&doc).map_err(RpError::BadResponse)
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

    #[test]
    fn time_claims_accept_integers_and_fractions_but_not_strings() {
        let claims: Map<String, Value> =
            serde_json::from_value(serde_json::json!({"a": 10, "b": 10.5, "c": "10"})).unwrap();
        assert_eq!(time_claim(&claims, "a").unwrap(), Some(10_000));
        assert_eq!(time_claim(&claims, "b").unwrap(), Some(10_500));
        assert!(time_claim(&claims, "c").is_err());
        assert_eq!(time_claim(&claims, "d").unwrap(), None);
    }

    #[test]
    fn the_error_of_a_bearer_challenge_is_read() {
        let h = r#"Bearer realm="x", error="invalid_token", error_description="expired""#;
        assert_eq!(www_authenticate_param(h, "error").as_deref(), Some("invalid_token"));
        assert_eq!(www_authenticate_param(h, "error_description").as_deref(), Some("expired"));
        assert_eq!(www_authenticate_param(h, "scope"), None);
    }
}
