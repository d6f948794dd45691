//! Development access tokens (`tims dev token`): the access token the token
//! endpoint would give a client for an account, made without a sign-in. The
//! caller refuses it in production mode; nothing here can tell.

use serde_json::Value;

use crate::oidc::clients;
use crate::oidc::mint::{ACCESS_TTL_MS, sign_access_token};
use crate::{Error, Sso, accounts};

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
#[tracing::instrument(skip_all, fields(client_id))]
pub async fn development_access_token(
    sso: &Sso,
    account_type: domain::AccountType,
    id_number: &str,
    client_id: &str,
) -> Result<DevAccessToken, Error> {
    let id_number = domain::IdNumber::parse(account_type, id_number)
        .map_err(|e| crate::FieldErrors::single("id_number", e.message))?;
    let Some(client) = clients::read_client(sso, client_id).await? else {
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
