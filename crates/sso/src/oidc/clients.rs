//! Relying parties (the only writer of `sso_clients`): those the operator
//! configures, those `tims sso client add` registers, and the cache through
//! which every authorize and token request finds them. It knows nothing of
//! people, sessions or tokens.

use std::collections::HashMap;

use db::{Db, OnUnique as _};
use serde_json::{Value, json};

use crate::{ClientConfig, Error, Sso, crypto};

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

#[tracing::instrument(skip_all, fields(client_id = %c.id))]
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
#[tracing::instrument(skip_all, fields(client_id = %c.id))]
pub async fn add_client(db: &Db, c: &NewClient, now: i64) -> Result<String, Error> {
    let client_id = c.id.as_str();
    check_client(client_id, &c.redirect_uris, &c.post_logout_redirect_uris)?;
    let secret = crypto::token();
    db.execute_write(
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
    .await
    .on_unique(|| crate::FieldErrors::single("id", format!("A client {client_id:?} already exists")))?;
    Ok(secret)
}

/// Clients change rarely and are read on every authorize and token
/// request, so each node keeps those it found for a minute.
const CLIENT_CACHE_MS: i64 = 60 * 1000;

/// Registered clients by id, with when each was read. An id not found is
/// not kept: a client the operator adds (`tims sso client add`, from
/// another process) works at its first request, even one tried before.
#[derive(Debug, Default)]
pub(crate) struct ClientCache(std::sync::Mutex<HashMap<String, (Client, i64)>>);

pub(crate) async fn find_client(sso: &Sso, client_id: &str) -> Result<Option<Client>, Error> {
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

pub(crate) async fn read_client(sso: &Sso, client_id: &str) -> Result<Option<Client>, Error> {
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

/// The client `client_id` if `secret` is its secret.
pub(crate) async fn authenticate(sso: &Sso, client_id: &str, secret: &str) -> Result<Option<Client>, Error> {
    let Some(client) = find_client(sso, client_id).await? else {
        return Ok(None);
    };
    Ok(crypto::ct_eq(&crypto::sha256_hex(secret.as_bytes()), &client.secret_hash).then_some(client))
}
