//! One-time codes sent by SMS: making them and keying their stored form.
//!
//! Owns how a 6-digit code is drawn (uniformly, from the operating system's
//! generator) and how its stored MAC is computed (HMAC-SHA256 under a
//! server pepper, bound to what the code is for). It must not know what a
//! code is for, how long it lives or how many tries it allows: those are
//! `domain::policy`'s rules and the parts' stores.
//!
//! The sign-on and the registry bind a code differently, and MACs already
//! stored must keep verifying, so each [`Binding`] is kept byte for byte:
//! the sign-on's codes use [`Binding::Challenge`] (the challenge and the
//! code), the registry's [`Binding::Terminated`] through
//! `registry::reference::code_mac` (person, purpose and code, each
//! NUL-terminated so that no part can run into the next). A new kind of
//! code uses [`Binding::Terminated`].

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::{hex, random_bytes};

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

/// How a code is bound to what it is for inside its MAC.
#[derive(Debug, Clone, Copy)]
pub enum Binding<'a> {
    /// Each context part, then the code, each followed by a NUL byte: the
    /// registry's (`[person, purpose]`).
    Terminated(&'a [&'a str]),
    /// `challenge ":" code`: the sign-on's, one challenge id per code.
    Challenge(&'a str),
}

/// A code's stored form, hex: keyed by a server secret (codes have only a
/// million values, so a plain hash of a stolen table would give them away)
/// and bound to what the code is for.
pub fn mac(pepper: &[u8], binding: Binding<'_>, code: &str) -> String {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(pepper).expect("HMAC takes keys of any length");
    match binding {
        Binding::Terminated(parts) => {
            for part in parts.iter().copied().chain([code]) {
                m.update(part.as_bytes());
                m.update(&[0]);
            }
        }
        Binding::Challenge(challenge) => {
            m.update(challenge.as_bytes());
            m.update(b":");
            m.update(code.as_bytes());
        }
    }
    hex(&m.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ct_eq;

    #[test]
    fn codes_are_six_digits_and_vary() {
        let codes: Vec<String> = (0..200).map(|_| six_digit_code()).collect();
        assert!(codes.iter().all(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit())));
        assert!(codes.iter().any(|c| c != &codes[0]));
    }

    #[test]
    fn macs_keep_the_encodings_already_stored() {
        // Fixed values: a change here would invalidate codes in flight.
        assert_eq!(
            mac(b"k", Binding::Terminated(&["p1", "transfer:x:submit"]), "123456"),
            hmac_hex(b"k", b"p1\x00transfer:x:submit\x00123456\x00")
        );
        assert_eq!(mac(b"k", Binding::Challenge("c1"), "123456"), hmac_hex(b"k", b"c1:123456"));
    }

    #[test]
    fn macs_depend_on_pepper_binding_and_code() {
        let a = mac(b"k1", Binding::Challenge("c1"), "123456");
        assert!(ct_eq(&a, &mac(b"k1", Binding::Challenge("c1"), "123456")));
        assert!(!ct_eq(&a, &mac(b"k2", Binding::Challenge("c1"), "123456")));
        assert!(!ct_eq(&a, &mac(b"k1", Binding::Challenge("c2"), "123456")));
        assert!(!ct_eq(&a, &mac(b"k1", Binding::Challenge("c1"), "123457")));
        let t = |parts: &[&str]| mac(b"k", Binding::Terminated(parts), "1");
        assert_ne!(t(&["ab", "c"]), t(&["a", "bc"]), "parts cannot run into each other");
    }

    fn hmac_hex(key: &[u8], data: &[u8]) -> String {
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("any key");
        m.update(data);
        hex(&m.finalize().into_bytes())
    }
}
