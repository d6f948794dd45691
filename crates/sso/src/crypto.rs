//! Secrets: random tokens, one-time codes, hashes and constant-time checks.

use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hmac::{Hmac, Mac};
use ring::aead;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Fill a buffer from the operating system's secure generator.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    // The OS generator failing means the machine cannot do secure work at all.
    getrandom::fill(&mut buf).expect("the operating system's random generator failed");
    buf
}

/// A 256-bit random token, URL-safe.
pub fn token() -> String {
    B64.encode(random_bytes::<32>())
}

/// A 128-bit random identifier, lower-case hex.
pub fn new_id() -> String {
    hex(&random_bytes::<16>())
}

/// A uniformly random 6-digit code (rejection sampling avoids modulo bias).
pub fn six_digit_code() -> String {
    const LIMIT: u32 = u32::MAX - (u32::MAX % 1_000_000);
    loop {
        let n = u32::from_le_bytes(random_bytes::<4>());
        if n < LIMIT {
            return format!("{:06}", n % 1_000_000);
        }
    }
}

pub fn hex(bytes: &[u8]) -> String {
    ::hex::encode(bytes)
}

pub fn b64url(bytes: &[u8]) -> String {
    B64.encode(bytes)
}

pub fn b64url_decode(s: &str) -> Option<Vec<u8>> {
    B64.decode(s).ok()
}

/// SHA-256 as hex: how tokens that are already random (session ids,
/// authorization codes, refresh tokens) are stored.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// Codes have only a million values, so a plain hash would be reversed at
/// once from a stolen table: they are keyed with a server secret and bound to
/// their challenge.
pub fn code_mac(pepper: &[u8], challenge_id: &str, code: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(pepper).expect("HMAC takes any key length");
    mac.update(challenge_id.as_bytes());
    mac.update(b":");
    mac.update(code.as_bytes());
    hex(&mac.finalize().into_bytes())
}

/// Seal `plain` into a URL-safe token that only the holder of `master` can
/// open or forge: a random 16-byte id, then AES-256-GCM under a key derived
/// from the master key and that id (HMAC-SHA256), so no key ever encrypts
/// twice and the nonce can be fixed.
pub fn seal(master: &[u8], plain: &[u8]) -> String {
    let id = random_bytes::<16>();
    let key = sealing_key(master, &id);
    let mut buf = plain.to_vec();
    key.seal_in_place_append_tag(aead::Nonce::assume_unique_for_key([0; 12]), aead::Aad::from(SEAL_AAD), &mut buf)
        .expect("AES-GCM sealing of a small buffer does not fail");
    let mut out = id.to_vec();
    out.extend_from_slice(&buf);
    B64.encode(out)
}

/// Open a token made by [`seal`]; `None` if it was not made with `master`
/// or was altered.
pub fn open_sealed(master: &[u8], token: &str) -> Option<Vec<u8>> {
    if token.len() > 4096 {
        return None;
    }
    let raw = B64.decode(token).ok()?;
    if raw.len() < 16 + aead::AES_256_GCM.tag_len() {
        return None;
    }
    let (id, sealed) = raw.split_at(16);
    let key = sealing_key(master, id);
    let mut buf = sealed.to_vec();
    let plain =
        key.open_in_place(aead::Nonce::assume_unique_for_key([0; 12]), aead::Aad::from(SEAL_AAD), &mut buf).ok()?;
    Some(plain.to_vec())
}

const SEAL_AAD: &[u8] = b"tims-sso-sealed-v1";

fn sealing_key(master: &[u8], id: &[u8]) -> aead::LessSafeKey {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(master).expect("HMAC takes any key length");
    mac.update(b"seal:");
    mac.update(id);
    let k = mac.finalize().into_bytes();
    let unbound = aead::UnboundKey::new(&aead::AES_256_GCM, &k).expect("a 32-byte key suits AES-256-GCM");
    aead::LessSafeKey::new(unbound)
}

/// Compare two secrets without leaking where they differ.
pub fn ct_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
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
    fn hex_is_lower_case_and_two_digits_a_byte() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
    }

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
    fn sealed_tokens_open_only_with_their_key_and_unaltered() {
        let t = seal(b"master-1", b"{\"a\":1}");
        assert_ne!(t, seal(b"master-1", b"{\"a\":1}"), "each seal is fresh");
        assert_eq!(open_sealed(b"master-1", &t).unwrap(), b"{\"a\":1}");
        assert!(open_sealed(b"master-2", &t).is_none());
        let mut raw = B64.decode(&t).unwrap();
        let last = raw.len() - 1;
        raw[last] ^= 1;
        assert!(open_sealed(b"master-1", &B64.encode(raw)).is_none());
        assert!(open_sealed(b"master-1", "short").is_none());
        assert!(open_sealed(b"master-1", "not base64 !!").is_none());
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
