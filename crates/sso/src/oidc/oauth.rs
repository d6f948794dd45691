//! What the token and revocation endpoints share: their form, their errors
//! (RFC 6749 §5.2) and client authentication (§2.3). It knows no grant and
//! no token.

use std::collections::HashMap;

use super::clients::{self, Client};
use crate::{Error, Sso};

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
pub(super) async fn authenticate_client(
    sso: &Sso,
    basic: Option<(String, String)>,
    form: &Form,
) -> Result<Client, TokenError> {
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
    clients::authenticate(sso, &id, &secret).await?.ok_or(TokenError::InvalidClient)
}

/// A required field of the form.
pub(super) fn field<'a>(form: &'a Form, name: &str) -> Result<&'a str, TokenError> {
    form.get(name)
        .map(String::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| TokenError::InvalidRequest(format!("{name} is required")))
}
