//! What only the registry makes of random bytes and keys: transfer
//! references people read out, and the stored form of its SMS codes. Pure
//! functions: it knows no table, no use case and no HTTP. Identifiers,
//! tokens, hashes and codes themselves are `secure`'s.

/// A reference people can read out on the phone: `TR-` and ten characters
/// from an alphabet without look-alikes (no 0/O, 1/I/L).
pub fn transfer_reference() -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let bytes = secure::random_bytes::<10>();
    let s: String = bytes.iter().map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char).collect();
    format!("TR-{}-{}", &s[..5], &s[5..])
}

/// A code's stored form: keyed by a server secret and bound to the person
/// and purpose, so a stolen table does not give codes away by brute force.
/// (The registry's encoding, kept so that stored MACs stay valid; see
/// `secure::codes`.)
pub fn code_mac(pepper: &[u8], person: &str, purpose: &str, code: &str) -> String {
    secure::codes::mac(pepper, secure::codes::Binding::Terminated(&[person, purpose]), code)
}

#[cfg(test)]
mod tests {
    use secure::codes::six_digit_code;

    use super::*;

    #[test]
    fn references_are_readable_and_distinct() {
        let a = transfer_reference();
        assert_eq!(a.len(), 14, "{a}");
        assert!(a.starts_with("TR-"));
        assert!(!a[3..].contains(['0', 'O', '1', 'I', 'L']), "{a}");
        assert_ne!(a, transfer_reference());
    }

    #[test]
    fn codes_are_bound_to_person_and_purpose() {
        let m = code_mac(b"k", "p1", "transfer:x:submit", "123456");
        assert!(secure::ct_eq(&m, &code_mac(b"k", "p1", "transfer:x:submit", "123456")));
        assert!(!secure::ct_eq(&m, &code_mac(b"k", "p2", "transfer:x:submit", "123456")));
        assert!(!secure::ct_eq(&m, &code_mac(b"k", "p1", "transfer:x:accept", "123456")));
        assert_eq!(six_digit_code().len(), 6);
    }
}
