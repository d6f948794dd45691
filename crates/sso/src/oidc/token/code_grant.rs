//! The authorization-code grant (RFC 6749 §4.1.3 with PKCE, RFC 7636): a
//! sealed code, still fresh, for this client and address, whose verifier
//! matches and whose sign-in is still live, is redeemed once (the only
//! writer of `sso_auth_codes`) and starts a grant. A code presented again
//! revokes what it granted. It knows no HTTP.

use serde_json::Value;
use sqlx::Row;

use crate::grants::{self, NewRefresh};
use crate::oidc::auth_code::SealedCode;
use crate::oidc::clients::Client;
use crate::oidc::mint::{mint_tokens, record_tokens};
use crate::oidc::oauth::{Form, TokenError, field};
use crate::{Sso, accounts, crypto};

/// Revoke what a replayed code granted (RFC 6749 §4.1.2), if it was redeemed.
async fn revoke_if_redeemed(sso: &Sso, client: &Client, code_hash: &str, now: i64) -> Result<(), TokenError> {
    let redeemed: Option<String> = sqlx::query_scalar("SELECT code_hash FROM sso_auth_codes WHERE code_hash = $1")
        .bind(code_hash)
        .fetch_optional(sso.db().pool())
        .await?;
    if redeemed.is_some() {
        let mut tx = sso.db().begin_write().await?;
        grants::revoke(&mut tx, code_hash, now).await?;
        tx.commit().await?;
        tracing::warn!(client_id = client.client_id, "authorization code replayed; its grant is revoked");
    }
    Ok(())
}

#[tracing::instrument(skip_all, fields(client_id = %client.client_id, account_id = tracing::field::Empty))]
pub(super) async fn code_grant(sso: &Sso, client: &Client, form: &Form) -> Result<Value, TokenError> {
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
    let Some(grant) = SealedCode::open(sso, code) else {
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
    tracing::Span::current().record("account_id", grant.account_id.as_str());
    let Some((account, live)) = account_and_sign_in(sso, &grant).await? else {
        return Err(invalid());
    };
    if !live {
        revoke_if_redeemed(sso, client, &code_hash, now).await?;
        return Err(TokenError::InvalidGrant("the sign-in behind this code has ended".into()));
    }
    let scope = grant.scope.clone();
    let minted = mint_tokens(sso, client, &account, &scope, &scope, grant.nonce.as_deref(), grant.auth_time).await?;
    let mut tx = sso.db().begin_write().await?;
    if !redeem(&mut tx, &grant, &code_hash, now).await? {
        tx.rollback().await?;
        revoke_if_redeemed(sso, client, &code_hash, now).await?;
        return Err(invalid());
    }
    let refresh = NewRefresh {
        client_id: &client.client_id,
        account_id: &account.id,
        grant_id: &code_hash,
        scope: &scope,
        auth_time: grant.auth_time,
    };
    let body = record_tokens(&mut tx, minted, &refresh, now).await?;
    tx.commit().await?;
    Ok(body)
}

/// The account, and whether the sign-in behind the code is still live (the
/// person may have signed out since), in one read.
async fn account_and_sign_in(sso: &Sso, grant: &SealedCode) -> Result<Option<(accounts::Account, bool)>, TokenError> {
    let row: Option<db::AnyRow> = sqlx::query(
        "SELECT a.id, a.account_type, a.id_number, a.full_name, a.phone, a.phone_verified_at, \
         a.email, a.sms_alerts, a.blocked_at, a.lang, s.created_at FROM sso_accounts a \
         LEFT JOIN sso_sessions s ON s.id_hash = $2 AND s.ended_at IS NULL WHERE a.id = $1",
    )
    .bind(&grant.account_id)
    .bind(&grant.session_hash)
    .fetch_optional(sso.db().pool())
    .await?;
    let Some(row) = row else {
        return Ok(None);
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
        row.try_get(9)?,
    ))?;
    let live: Option<i64> = row.try_get(10)?;
    Ok(Some((account, live.is_some())))
}

/// Record the redemption in `tx`: what makes the code single use, since
/// the insert of a code already redeemed changes nothing (false). It and
/// the refresh token the code grants are one transaction.
async fn redeem(tx: &mut db::WriteTx, grant: &SealedCode, code_hash: &str, now: i64) -> Result<bool, TokenError> {
    let redeem = "INSERT INTO sso_auth_codes (code_hash, client_id, account_id, session_hash, redirect_uri, scope, \
                  nonce, code_challenge, auth_time, created_at, expires_at, used_at) \
                  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (code_hash) DO NOTHING";
    let used = sqlx::query(redeem)
        .bind(code_hash)
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
        .execute(&mut **tx)
        .await?;
    Ok(used.rows_affected() == 1)
}
