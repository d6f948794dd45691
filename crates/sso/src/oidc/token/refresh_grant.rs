//! The refresh-token grant (RFC 6749 §6): a refresh token of this client,
//! live and unrevoked, is spent once for new tokens and a new refresh
//! token of the same grant (rotation); a second use means it leaked, so
//! the whole grant is revoked. A narrower scope may be asked for. It knows
//! no HTTP.

use serde_json::Value;

use crate::grants::{self, NewRefresh};
use crate::oidc::clients::Client;
use crate::oidc::mint::{mint_tokens, record_tokens};
use crate::oidc::oauth::{Form, TokenError, field};
use crate::{Sso, accounts, crypto};

#[tracing::instrument(skip_all, fields(client_id = %client.client_id, account_id = tracing::field::Empty))]
pub(super) async fn refresh_grant(sso: &Sso, client: &Client, form: &Form) -> Result<Value, TokenError> {
    let presented = field(form, "refresh_token")?;
    let now = sso.now_ms();
    let hash = crypto::sha256_hex(presented.as_bytes());
    let found = grants::find(sso, &hash).await?;
    let invalid = || TokenError::InvalidGrant("the refresh token is invalid, expired or revoked".into());
    let Some(stored) = found else {
        return Err(invalid());
    };
    if stored.client_id != client.client_id || stored.revoked_at.is_some() || now >= stored.expires_at {
        return Err(invalid());
    }
    tracing::Span::current().record("account_id", stored.account_id.as_str());
    let scope = &stored.scope;
    let narrowed = narrowed_scope(scope, form.get("scope"))?;
    // Rotation: each refresh token works once; a second use means it leaked,
    // so the whole grant is revoked.
    let account = accounts::get(sso, &stored.account_id).await?;
    let minted = mint_tokens(sso, client, &account, &narrowed, scope, None, stored.auth_time).await?;
    let mut tx = sso.db().begin_write().await?;
    // Spent only if still unused and unrevoked: a revocation that lands
    // after the read above is honoured (see `grants::spend`).
    let spent = grants::spend(&mut tx, &stored.grant_id, &hash, now).await?;
    if stored.used_at.is_some() || !spent {
        grants::revoke(&mut tx, &stored.grant_id, now).await?;
        tx.commit().await?;
        tracing::warn!(
            client_id = client.client_id,
            "refresh token reused (or revoked meanwhile); its grant is revoked"
        );
        return Err(invalid());
    }
    let refresh = NewRefresh {
        client_id: &client.client_id,
        account_id: &stored.account_id,
        grant_id: &stored.grant_id,
        scope,
        auth_time: stored.auth_time,
    };
    let body = record_tokens(&mut tx, minted, &refresh, now).await?;
    tx.commit().await?;
    Ok(body)
}

/// The scope of the new tokens: the grant's, or a narrower one asked for.
/// Checked before the token is spent, so a bad request leaves it usable.
fn narrowed_scope(scope: &str, asked: Option<&String>) -> Result<String, TokenError> {
    Ok(match asked.map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => scope.to_string(),
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
    })
}
