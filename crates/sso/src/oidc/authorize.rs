//! The authorization request (OpenID Connect Core §3.1.2): a client asks
//! for a person's sign-in; the answer is a sealed code sent back to the
//! client's registered address, an error sent there, a refusal shown to
//! the person (when the client or the address is not registered), or "sign
//! in first". Only the authorization-code flow with PKCE (S256) is served.
//! It knows the session it is given, not how people sign in, nor HTTP.

use serde::Deserialize;
use texts::SignOnRefusal;

use super::auth_code::{CODE_TTL_MS, SealedCode};
use super::clients::{self, Client};
use super::discovery::SCOPES;
use super::redirects::with_params;
use crate::sessions::{Session, Stage};
use crate::{Error, Sso};

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
    Refuse(SignOnRefusal),
    /// Send the browser back to the client.
    Redirect(String),
    /// The person must sign in first (again, if `reauthenticate`: the
    /// request asked for a fresh sign-in with prompt=login or max_age).
    SignIn { reauthenticate: bool },
}

fn is_b64url(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Decide an authorization request for the person in `session` (if any).
#[tracing::instrument(skip_all, fields(client_id = ?p.client_id, account_id = ?session.map(|s| &s.account_id)))]
pub async fn authorize(sso: &Sso, p: &AuthorizeParams, session: Option<&Session>) -> Result<Authorize, Error> {
    let (client, redirect_uri) = match registered_return(sso, p).await? {
        Ok(found) => found,
        Err(why) => return Ok(Authorize::Refuse(why)),
    };
    let issuer = &sso.config().issuer;
    let state = p.state.as_deref().unwrap_or("");
    let fail = |error: &str, description: &str| {
        let mut pairs = vec![("error", error), ("error_description", description), ("iss", issuer.as_str())];
        if !state.is_empty() {
            pairs.push(("state", state));
        }
        Ok(Authorize::Redirect(with_params(redirect_uri, &pairs)))
    };
    let request = match check_request(p, state) {
        Ok(r) => r,
        Err((error, description)) => return fail(error, description),
    };
    let Some(session) = session.filter(|s| s.stage == Stage::Active) else {
        return if request.prompt_none {
            fail("login_required", "the person is not signed in")
        } else {
            Ok(Authorize::SignIn { reauthenticate: false })
        };
    };
    let now = sso.now_ms();
    let too_old = request.max_age_ms.is_some_and(|m| now - session.created_at > m);
    if request.prompt_login || too_old {
        return if request.prompt_none {
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
        scope: request.granted,
        nonce: p.nonce.clone(),
        code_challenge: p.code_challenge.clone().unwrap_or_default(),
        auth_time: session.created_at,
        issued_at: now,
        expires_at: now + CODE_TTL_MS,
    };
    let code = grant.seal(sso)?;
    let mut pairs = vec![("code", code.as_str()), ("iss", issuer.as_str())];
    if !state.is_empty() {
        pairs.push(("state", state));
    }
    Ok(Authorize::Redirect(with_params(redirect_uri, &pairs)))
}

/// The client and the address to send the browser back to, or why there is
/// none (then nothing may be sent anywhere: the refusal is shown).
async fn registered_return<'p>(
    sso: &Sso,
    p: &'p AuthorizeParams,
) -> Result<Result<(Client, &'p str), SignOnRefusal>, Error> {
    let Some(client_id) = p.client_id.as_deref().filter(|s| !s.is_empty()) else {
        return Ok(Err(SignOnRefusal::NoClientId));
    };
    let Some(client) = clients::find_client(sso, client_id).await? else {
        return Ok(Err(SignOnRefusal::UnknownClient));
    };
    let Some(redirect_uri) = p.redirect_uri.as_deref() else {
        return Ok(Err(SignOnRefusal::NoRedirectUri));
    };
    // Exact string match: no prefix, no normalisation.
    if !client.redirect_uris.iter().any(|u| u == redirect_uri) {
        return Ok(Err(SignOnRefusal::RedirectNotRegistered));
    }
    Ok(Ok((client, redirect_uri)))
}

/// What a well-formed request asks for.
struct Request {
    /// The known scopes asked for, space-separated.
    granted: String,
    prompt_none: bool,
    prompt_login: bool,
    max_age_ms: Option<i64>,
}

/// Check the request's parameters, in the order the errors are told: the
/// OAuth error and its description for the first that is wrong.
fn check_request(p: &AuthorizeParams, state: &str) -> Result<Request, (&'static str, &'static str)> {
    if p.request.is_some() {
        return Err(("request_not_supported", "request objects are not supported"));
    }
    if p.request_uri.is_some() {
        return Err(("request_uri_not_supported", "request_uri is not supported"));
    }
    if p.response_type.as_deref() != Some("code") {
        return Err(("unsupported_response_type", "only response_type=code is supported"));
    }
    if p.response_mode.as_deref().is_some_and(|m| m != "query") {
        return Err(("invalid_request", "only response_mode=query is supported"));
    }
    let scope = p.scope.as_deref().unwrap_or("");
    let scopes: Vec<&str> = scope.split(' ').filter(|s| !s.is_empty()).collect();
    if !scopes.contains(&"openid") {
        return Err(("invalid_scope", "scope must include openid"));
    }
    let granted: Vec<&str> = scopes.iter().copied().filter(|s| SCOPES.contains(s)).collect();
    match (p.code_challenge.as_deref(), p.code_challenge_method.as_deref()) {
        (Some(c), Some("S256")) if (43..=128).contains(&c.len()) && is_b64url(c) => {}
        (Some(_), Some("S256")) => {
            return Err(("invalid_request", "code_challenge must be 43 to 128 base64url characters"));
        }
        _ => return Err(("invalid_request", "PKCE is required: send code_challenge with code_challenge_method=S256")),
    }
    if state.len() > 512 || p.nonce.as_deref().is_some_and(|n| n.len() > 512) {
        return Err(("invalid_request", "state and nonce must be at most 512 characters"));
    }
    let prompts: Vec<&str> = p.prompt.as_deref().unwrap_or("").split(' ').filter(|s| !s.is_empty()).collect();
    let prompt_none = prompts.contains(&"none");
    if prompt_none && prompts.len() > 1 {
        return Err(("invalid_request", "prompt=none cannot be combined with other values"));
    }
    if prompts.contains(&"consent") {
        // Clients are registered by the operator and trusted; there is no
        // consent step to show.
        return Err(("consent_required", "this provider does not ask for consent"));
    }
    let max_age_ms = match p.max_age.as_deref() {
        None | Some("") => None,
        Some(m) => match m.parse::<i64>() {
            Ok(secs) if secs >= 0 => Some(secs.saturating_mul(1000)),
            _ => return Err(("invalid_request", "max_age must be a whole number of seconds")),
        },
    };
    Ok(Request { granted: granted.join(" "), prompt_none, prompt_login: prompts.contains(&"login"), max_age_ms })
}
