//! The sign-in through the provider (OpenID Connect, authorization code
//! with PKCE): where to send the browser, and the page session made from
//! the provider's answer. It knows nothing of HTTP or cookies: the pages
//! bind the state to the browser.

use std::collections::HashMap;

use secure::{sha256_hex, token};
use serde_json::{Map, Value};
use texts::{Lang, RegistryPage, Text as _};

use crate::parties;
use crate::{Error, Registry};

/// A sign-in not finished within this long starts again.
const LOGIN_TTL_MS: i64 = 10 * 60 * 1000;

/// Start a sign-in: remember state, nonce and verifier; return where to send
/// the browser.
/// Returns where to send the browser and the state, which the caller binds
/// to the browser (a cookie), so a sign-in started elsewhere cannot be
/// finished in it. The provider is asked to speak `lang`, the language of
/// the page the person left (`ui_locales`).
pub async fn begin_sign_in(reg: &Registry, return_to: &str, lang: Lang) -> Result<(String, String), Error> {
    let provider = reg.provider().await?;
    let begin = provider.begin(&[("ui_locales", lang.tag())]);
    let pending = serde_json::to_string(&begin.pending).map_err(|e| Error::Internal(e.to_string()))?;
    let now = reg.now_ms();
    reg.db()
        .execute_write(sqlx::query("DELETE FROM reg_logins WHERE created_at < $1").bind(now - LOGIN_TTL_MS))
        .await?;
    reg.db()
        .execute_write(
            sqlx::query("INSERT INTO reg_logins (state_hash, pending, return_to, created_at) VALUES ($1, $2, $3, $4)")
                .bind(sha256_hex(begin.pending.state.as_bytes()))
                .bind(pending)
                .bind(return_to)
                .bind(now),
        )
        .await?;
    Ok((begin.url, begin.pending.state))
}

/// Finish a sign-in from the provider's answer: a new session token for the
/// cookie and where to go next. Refusals are written in `lang`.
pub async fn finish_sign_in(
    reg: &Registry,
    query: &HashMap<String, String>,
    lang: Lang,
) -> Result<(String, String), Error> {
    let now = reg.now_ms();
    let state =
        query.get("state").ok_or_else(|| Error::Forbidden(RegistryPage::SignInAnswerWithoutState.render(lang)))?;
    let row: Option<(String, String, i64)> = reg
        .db()
        .fetch_optional_write(
            sqlx::query_as("DELETE FROM reg_logins WHERE state_hash = $1 RETURNING pending, return_to, created_at")
                .bind(sha256_hex(state.as_bytes())),
        )
        .await?;
    let Some((pending, return_to, _)) = row.filter(|(_, _, created_at)| now - created_at < LOGIN_TTL_MS) else {
        return Err(Error::Forbidden(RegistryPage::SignInExpired.render(lang)));
    };
    let pending: oidc_rp::Pending = serde_json::from_str(&pending).map_err(|e| Error::Internal(e.to_string()))?;
    let provider = reg.provider().await?;
    let signed = provider.finish(query, &pending, now).await.map_err(|e| {
        tracing::warn!(error = %e, "sign-in refused");
        Error::Forbidden(RegistryPage::SignInIncomplete { why: &e.to_string() }.render(lang))
    })?;
    let mut claims: Map<String, Value> = signed.claims.clone();
    if claims.get("id_number").is_none() || claims.get("phone_number").is_none() {
        // Providers that keep profile claims out of the ID token give them here.
        if let Ok(more) = provider.userinfo(&signed.access_token, &signed.subject).await {
            for (k, v) in more {
                claims.entry(k).or_insert(v);
            }
        }
    }
    let person_id = parties::upsert_from_claims(reg, &claims).await?;
    let token = token();
    reg.db()
        .execute_write(
            sqlx::query(
                "INSERT INTO reg_sessions (id_hash, person_id, id_token, refresh_token, claims_at, created_at, \
                 last_seen_at) VALUES ($1, $2, $3, $4, $5, $5, $5)",
            )
            .bind(sha256_hex(token.as_bytes()))
            .bind(&person_id)
            .bind(&signed.id_token)
            .bind(signed.refresh_token.as_deref().map(|t| reg.store_refresh(t)))
            .bind(now),
        )
        .await?;
    Ok((token, return_to))
}
