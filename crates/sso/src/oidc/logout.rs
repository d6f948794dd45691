//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): whether a
//! client's sign-out request may be followed, where to send the browser
//! afterwards, and whether the person must be asked first. Ending the
//! session and asking are the caller's (`http`).

use serde::Deserialize;
use serde_json::Value;
use texts::SignOnRefusal;

use crate::oidc::clients;
use crate::oidc::redirects::with_params;
use crate::sessions::Session;
use crate::{Error, Sso};

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
#[tracing::instrument(skip_all, fields(client_id = ?p.client_id, account_id = ?session.map(|s| &s.account_id)))]
pub async fn plan_logout(
    sso: &Sso,
    p: &LogoutParams,
    session: Option<&Session>,
) -> Result<Result<LogoutPlan, SignOnRefusal>, Error> {
    let hint = match p.id_token_hint.as_deref().filter(|h| !h.is_empty()) {
        Some(h) => match sso.keys().verify(h) {
            // Only an ID token (typ JWT) is a hint; an access token is not.
            Some((typ, claims))
                if typ == "JWT" && claims.get("iss").and_then(Value::as_str) == Some(sso.config().issuer.as_str()) =>
            {
                Some(claims)
            }
            _ => {
                return Ok(Err(SignOnRefusal::NotAnIdToken));
            }
        },
        None => None,
    };
    let hint_client = hint.as_ref().and_then(|c| c.get("aud")).and_then(Value::as_str).map(str::to_string);
    let client_id = match (&hint_client, &p.client_id) {
        (Some(h), Some(c)) if h != c => return Ok(Err(SignOnRefusal::ClientIdNotHint)),
        (Some(h), _) => Some(h.clone()),
        (None, c) => c.clone(),
    };
    let redirect = match p.post_logout_redirect_uri.as_deref().filter(|u| !u.is_empty()) {
        None => None,
        Some(uri) => {
            let client = match &client_id {
                Some(id) => clients::find_client(sso, id).await?,
                None => None,
            };
            let Some(client) = client else {
                return Ok(Err(SignOnRefusal::ReturnNeedsClient));
            };
            if !client.post_logout_redirect_uris.iter().any(|u| u == uri) {
                return Ok(Err(SignOnRefusal::LogoutReturnNotRegistered));
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
