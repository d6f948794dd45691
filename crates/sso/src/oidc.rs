//! The OpenID Connect provider's protocol: clients, the authorization-code
//! flow with PKCE (S256 only), tokens, userinfo and RP-initiated logout. HTTP
//! framing is in `web`; this module decides.

use std::collections::HashMap;

use db::Db;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use sqlx::Row;

use crate::keys::{self, MAX_TOKEN_TTL_MS};
use crate::sessions::{Session, Stage};
use crate::{ClientConfig, Error, Sso, accounts, crypto, orgs};

/// Authorization codes live one minute.
pub const CODE_TTL_MS: i64 = 60 * 1000;
pub const ACCESS_TTL_MS: i64 = 10 * 60 * 1000;
pub const ID_TTL_MS: i64 = MAX_TOKEN_TTL_MS;
pub const REFRESH_TTL_MS: i64 = 30 * 24 * 60 * 60 * 1000;

pub const SCOPES: &[&str] = &["openid", "profile", "phone", "organisations", "offline_access"];

/// The audience of the registry's API: named in the access tokens of every
/// client granted API access, so the API accepts them without a change to
/// its own settings.
pub const API_AUDIENCE: &str = "tims-api";

#[derive(Debug, Clone)]
pub struct Client {
    pub client_id: String,
    secret_hash: String,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    /// Granted access to the registry's API (see [`API_AUDIENCE`]).
    pub api_access: bool,
}

impl Client {
    /// The `aud` of this client's access tokens: its id, and the API's
    /// when it has API access.
    pub fn access_token_audience(&self) -> Value {
        if self.api_access && self.client_id != API_AUDIENCE {
            json!([self.client_id, API_AUDIENCE])
        } else {
            json!(self.client_id)
        }
    }
}

pub async fn upsert_configured_client(db: &Db, c: &ClientConfig, now: i64) -> Result<(), Error> {
    check_client(&c.id, &c.redirect_uris, &c.post_logout_redirect_uris).map_err(|e| match e {
        Error::Invalid(fe) => Error::Internal(format!(
            "configured client {:?}: {}",
            c.id,
            fe.0.iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; ")
        )),
        other => other,
    })?;
    db.execute_write(
        sqlx::query(
            "INSERT INTO sso_clients (client_id, secret_hash, name, redirect_uris, post_logout_redirect_uris, \
             created_at, api_access) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (client_id) DO UPDATE SET \
             secret_hash = excluded.secret_hash, name = excluded.name, redirect_uris = excluded.redirect_uris, \
             post_logout_redirect_uris = excluded.post_logout_redirect_uris, api_access = excluded.api_access",
        )
        .bind(&c.id)
        .bind(crypto::sha256_hex(c.secret.as_bytes()))
        .bind(c.name.clone().unwrap_or_else(|| c.id.clone()))
        .bind(json!(c.redirect_uris).to_string())
        .bind(json!(c.post_logout_redirect_uris).to_string())
        .bind(now)
        .bind(i64::from(c.api)),
    )
    .await?;
    Ok(())
}

/// A client id and its addresses: checked alike for configured clients and
/// for `tims sso client add`.
fn check_client(client_id: &str, redirect_uris: &[String], post_logout_redirect_uris: &[String]) -> Result<(), Error> {
    let mut errors = crate::FieldErrors::new();
    if client_id.is_empty()
        || client_id.len() > 64
        || !client_id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
    {
        errors.add("id", "Use 1 to 64 letters, digits, '-', '_' or '.'");
    }
    if redirect_uris.is_empty() {
        errors.add("redirect_uri", "Give at least one redirect URI");
    }
    for u in redirect_uris.iter().chain(post_logout_redirect_uris) {
        match url::Url::parse(u) {
            Ok(p) if (p.scheme() == "https" || p.scheme() == "http") && p.fragment().is_none() => {}
            _ => errors.add("redirect_uri", format!("{u:?} is not an absolute http(s) URI without a fragment")),
        }
    }
    errors.into_result()
}

/// A client as `tims sso client add` registers it.
#[derive(Debug, Clone, Default)]
pub struct NewClient {
    pub id: String,
    /// Exact addresses the sign-on may send codes to.
    pub redirect_uris: Vec<String>,
    /// Exact addresses allowed after sign-out.
    pub post_logout_redirect_uris: Vec<String>,
    /// Whether its access tokens are for the registry's API too.
    pub api: bool,
}

/// Register a new client with a generated secret; returns the secret, which
/// is shown once and stored only as a hash. It is usable at once, on every
/// node (see [`ClientCache`]).
pub async fn add_client(db: &Db, c: &NewClient, now: i64) -> Result<String, Error> {
    let client_id = c.id.as_str();
    check_client(client_id, &c.redirect_uris, &c.post_logout_redirect_uris)?;
    let secret = crypto::token();
    let r = db
        .execute_write(
            sqlx::query(
                "INSERT INTO sso_clients (client_id, secret_hash, name, redirect_uris, post_logout_redirect_uris, \
                 created_at, api_access) VALUES ($1, $2, $1, $3, $4, $5, $6)",
            )
            .bind(client_id)
            .bind(crypto::sha256_hex(secret.as_bytes()))
            .bind(json!(c.redirect_uris).to_string())
            .bind(json!(c.post_logout_redirect_uris).to_string())
            .bind(now)
            .bind(i64::from(c.api)),
        )
        .await;
    match r {
        Err(db::Error::Sqlx(e)) if db::is_unique_violation(&e) => {
            Err(crate::FieldErrors::single("id", format!("A client {client_id:?} already exists")))
        }
        other => {
            other?;
            Ok(secret)
        }
    }
}

/// Clients change rarely and are read on every authorize and token
/// request, so each node keeps those it found for a minute.
const CLIENT_CACHE_MS: i64 = 60 * 1000;

/// Registered clients by id, with when each was read. An id not found is
/// not kept: a client the operator adds (`tims sso client add`, from
/// another process) works at its first request, even one tried before.
#[derive(Debug, Default)]
pub(crate) struct ClientCache(std::sync::Mutex<HashMap<String, (Client, i64)>>);

async fn find_client(sso: &Sso, client_id: &str) -> Result<Option<Client>, Error> {
    let now = sso.now_ms();
    let cache = &sso.client_cache().0;
    if let Some((c, at)) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(client_id)
        && now - at < CLIENT_CACHE_MS
    {
        return Ok(Some(c.clone()));
    }
    let found = read_client(sso, client_id).await?;
    if let Some(c) = &found {
        let mut map = cache.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 10_000 {
            map.clear();
        }
        map.insert(client_id.to_string(), (c.clone(), now));
    }
    Ok(found)
}

async fn read_client(sso: &Sso, client_id: &str) -> Result<Option<Client>, Error> {
    let row: Option<(String, String, String, String, i64)> = sqlx::query_as(
        "SELECT client_id, secret_hash, redirect_uris, post_logout_redirect_uris, api_access FROM sso_clients \
         WHERE client_id = $1",
    )
    .bind(client_id)
    .fetch_optional(sso.db().pool())
    .await?;
    Ok(row.map(|(client_id, secret_hash, r, p, api)| Client {
        client_id,
        secret_hash,
        redirect_uris: serde_json::from_str(&r).unwrap_or_default(),
        post_logout_redirect_uris: serde_json::from_str(&p).unwrap_or_default(),
        api_access: api != 0,
    }))
}

/// Revoke every refresh token of an account (recovery, block).
pub async fn revoke_all_for(tx: &mut db::WriteTx, account_id: &str, now: i64) -> Result<(), Error> {
    // As in `revoke`: a refresh under way finishes first, and its new token
    // is revoked with the rest.
    tx.lock_rows("sso_refresh_tokens", "account_id", account_id, "token_hash").await?;
    sqlx::query("UPDATE sso_refresh_tokens SET revoked_at = $1 WHERE account_id = $2 AND revoked_at IS NULL")
        .bind(now)
        .bind(account_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub fn discovery(issuer: &str) -> Value {
    json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "userinfo_endpoint": format!("{issuer}/userinfo"),
        "jwks_uri": format!("{issuer}/jwks"),
        "end_session_endpoint": format!("{issuer}/logout"),
        "revocation_endpoint": format!("{issuer}/revoke"),
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "scopes_supported": SCOPES,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "name",
            "phone_number", "phone_number_verified", "sms_alerts", "account_type", "id_number", "organisations"],
        "authorization_response_iss_parameter_supported": true,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "claims_parameter_supported": false,
    })
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct AuthorizeParams {
    pub response_type: Option<String>,
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub scope: Option<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub prompt: Option<String>,
    pub max_age: Option<String>,
    pub request: Option<String>,
    pub request_uri: Option<String>,
    pub response_mode: Option<String>,
}

#[derive(Debug)]
pub enum Authorize {
    /// The client or redirect URI is wrong: never redirect, show this.
    Refuse(String),
    /// Send the browser back to the client.
    Redirect(String),
    /// The person must sign in first (again, if `reauthenticate`: the
    /// request asked for a fresh sign-in with prompt=login or max_age).
    SignIn { reauthenticate: bool },
}

fn with_params(base: &str, pairs: &[(&str, &str)]) -> String {
    match url::Url::parse(base) {
        Ok(mut u) => {
            {
                let mut q = u.query_pairs_mut();
                for (k, v) in pairs {
                    q.append_pair(k, v);
                }
            }
            u.to_string()
        }
        Err(_) => base.to_string(),
    }
}

fn is_b64url(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Decide an authorization request for the person in `session` (if any).
pub async fn authorize(sso: &Sso, p: &AuthorizeParams, session: Option<&Session>) -> Result<Authorize, Error> {
    let Some(client_id) = p.client_id.as_deref().filter(|s| !s.is_empty()) else {
        return Ok(Authorize::Refuse("The request has no client_id.".into()));
    };
    let Some(client) = find_client(sso, client_id).await? else {
        return Ok(Authorize::Refuse("The service that sent you here is not registered.".into()));
    };
    let Some(redirect_uri) = p.redirect_uri.as_deref() else {
        return Ok(Authorize::Refuse("The request has no redirect_uri.".into()));
    };
    // Exact string match: no prefix, no normalisation.
    if !client.redirect_uris.iter().any(|u| u == redirect_uri) {
        return Ok(Authorize::Refuse("The address the service asked to return to is not registered for it.".into()));
    }
    let issuer = &sso.config().issuer;
    let state = p.state.as_deref().unwrap_or("");
    let fail = |error: &str, description: &str| {
        let mut pairs = vec![("error", error), ("error_description", description), ("iss", issuer.as_str())];
        if !state.is_empty() {
            pairs.push(("state", state));
        }
        Ok(Authorize::Redirect(with_params(redirect_uri, &pairs)))
    };
    if p.request.is_some() {
        return fail("request_not_supported", "request objects are not supported");
    }
    if p.request_uri.is_some() {
        return fail("request_uri_not_supported", "request_uri is not supported");
    }
    if p.response_type.as_deref() != Some("code") {
        return fail("unsupported_response_type", "only response_type=code is supported");
    }
    if p.response_mode.as_deref().is_some_and(|m| m != "query") {
        return fail("invalid_request", "only response_mode=query is supported");
    }
    let scope = p.scope.as_deref().unwrap_or("");
    let scopes: Vec<&str> = scope.split(' ').filter(|s| !s.is_empty()).collect();
    if !scopes.contains(&"openid") {
        return fail("invalid_scope", "scope must include openid");
    }
    let granted: Vec<&str> = scopes.iter().copied().filter(|s| SCOPES.contains(s)).collect();
    match (p.code_challenge.as_deref(), p.code_challenge_method.as_deref()) {
        (Some(c), Some("S256")) if (43..=128).contains(&c.len()) && is_b64url(c) => {}
        (Some(_), Some("S256")) => {
            return fail("invalid_request", "code_challenge must be 43 to 128 base64url characters");
        }
        _ => return fail("invalid_request", "PKCE is required: send code_challenge with code_challenge_method=S256"),
    }
    if state.len() > 512 || p.nonce.as_deref().is_some_and(|n| n.len() > 512) {
        return fail("invalid_request", "state and nonce must be at most 512 characters");
    }
    let prompts: Vec<&str> = p.prompt.as_deref().unwrap_or("").split(' ').filter(|s| !s.is_empty()).collect();
    let prompt_none = prompts.contains(&"none");
    if prompt_none && prompts.len() > 1 {
        return fail("invalid_request", "prompt=none cannot be combined with other values");
    }
    if prompts.contains(&"consent") {
        // Clients are registered by the operator and trusted; there is no
        // consent step to show.
        return fail("consent_required", "this provider does not ask for consent");
    }
    let max_age_ms = match p.max_age.as_deref() {
        None | Some("") => None,
        Some(m) => match m.parse::<i64>() {
            Ok(secs) if secs >= 0 => Some(secs.saturating_mul(1000)),
            _ => return fail("invalid_request", "max_age must be a whole number of seconds"),
        },
    };
    let Some(session) = session.filter(|s| s.stage == Stage::Active) else {
        return if prompt_none {
            fail("login_required", "the person is not signed in")
        } else {
            Ok(Authorize::SignIn { reauthenticate: false })
        };
    };
    let now = sso.now_ms();
    let too_old = max_age_ms.is_some_and(|m| now - session.created_at > m);
    if prompts.contains(&"login") || too_old {
        return if prompt_none {
            fail("login_required", "a fresh sign-in is needed")
        } else {
            Ok(Authorize::SignIn { reauthenticate: true })
        };
    }
    // `sessions::find` gives no session for a blocked account.
    // The code carries the grant itself, sealed with the provider's code key,
    // so issuing it writes nothing: the token endpoint records it when it is
    // redeemed (which is what makes it single use) and a sign-in costs one
    // durable commit instead of two.
    let grant = SealedCode {
        client_id: client.client_id.clone(),
        account_id: session.account_id.clone(),
        session_hash: session.id_hash.clone(),
        redirect_uri: redirect_uri.to_string(),
        scope: granted.join(" "),
        nonce: p.nonce.clone(),
        code_challenge: p.code_challenge.clone().unwrap_or_default(),
        auth_time: session.created_at,
        issued_at: now,
        expires_at: now + CODE_TTL_MS,
    };
    let code = crypto::seal(sso.code_key(), &serde_json::to_vec(&grant).map_err(|e| Error::Internal(e.to_string()))?);
    let mut pairs = vec![("code", code.as_str()), ("iss", issuer.as_str())];
    if !state.is_empty() {
        pairs.push(("state", state));
    }
    Ok(Authorize::Redirect(with_params(redirect_uri, &pairs)))
}

/// An OAuth error from the token endpoint (RFC 6749 §5.2).
#[derive(Debug)]
pub enum TokenError {
    InvalidClient,
    InvalidRequest(String),
    InvalidGrant(String),
    InvalidScope(String),
    UnsupportedGrantType,
    /// Revocation of a kind of token this provider does not revoke.
    UnsupportedTokenType,
    Server(Error),
}

impl From<Error> for TokenError {
    fn from(e: Error) -> Self {
        Self::Server(e)
    }
}

impl From<db::Error> for TokenError {
    fn from(e: db::Error) -> Self {
        Self::Server(e.into())
    }
}

impl From<sqlx::Error> for TokenError {
    fn from(e: sqlx::Error) -> Self {
        Self::Server(Error::Db(e))
    }
}

pub type Form = HashMap<String, String>;

/// Authenticate the client by HTTP Basic or by form fields, not both.
async fn authenticate_client(sso: &Sso, basic: Option<(String, String)>, form: &Form) -> Result<Client, TokenError> {
    let body = (form.get("client_id"), form.get("client_secret"));
    let (id, secret) = match (basic, body) {
        (Some(_), (_, Some(_))) => {
            return Err(TokenError::InvalidRequest("use one client authentication method, not two".into()));
        }
        (Some((id, secret)), (body_id, None)) => {
            if body_id.is_some_and(|b| b != &id) {
                return Err(TokenError::InvalidRequest("client_id differs from the authenticated client".into()));
            }
            (id, secret)
        }
        (None, (Some(id), Some(secret))) => (id.clone(), secret.clone()),
        _ => return Err(TokenError::InvalidClient),
    };
    let client = find_client(sso, &id).await?.ok_or(TokenError::InvalidClient)?;
    if !crypto::ct_eq(&crypto::sha256_hex(secret.as_bytes()), &client.secret_hash) {
        return Err(TokenError::InvalidClient);
    }
    Ok(client)
}

/// Token revocation (RFC 7009): a refresh token revokes its whole grant
/// (every refresh token rotated from the same sign-in). A token that is
/// unknown, expired or already revoked is answered as revoked (§2.2); one
/// issued to another client is refused (§2.1). Access tokens are
/// self-contained and expire in minutes: they are not revoked, and a
/// request for one is answered `unsupported_token_type`.
pub async fn revoke(sso: &Sso, basic: Option<(String, String)>, form: &Form) -> Result<(), TokenError> {
    let client = authenticate_client(sso, basic, form).await?;
    let token = field(form, "token")?;
    let hash = crypto::sha256_hex(token.as_bytes());
    let owner: Option<(String, String)> =
        sqlx::query_as("SELECT client_id, grant_id FROM sso_refresh_tokens WHERE token_hash = $1")
            .bind(&hash)
            .fetch_optional(sso.db().pool())
            .await?;
    let grant_id = match owner {
        None if token.split('.').count() == 3 => return Err(TokenError::UnsupportedTokenType),
        None => return Ok(()),
        Some((c, _)) if c != client.client_id => {
            return Err(TokenError::InvalidGrant("the token was not issued to this client".into()));
        }
        Some((_, g)) => g,
    };
    let mut tx = sso.db().begin_write().await?;
    let revoked = revoke_grant(&mut tx, &grant_id, sso.now_ms()).await?;
    tx.commit().await?;
    if revoked > 0 {
        tracing::info!(client_id = client.client_id, "a client revoked a grant");
    }
    Ok(())
}

/// Revoke every refresh token of a grant, inside `tx`. It goes one at a
/// time per grant with refreshes (see refresh_grant; on PostgreSQL, since
/// SQLite's writers already take turns), so a token a refresh makes
/// meanwhile is revoked too. Returns how many tokens it revoked.
async fn revoke_grant(tx: &mut db::WriteTx, grant_id: &str, now: i64) -> Result<u64, sqlx::Error> {
    tx.lock_rows("sso_refresh_tokens", "grant_id", grant_id, "token_hash").await?;
    let r = sqlx::query("UPDATE sso_refresh_tokens SET revoked_at = $1 WHERE grant_id = $2 AND revoked_at IS NULL")
        .bind(now)
        .bind(grant_id)
        .execute(&mut **tx)
        .await?;
    Ok(r.rows_affected())
}

fn field<'a>(form: &'a Form, name: &str) -> Result<&'a str, TokenError> {
    form.get(name)
        .map(String::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| TokenError::InvalidRequest(format!("{name} is required")))
}

pub async fn token(sso: &Sso, basic: Option<(String, String)>, form: &Form) -> Result<Value, TokenError> {
    let grant_type = field(form, "grant_type")?;
    if grant_type != "authorization_code" && grant_type != "refresh_token" {
        return Err(TokenError::UnsupportedGrantType);
    }
    let client = authenticate_client(sso, basic, form).await?;
    sso.keys().refresh_if_stale(sso.db(), sso.now_ms()).await?;
    if grant_type == "authorization_code" {
        code_grant(sso, &client, form).await
    } else {
        refresh_grant(sso, &client, form).await
    }
}

/// What an authorization code carries, sealed (see `authorize`).
#[derive(serde::Serialize, serde::Deserialize)]
struct SealedCode {
    client_id: String,
    account_id: String,
    session_hash: String,
    redirect_uri: String,
    scope: String,
    nonce: Option<String>,
    code_challenge: String,
    auth_time: i64,
    issued_at: i64,
    expires_at: i64,
}

/// Revoke what a replayed code granted (RFC 6749 §4.1.2), if it was redeemed.
async fn revoke_if_redeemed(sso: &Sso, client: &Client, code_hash: &str, now: i64) -> Result<(), TokenError> {
    let redeemed: Option<String> = sqlx::query_scalar("SELECT code_hash FROM sso_auth_codes WHERE code_hash = $1")
        .bind(code_hash)
        .fetch_optional(sso.db().pool())
        .await?;
    if redeemed.is_some() {
        let mut tx = sso.db().begin_write().await?;
        revoke_grant(&mut tx, code_hash, now).await?;
        tx.commit().await?;
        tracing::warn!(client_id = client.client_id, "authorization code replayed; its grant is revoked");
    }
    Ok(())
}

async fn code_grant(sso: &Sso, client: &Client, form: &Form) -> Result<Value, TokenError> {
    let code = field(form, "code")?;
    let redirect_uri = field(form, "redirect_uri")?;
    let verifier = field(form, "code_verifier")?;
    if !(43..=128).contains(&verifier.len())
        || !verifier.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
    {
        return Err(TokenError::InvalidRequest("code_verifier must be 43 to 128 unreserved characters".into()));
    }
    let now = sso.now_ms();
    let invalid = || TokenError::InvalidGrant("the authorization code is invalid, expired or already used".into());
    let Some(grant) =
        crypto::open_sealed(sso.code_key(), code).and_then(|b| serde_json::from_slice::<SealedCode>(&b).ok())
    else {
        return Err(invalid());
    };
    let code_hash = crypto::sha256_hex(code.as_bytes());
    if grant.client_id != client.client_id {
        return Err(invalid());
    }
    if now >= grant.expires_at {
        revoke_if_redeemed(sso, client, &code_hash, now).await?;
        return Err(invalid());
    }
    if grant.redirect_uri != redirect_uri {
        return Err(TokenError::InvalidGrant("redirect_uri does not match the authorization request".into()));
    }
    let computed = crypto::b64url(&crypto::sha256(verifier.as_bytes()));
    if !crypto::ct_eq(&computed, &grant.code_challenge) {
        return Err(TokenError::InvalidGrant("code_verifier does not match the code_challenge".into()));
    }
    // The account, and whether the sign-in behind the code is still live (the
    // person may have signed out since), in one read.
    let row: Option<db::AnyRow> = sqlx::query(
        "SELECT a.id, a.account_type, a.id_number, a.full_name, a.phone, a.phone_verified_at, \
         a.email, a.sms_alerts, a.blocked_at, s.created_at FROM sso_accounts a \
         LEFT JOIN sso_sessions s ON s.id_hash = $2 AND s.ended_at IS NULL WHERE a.id = $1",
    )
    .bind(&grant.account_id)
    .bind(&grant.session_hash)
    .fetch_optional(sso.db().pool())
    .await?;
    let Some(row) = row else {
        return Err(invalid());
    };
    let account = accounts::account_from((
        row.try_get(0)?,
        row.try_get(1)?,
        row.try_get(2)?,
        row.try_get(3)?,
        row.try_get(4)?,
        row.try_get(5)?,
        row.try_get(6)?,
        row.try_get(7)?,
        row.try_get(8)?,
    ))?;
    let live: Option<i64> = row.try_get(9)?;
    if live.is_none() {
        revoke_if_redeemed(sso, client, &code_hash, now).await?;
        return Err(TokenError::InvalidGrant("the sign-in behind this code has ended".into()));
    }
    let scope = grant.scope.clone();
    let minted = mint_tokens(sso, client, &account, &scope, &scope, grant.nonce.as_deref(), grant.auth_time).await?;
    // Recording the redemption is what makes the code single use: the
    // insert of a code already redeemed changes nothing. It and the refresh
    // token the code grants are one transaction.
    let redeem = "INSERT INTO sso_auth_codes (code_hash, client_id, account_id, session_hash, redirect_uri, scope, \
                  nonce, code_challenge, auth_time, created_at, expires_at, used_at) \
                  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (code_hash) DO NOTHING";
    let mut tx = sso.db().begin_write().await?;
    let used = sqlx::query(redeem)
        .bind(&code_hash)
        .bind(&grant.client_id)
        .bind(&grant.account_id)
        .bind(&grant.session_hash)
        .bind(&grant.redirect_uri)
        .bind(&grant.scope)
        .bind(grant.nonce.as_deref())
        .bind(&grant.code_challenge)
        .bind(grant.auth_time)
        .bind(grant.issued_at)
        .bind(grant.expires_at)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    if used.rows_affected() != 1 {
        tx.rollback().await?;
        revoke_if_redeemed(sso, client, &code_hash, now).await?;
        return Err(invalid());
    }
    let body = record_tokens(&mut tx, minted, client, &account.id, &scope, grant.auth_time, &code_hash, now).await?;
    tx.commit().await?;
    Ok(body)
}

async fn refresh_grant(sso: &Sso, client: &Client, form: &Form) -> Result<Value, TokenError> {
    let presented = field(form, "refresh_token")?;
    let now = sso.now_ms();
    let hash = crypto::sha256_hex(presented.as_bytes());
    let row: Option<(String, String, String, String, i64, i64, Option<i64>, Option<i64>)> = sqlx::query_as(
        "SELECT client_id, account_id, grant_id, scope, auth_time, expires_at, used_at, revoked_at \
         FROM sso_refresh_tokens WHERE token_hash = $1",
    )
    .bind(&hash)
    .fetch_optional(sso.db().pool())
    .await?;
    let invalid = || TokenError::InvalidGrant("the refresh token is invalid, expired or revoked".into());
    let Some((token_client, account_id, grant_id, scope, auth_time, expires_at, used_at, revoked_at)) = row else {
        return Err(invalid());
    };
    if token_client != client.client_id || revoked_at.is_some() || now >= expires_at {
        return Err(invalid());
    }
    // A narrower scope may be asked for the new tokens; checked before the
    // token is spent, so a bad request leaves it usable.
    let narrowed = match form.get("scope").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => scope.clone(),
        Some(requested) => {
            let allowed: Vec<&str> = scope.split(' ').collect();
            if requested.split(' ').any(|s| !s.is_empty() && !allowed.contains(&s)) {
                return Err(TokenError::InvalidScope("scope may only narrow the original grant".into()));
            }
            if !requested.split(' ').any(|s| s == "openid") {
                return Err(TokenError::InvalidScope("scope must include openid".into()));
            }
            requested.split(' ').filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ")
        }
    };
    // Rotation: each refresh token works once; a second use means it leaked,
    // so the whole grant is revoked.
    let account = accounts::get(sso, &account_id).await?;
    let minted = mint_tokens(sso, client, &account, &narrowed, &scope, None, auth_time).await?;
    let mut tx = sso.db().begin_write().await?;
    // One at a time per grant with revocations (on PostgreSQL; SQLite's
    // writers already are), and spent only if still unused and unrevoked:
    // a revocation that lands after the read above is honoured here, and
    // one that comes after this sees the token it makes.
    tx.lock_rows("sso_refresh_tokens", "grant_id", &grant_id, "token_hash").await?;
    let used = sqlx::query(
        "UPDATE sso_refresh_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(&hash)
    .execute(&mut *tx)
    .await?;
    if used_at.is_some() || used.rows_affected() != 1 {
        revoke_grant(&mut tx, &grant_id, now).await?;
        tx.commit().await?;
        tracing::warn!(
            client_id = client.client_id,
            "refresh token reused (or revoked meanwhile); its grant is revoked"
        );
        return Err(invalid());
    }
    let body = record_tokens(&mut tx, minted, client, &account_id, &scope, auth_time, &grant_id, now).await?;
    tx.commit().await?;
    Ok(body)
}

/// Tokens made and signed but not yet recorded.
struct Minted {
    body: Value,
    /// The new refresh token in clear, when the grant includes offline_access.
    refresh: Option<String>,
}

/// Make and sign an ID token and an access token for `scope`, and, when the
/// grant includes `offline_access`, a new refresh token. Only reads: it runs
/// before the write transaction, which then stays short and needs no second
/// connection (on SQLite a writer waiting on another would hold the pool).
async fn mint_tokens(
    sso: &Sso,
    client: &Client,
    account: &accounts::Account,
    scope: &str,
    grant_scope: &str,
    nonce: Option<&str>,
    auth_time: i64,
) -> Result<Minted, TokenError> {
    if account.blocked {
        return Err(TokenError::InvalidGrant("the account is blocked".into()));
    }
    let now = sso.now_ms();
    let issuer = &sso.config().issuer;
    let claims = user_claims(sso, account, scope).await?;
    let mut id = Map::new();
    id.insert("iss".into(), json!(issuer));
    id.insert("aud".into(), json!(client.client_id));
    id.insert("iat".into(), json!(now / 1000));
    id.insert("exp".into(), json!((now + ID_TTL_MS) / 1000));
    id.insert("auth_time".into(), json!(auth_time / 1000));
    if let Some(n) = nonce {
        id.insert("nonce".into(), json!(n));
    }
    id.extend(claims);
    let id_token = sso.keys().sign(keys::Alg::Rs256, "JWT", &Value::Object(id), now)?;
    let access_token = sign_access_token(sso, client, &account.id, scope, now)?;
    let mut body = json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": ACCESS_TTL_MS / 1000,
        "id_token": id_token,
        "scope": scope,
    });
    let refresh = grant_scope.split(' ').any(|s| s == "offline_access").then(crypto::token);
    if let Some(r) = &refresh {
        body["refresh_token"] = json!(r);
    }
    Ok(Minted { body, refresh })
}

/// An access token (RFC 9068 JWT, ES256) for `client`, on behalf of
/// `account_id`, with `scope`.
fn sign_access_token(sso: &Sso, client: &Client, account_id: &str, scope: &str, now: i64) -> Result<String, Error> {
    let access = json!({
        "iss": sso.config().issuer,
        "sub": account_id,
        "aud": client.access_token_audience(),
        "client_id": client.client_id,
        "scope": scope,
        "iat": now / 1000,
        "exp": (now + ACCESS_TTL_MS) / 1000,
        "jti": crypto::new_id(),
    });
    sso.keys().sign(keys::Alg::Es256, "at+jwt", &access, now)
}

/// An access token made without a sign-in (see [`development_access_token`]).
#[derive(Debug)]
pub struct DevAccessToken {
    pub access_token: String,
    /// The token's `aud`: the client's id, and the API's with API access.
    pub audience: Vec<String>,
    pub expires_in_secs: i64,
}

/// The scopes of a development access token: everything the API reads.
pub const DEV_TOKEN_SCOPE: &str = "openid profile phone organisations";

/// The access token the token endpoint would give `client_id` for the
/// account with this ID number, made without a sign-in, password or SMS
/// code: for `tims dev token`, in development only. The caller refuses it
/// in production mode; nothing here can tell.
pub async fn development_access_token(
    sso: &Sso,
    account_type: domain::AccountType,
    id_number: &str,
    client_id: &str,
) -> Result<DevAccessToken, Error> {
    let id_number = domain::IdNumber::parse(account_type, id_number)
        .map_err(|e| crate::FieldErrors::single("id_number", e.message))?;
    let Some(client) = read_client(sso, client_id).await? else {
        return Err(crate::FieldErrors::single(
            "client",
            format!(
                "No client {client_id:?} is registered: add it with `tims sso client add --id {client_id} --api …`"
            ),
        ));
    };
    let found: Option<(String,)> =
        sqlx::query_as("SELECT id FROM sso_accounts WHERE account_type = $1 AND id_number = $2")
            .bind(account_type.as_str())
            .bind(id_number.as_str())
            .fetch_optional(sso.db().pool())
            .await?;
    let Some((account_id,)) = found else {
        return Err(crate::FieldErrors::single(
            "id_number",
            format!("No {} account has ID number {}", account_type.as_str(), id_number.as_str()),
        ));
    };
    let account = accounts::get(sso, &account_id).await?;
    if account.blocked {
        return Err(Error::Refused("The account is blocked: it would get no token".into()));
    }
    if !account.phone_verified {
        return Err(Error::Refused("The account has not verified its phone, so it cannot sign in yet".into()));
    }
    let now = sso.now_ms();
    sso.keys().refresh_if_stale(sso.db(), now).await?;
    let access_token = sign_access_token(sso, &client, &account.id, DEV_TOKEN_SCOPE, now)?;
    let audience = match client.access_token_audience() {
        Value::Array(list) => list.iter().filter_map(|a| a.as_str().map(str::to_string)).collect(),
        one => one.as_str().map(str::to_string).into_iter().collect(),
    };
    tracing::info!(client_id, account_id = account.id, "development access token issued without a sign-in");
    Ok(DevAccessToken { access_token, audience, expires_in_secs: ACCESS_TTL_MS / 1000 })
}

/// Record what `mint_tokens` made, in the transaction that spends the grant.
#[allow(clippy::too_many_arguments)]
async fn record_tokens(
    tx: &mut db::WriteTx,
    minted: Minted,
    client: &Client,
    account_id: &str,
    grant_scope: &str,
    auth_time: i64,
    grant_id: &str,
    now: i64,
) -> Result<Value, TokenError> {
    if let Some(refresh) = &minted.refresh {
        sqlx::query(
            "INSERT INTO sso_refresh_tokens (token_hash, client_id, account_id, grant_id, scope, auth_time, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(crypto::sha256_hex(refresh.as_bytes()))
        .bind(&client.client_id)
        .bind(account_id)
        .bind(grant_id)
        .bind(grant_scope)
        .bind(auth_time)
        .bind(now)
        .bind(now + REFRESH_TTL_MS)
        .execute(&mut **tx)
        .await?;
    }
    metrics::counter!("tims_oidc_tokens_issued_total").increment(1);
    Ok(minted.body)
}

/// The claims about a person that a scope releases.
pub async fn user_claims(sso: &Sso, account: &accounts::Account, scope: &str) -> Result<Map<String, Value>, Error> {
    let scopes: Vec<&str> = scope.split(' ').collect();
    let mut c = Map::new();
    c.insert("sub".into(), json!(account.id));
    if scopes.contains(&"profile") {
        c.insert("name".into(), json!(account.full_name));
        c.insert("account_type".into(), json!(account.account_type.as_str()));
        c.insert("id_number".into(), json!(account.id_number));
    }
    if scopes.contains(&"phone") {
        c.insert("phone_number".into(), json!(account.phone));
        c.insert("phone_number_verified".into(), json!(account.phone_verified));
        // Whether the person takes transaction alerts by SMS (codes are
        // always sent), so relying parties respect the same choice.
        c.insert("sms_alerts".into(), json!(account.sms_alerts));
    }
    if scopes.contains(&"organisations") {
        let orgs: Vec<Value> = orgs::of_account(sso, &account.id)
            .await?
            .into_iter()
            .filter(|m| m.status == orgs::Status::Active)
            .map(|m| json!({"kra_pin": m.kra_pin, "name": m.name, "kind": m.kind, "role": m.role}))
            .collect();
        c.insert("organisations".into(), Value::Array(orgs));
    }
    Ok(c)
}

/// The userinfo answer for a bearer access token, or `None` if the token is
/// not one this provider issued and still honours.
pub async fn userinfo(sso: &Sso, bearer: &str) -> Result<Option<Value>, Error> {
    let now = sso.now_ms();
    sso.keys().refresh_if_stale(sso.db(), now).await?;
    let Some((typ, claims)) = sso.keys().verify(bearer) else {
        return Ok(None);
    };
    let fresh = claims.get("exp").and_then(Value::as_i64).is_some_and(|exp| exp * 1000 > now);
    let ours = claims.get("iss").and_then(Value::as_str) == Some(sso.config().issuer.as_str());
    if typ != "at+jwt" || !fresh || !ours {
        return Ok(None);
    }
    let (Some(sub), Some(scope)) =
        (claims.get("sub").and_then(Value::as_str), claims.get("scope").and_then(Value::as_str))
    else {
        return Ok(None);
    };
    let account = match accounts::get(sso, sub).await {
        Ok(a) if !a.blocked => a,
        Ok(_) | Err(Error::NotFound) => return Ok(None),
        Err(e) => return Err(e),
    };
    Ok(Some(Value::Object(user_claims(sso, &account, scope).await?)))
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct LogoutParams {
    pub id_token_hint: Option<String>,
    pub post_logout_redirect_uri: Option<String>,
    pub state: Option<String>,
    pub client_id: Option<String>,
}

#[derive(Debug)]
pub struct LogoutPlan {
    /// Where to send the browser afterwards, if the client asked and may.
    pub redirect: Option<String>,
    /// The hint proves the client knows this session's person: no need to ask.
    pub confirmed_by_hint: bool,
}

/// Check an RP-initiated logout request (OpenID Connect RP-Initiated Logout 1.0).
pub async fn plan_logout(
    sso: &Sso,
    p: &LogoutParams,
    session: Option<&Session>,
) -> Result<Result<LogoutPlan, String>, Error> {
    let hint = match p.id_token_hint.as_deref().filter(|h| !h.is_empty()) {
        Some(h) => match sso.keys().verify(h) {
            // Only an ID token (typ JWT) is a hint; an access token is not.
            Some((typ, claims))
                if typ == "JWT" && claims.get("iss").and_then(Value::as_str) == Some(sso.config().issuer.as_str()) =>
            {
                Some(claims)
            }
            _ => {
                return Ok(Err("The sign-out request carries a token that is not an ID token of this service.".into()));
            }
        },
        None => None,
    };
    let hint_client = hint.as_ref().and_then(|c| c.get("aud")).and_then(Value::as_str).map(str::to_string);
    let client_id = match (&hint_client, &p.client_id) {
        (Some(h), Some(c)) if h != c => return Ok(Err("client_id does not match the token hint.".into())),
        (Some(h), _) => Some(h.clone()),
        (None, c) => c.clone(),
    };
    let redirect = match p.post_logout_redirect_uri.as_deref().filter(|u| !u.is_empty()) {
        None => None,
        Some(uri) => {
            let client = match &client_id {
                Some(id) => find_client(sso, id).await?,
                None => None,
            };
            let Some(client) = client else {
                return Ok(Err("A return address needs id_token_hint or client_id.".into()));
            };
            if !client.post_logout_redirect_uris.iter().any(|u| u == uri) {
                return Ok(Err("The address to return to after sign-out is not registered for this service.".into()));
            }
            let state = p.state.as_deref().unwrap_or("");
            Some(if state.is_empty() { uri.to_string() } else { with_params(uri, &[("state", state)]) })
        }
    };
    let confirmed_by_hint = match (&hint, session) {
        (Some(c), Some(s)) => c.get("sub").and_then(Value::as_str) == Some(s.account_id.as_str()),
        _ => false,
    };
    Ok(Ok(LogoutPlan { redirect, confirmed_by_hint }))
}
