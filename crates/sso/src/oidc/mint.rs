//! Making and signing the tokens a grant gives: the ID token, the access
//! token (RFC 9068) and a new refresh token when the grant includes
//! `offline_access`; then recording them with the grant. It knows what a
//! token says, not whether a grant may be redeemed.

use serde_json::{Map, Value, json};

use super::claims::user_claims;
use super::clients::Client;
use super::oauth::TokenError;
use crate::grants::{self, NewRefresh};
use crate::keys::{self, MAX_TOKEN_TTL_MS};
use crate::{Error, Sso, accounts, crypto};

pub const ACCESS_TTL_MS: i64 = 10 * 60 * 1000;
pub const ID_TTL_MS: i64 = MAX_TOKEN_TTL_MS;

/// Tokens made and signed but not yet recorded.
pub(super) struct Minted {
    body: Value,
    /// The new refresh token in clear, when the grant includes offline_access.
    refresh: Option<String>,
}

/// Make and sign an ID token and an access token for `scope`, and, when the
/// grant includes `offline_access`, a new refresh token. Only reads: it runs
/// before the write transaction, which then stays short and needs no second
/// connection (on SQLite a writer waiting on another would hold the pool).
pub(super) async fn mint_tokens(
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
pub(super) fn sign_access_token(
    sso: &Sso,
    client: &Client,
    account_id: &str,
    scope: &str,
    now: i64,
) -> Result<String, Error> {
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

/// Record what `mint_tokens` made, in the transaction that spends the grant.
pub(super) async fn record_tokens(
    tx: &mut db::WriteTx,
    minted: Minted,
    grant: &NewRefresh<'_>,
    now: i64,
) -> Result<Value, TokenError> {
    if let Some(refresh) = &minted.refresh {
        grants::record(tx, refresh, grant, now).await?;
    }
    metrics::counter!("tims_oidc_tokens_issued_total").increment(1);
    Ok(minted.body)
}
