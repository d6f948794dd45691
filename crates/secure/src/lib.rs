//! Random tokens and identifiers, hashes, constant-time comparison and
//! sealing under a key: one implementation for every part of tims.
//!
//! Also one-time codes and their MACs ([`codes`]) and values that must never
//! be printed ([`Secret`]). It knows nothing of accounts, transfers, storage
//! or HTTP.

pub mod codes;
mod secret;

pub use secret::Secret;

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

/// A 256-bit random token, URL-safe (43 characters).
pub fn token() -> String {
    B64.encode(random_bytes::<32>())
}

/// A 128-bit random identifier, lower-case hex.
pub fn new_id() -> String {
    hex(&random_bytes::<16>())
}

pub fn hex(bytes: &[u8]) -> String {
    ::hex::encode(bytes)
}

/// SHA-256 as hex: how tokens that are already random (session ids,
/// authorization codes, refresh tokens) are stored.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// Compare two secrets without leaking where they differ.
pub fn ct_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
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

/// How a value stored sealed is told from one stored in the clear.
pub const SEALED_MARK: &str = "sealed:";

/// `plain` sealed under `master` (see [`seal`]) and marked as such, as it is
/// stored in the database.
pub fn seal_marked(master: &[u8], plain: &str) -> String {
    format!("{SEALED_MARK}{}", seal(master, plain.as_bytes()))
}

/// The sealed part of a stored value made by [`seal_marked`]; `None` for a
/// value stored in the clear.
pub fn sealed_part(stored: &str) -> Option<&str> {
    stored.strip_prefix(SEALED_MARK)
}

/// Open the sealed part of a stored value as text; `None` if it was not made
/// with `master`, was altered or is not text.
pub fn open_sealed_text(master: &[u8], sealed: &str) -> Option<String> {
    open_sealed(master, sealed).and_then(|b| String::from_utf8(b).ok())
}

// Kept as first written (by the sign-on), so that what was sealed then
// still opens.
const SEAL_AAD: &[u8] = b"tims-sso-sealed-v1";

fn sealing_key(master: &[u8], id: &[u8]) -> aead::LessSafeKey {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(master).expect("HMAC takes any key length");
    mac.update(b"seal:");
    mac.update(id);
    let k = mac.finalize().into_bytes();
    let unbound = aead::UnboundKey::new(&aead::AES_256_GCM, &k).expect("a 32-byte key suits AES-256-GCM");
    aead::LessSafeKey::new(unbound)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_lower_case_and_two_digits_a_byte() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
    }

    #[test]
    fn tokens_and_ids_are_fresh_and_of_fixed_shape() {
        let (a, b) = (token(), token());
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'), "{a}");
        let id = new_id();
        assert_eq!(id.len(), 32);
        assert!(id.bytes().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    }

    #[test]
    fn constant_time_equality_is_equality() {
        assert!(ct_eq("abc", "abc"));
        assert!(!ct_eq("abc", "abd"));
        assert!(!ct_eq("abc", "abcd"));
        assert_eq!(sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
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
    fn marked_values_tell_sealed_from_clear() {
        let stored = seal_marked(b"k", "secret");
        assert!(stored.starts_with(SEALED_MARK) && !stored.contains("secret"));
        let sealed = sealed_part(&stored).unwrap();
        assert_eq!(open_sealed_text(b"k", sealed).as_deref(), Some("secret"));
        assert_eq!(open_sealed_text(b"other", sealed), None);
        assert_eq!(sealed_part("in the clear"), None);
    }
}
