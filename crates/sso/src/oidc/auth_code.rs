//! The authorization code: the grant itself, sealed with the provider's
//! code key, so issuing one writes nothing (the token endpoint records it
//! when it is redeemed, which is what makes it single use). It knows how a
//! code is sealed and opened, not when one may be issued or redeemed.

use crate::{Error, Sso, crypto};

/// Authorization codes live one minute.
pub const CODE_TTL_MS: i64 = 60 * 1000;

/// What an authorization code carries, sealed (see `authorize`).
#[derive(serde::Serialize, serde::Deserialize)]
pub(super) struct SealedCode {
    pub client_id: String,
    pub account_id: String,
    pub session_hash: String,
    pub redirect_uri: String,
    pub scope: String,
    pub nonce: Option<String>,
    pub code_challenge: String,
    pub auth_time: i64,
    pub issued_at: i64,
    pub expires_at: i64,
}

impl SealedCode {
    /// The code for the browser to carry back to the client.
    pub fn seal(&self, sso: &Sso) -> Result<String, Error> {
        Ok(crypto::seal(sso.code_key(), &serde_json::to_vec(self).map_err(|e| Error::Internal(e.to_string()))?))
    }

    /// What a code carries, if this provider sealed it.
    pub fn open(sso: &Sso, code: &str) -> Option<Self> {
        crypto::open_sealed(sso.code_key(), code).and_then(|b| serde_json::from_slice::<Self>(&b).ok())
    }
}
