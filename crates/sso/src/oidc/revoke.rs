//! Token revocation (RFC 7009), asked for by a client: a refresh token
//! revokes its whole grant. It knows no HTTP.

use crate::grants;
use crate::oidc::oauth::{Form, TokenError, authenticate_client, field};
use crate::{Sso, crypto};

/// Token revocation (RFC 7009): a refresh token revokes its whole grant
/// (every refresh token rotated from the same sign-in). A token that is
/// unknown, expired or already revoked is answered as revoked (§2.2); one
/// issued to another client is refused (§2.1). Access tokens are
/// self-contained and expire in minutes: they are not revoked, and a
/// request for one is answered `unsupported_token_type`.
#[tracing::instrument(skip_all, fields(client_id = tracing::field::Empty))]
pub async fn revoke(sso: &Sso, basic: Option<(String, String)>, form: &Form) -> Result<(), TokenError> {
    let client = authenticate_client(sso, basic, form).await?;
    tracing::Span::current().record("client_id", client.client_id.as_str());
    let token = field(form, "token")?;
    let hash = crypto::sha256_hex(token.as_bytes());
    let owner = grants::owner(sso, &hash).await?;
    let grant_id = match owner {
        None if token.split('.').count() == 3 => return Err(TokenError::UnsupportedTokenType),
        None => return Ok(()),
        Some((c, _)) if c != client.client_id => {
            return Err(TokenError::InvalidGrant("the token was not issued to this client".into()));
        }
        Some((_, g)) => g,
    };
    let mut tx = sso.db().begin_write().await?;
    let revoked = grants::revoke(&mut tx, &grant_id, sso.now_ms()).await?;
    tx.commit().await?;
    if revoked > 0 {
        tracing::info!(client_id = client.client_id, "a client revoked a grant");
    }
    Ok(())
}
