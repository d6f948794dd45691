//! The sign-on's cryptographic plumbing: its base64url encoding and the
//! argon2id parameters its passwords are hashed with, beside the shared
//! primitives of `secure` it re-exports (random tokens, ids, hashes, sealing,
//! constant-time checks).
//!
//! It owns no rule: one-time codes and their MACs are `secure::codes`'
//! (used directly by `accounts::codes` and `accounts::recovery`), what a
//! password must be is `domain::policy::password`'s. It must not know
//! accounts, tables or pages.

use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;

pub use secure::{ct_eq, hex, new_id, open_sealed, random_bytes, seal, sha256, sha256_hex, token};

pub fn b64url(bytes: &[u8]) -> String {
    B64.encode(bytes)
}

pub fn b64url_decode(s: &str) -> Option<Vec<u8>> {
    B64.decode(s).ok()
}

fn argon2() -> Argon2<'static> {
    // OWASP's argon2id recommendation: 19 MiB, 2 passes, 1 lane.
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash_password(password: &str) -> String {
    argon2().hash_password(password.as_bytes()).expect("argon2 hashing with valid parameters does not fail").to_string()
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => argon2().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// A hash to verify against when no account matched, so that an unknown ID
/// number costs the same time as a wrong password.
pub fn dummy_password_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("not-a-real-password-for-timing"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_against_their_own_hash() {
        let h = hash_password("correct horse battery");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("correct horse batterY", &h));
        assert!(!verify_password("x", "not a hash"));
    }
}
