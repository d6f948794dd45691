//! Secrets: random tokens, one-time codes, hashes and constant-time checks.

use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;

pub use secure::{ct_eq, hex, new_id, open_sealed, random_bytes, seal, sha256, sha256_hex, token};

pub use secure::codes::six_digit_code;

pub fn b64url(bytes: &[u8]) -> String {
    B64.encode(bytes)
}

pub fn b64url_decode(s: &str) -> Option<Vec<u8>> {
    B64.decode(s).ok()
}

/// Codes have only a million values, so a plain hash would be reversed at
/// once from a stolen table: they are keyed with a server secret and bound to
/// their challenge. (The sign-on's encoding, kept so that stored MACs stay
/// valid; see `secure::codes`.)
pub fn code_mac(pepper: &[u8], challenge_id: &str, code: &str) -> String {
    secure::codes::mac(pepper, secure::codes::Binding::Challenge(challenge_id), code)
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
    fn codes_are_six_digits() {
        for _ in 0..200 {
            let c = six_digit_code();
            assert_eq!(c.len(), 6);
            assert!(c.bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn passwords_verify_only_against_their_own_hash() {
        let h = hash_password("correct horse battery");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("correct horse batterY", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn code_macs_depend_on_key_challenge_and_code() {
        let a = code_mac(b"k1", "c1", "123456");
        assert!(ct_eq(&a, &code_mac(b"k1", "c1", "123456")));
        assert!(!ct_eq(&a, &code_mac(b"k2", "c1", "123456")));
        assert!(!ct_eq(&a, &code_mac(b"k1", "c2", "123456")));
        assert!(!ct_eq(&a, &code_mac(b"k1", "c1", "123457")));
    }
}
