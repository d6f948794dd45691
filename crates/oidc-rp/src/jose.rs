//! The small part of JOSE a relying party needs: compact JWS parsing, JWK
//! public keys (RSA and P-256), and RS256 / ES256 signature checks with
//! ring. It knows keys and signatures, not what a token claims or where it
//! came from.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::signature::{ECDSA_P256_SHA256_FIXED, RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents, UnparsedPublicKey};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// Tokens longer than this are refused before any decoding.
const MAX_TOKEN_LEN: usize = 64 * 1024;

/// base64url without padding (RFC 7515 §2); padded input is refused.
pub(crate) fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

pub(crate) fn b64url_decode(s: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(s).ok()
}

pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// Compare without stopping at the first difference.
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The signature algorithms accepted. `none` and the HMAC family are never
/// accepted: a provider's tokens are checked against its published public keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Alg {
    Rs256,
    Es256,
}

impl Alg {
    fn parse(s: &str) -> Option<Self> {
        match s {
            "RS256" => Some(Self::Rs256),
            "ES256" => Some(Self::Es256),
            _ => None,
        }
    }
}

#[derive(Clone)]
enum PublicKey {
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
    },
    /// An uncompressed point: 0x04 || x || y.
    P256 {
        point: Vec<u8>,
    },
}

/// A verification key from the provider's JWKS.
#[derive(Clone)]
pub(crate) struct Jwk {
    kid: Option<String>,
    alg: Option<Alg>,
    key: PublicKey,
}

impl Jwk {
    fn fits(&self, alg: Alg) -> bool {
        let kty_fits =
            matches!((&self.key, alg), (PublicKey::Rsa { .. }, Alg::Rs256) | (PublicKey::P256 { .. }, Alg::Es256));
        kty_fits && self.alg.is_none_or(|a| a == alg)
    }

    fn verify(&self, alg: Alg, message: &[u8], signature: &[u8]) -> bool {
        match (&self.key, alg) {
            (PublicKey::Rsa { n, e }, Alg::Rs256) => RsaPublicKeyComponents { n: n.as_slice(), e: e.as_slice() }
                .verify(&RSA_PKCS1_2048_8192_SHA256, message, signature)
                .is_ok(),
            (PublicKey::P256 { point }, Alg::Es256) => {
                signature.len() == 64
                    && UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, point).verify(message, signature).is_ok()
            }
            _ => false,
        }
    }
}

fn strip_leading_zeros(mut b: Vec<u8>) -> Vec<u8> {
    let zeros = b.iter().take_while(|&&x| x == 0).count();
    b.drain(..zeros);
    b
}

fn str_field<'a>(k: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    k.get(name).and_then(Value::as_str)
}

/// One JWK, if it is a public signature key for an accepted algorithm.
/// Anything else (encryption keys, other key types or algorithms, private
/// material we do not want) is skipped, not an error: providers publish more
/// than any one client uses.
fn parse_jwk(v: &Value) -> Option<Jwk> {
    let k = v.as_object()?;
    if k.get("use").is_some_and(|u| u.as_str() != Some("sig")) {
        return None;
    }
    if let Some(ops) = k.get("key_ops")
        && !ops.as_array()?.iter().any(|o| o.as_str() == Some("verify"))
    {
        return None;
    }
    let alg = match k.get("alg") {
        None => None,
        Some(a) => Some(Alg::parse(a.as_str()?)?),
    };
    let key = match str_field(k, "kty")? {
        "RSA" => {
            let n = strip_leading_zeros(b64url_decode(str_field(k, "n")?)?);
            let e = strip_leading_zeros(b64url_decode(str_field(k, "e")?)?);
            if n.is_empty() || e.is_empty() {
                return None;
            }
            PublicKey::Rsa { n, e }
        }
        "EC" => {
            if str_field(k, "crv")? != "P-256" {
                return None;
            }
            let x = b64url_decode(str_field(k, "x")?)?;
            let y = b64url_decode(str_field(k, "y")?)?;
            if x.len() != 32 || y.len() != 32 {
                return None;
            }
            let mut point = Vec::with_capacity(65);
            point.push(0x04);
            point.extend_from_slice(&x);
            point.extend_from_slice(&y);
            PublicKey::P256 { point }
        }
        _ => return None,
    };
    let kid = match k.get("kid") {
        None => None,
        Some(kid) => Some(kid.as_str()?.to_string()),
    };
    Some(Jwk { kid, alg, key })
}

/// The usable keys of a JWKS document. A document with none is an error:
/// nothing the provider signs could then be checked.
pub(crate) fn parse_jwks(doc: &Value) -> Result<Vec<Jwk>, String> {
    let keys = doc.get("keys").and_then(Value::as_array).ok_or_else(|| "the JWKS has no \"keys\" array".to_string())?;
    let usable: Vec<Jwk> = keys.iter().filter_map(parse_jwk).collect();
    if usable.is_empty() {
        return Err("the JWKS holds no RS256 or ES256 signature key".into());
    }
    Ok(usable)
}

/// A compact JWS, decoded but not yet trusted.
pub(crate) struct Jws<'a> {
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
    pub alg: Alg,
    kid: Option<String>,
    signing_input: &'a str,
    signature: Vec<u8>,
}

/// What looking a token's key up in a key set found.
pub(crate) enum KeyCheck {
    /// A key fits and the signature verifies with it.
    Valid,
    /// Keys fit but the signature verifies with none of them.
    Invalid,
    /// No key in the set fits the token's `kid` and algorithm.
    NoKey,
}

impl<'a> Jws<'a> {
    /// Split and decode a compact JWS. Structure only: nothing here is
    /// trusted until [`Jws::check`] says the signature is good.
    pub fn parse(token: &'a str) -> Result<Self, &'static str> {
        if token.len() > MAX_TOKEN_LEN {
            return Err("the token is too long");
        }
        let mut parts = token.split('.');
        let (Some(h), Some(c), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err("the token is not a compact JWS of three parts");
        };
        let decode_object = |part: &str| -> Option<Map<String, Value>> {
            match serde_json::from_slice(&b64url_decode(part)?).ok()? {
                Value::Object(m) => Some(m),
                _ => None,
            }
        };
        let header = decode_object(h).ok_or("the token header is not base64url JSON")?;
        let claims = decode_object(c).ok_or("the token claims are not base64url JSON")?;
        let signature = b64url_decode(s).ok_or("the token signature is not base64url")?;
        let alg = match header.get("alg").and_then(Value::as_str) {
            None => return Err("the token names no algorithm"),
            Some(a) if a.eq_ignore_ascii_case("none") => return Err("unsigned tokens are not accepted"),
            Some(a) if a.starts_with("HS") => return Err("symmetrically signed tokens are not accepted"),
            Some(a) => Alg::parse(a).ok_or("the token's signature algorithm is not accepted")?,
        };
        // RFC 7515 §4.1.11: extensions we do not understand must not be ignored.
        if header.contains_key("crit") {
            return Err("the token has critical header extensions");
        }
        let kid = match header.get("kid") {
            None => None,
            Some(Value::String(k)) => Some(k.clone()),
            Some(_) => return Err("the token's key id is not a string"),
        };
        let signing_input = &token[..h.len() + 1 + c.len()];
        Ok(Self { header, claims, alg, kid, signing_input, signature })
    }

    /// Check the signature against a key set: the keys named by the token's
    /// `kid` (or, without one, every key) that fit its algorithm.
    pub fn check(&self, keys: &[Jwk]) -> KeyCheck {
        let mut candidates =
            keys.iter().filter(|k| k.fits(self.alg) && (self.kid.is_none() || k.kid == self.kid)).peekable();
        if candidates.peek().is_none() {
            return KeyCheck::NoKey;
        }
        if candidates.any(|k| k.verify(self.alg, self.signing_input.as_bytes(), &self.signature)) {
            KeyCheck::Valid
        } else {
            KeyCheck::Invalid
        }
    }

    /// The header's `typ`, lower-cased (media types compare without case).
    pub fn typ(&self) -> Option<String> {
        self.header.get("typ").and_then(Value::as_str).map(str::to_ascii_lowercase)
    }
}

/// The `at_hash` / `c_hash` value for a token under RS256 or ES256: the
/// left half of its SHA-256, base64url.
pub(crate) fn half_hash(value: &str) -> String {
    b64url(&sha256(value.as_bytes())[..16])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn part(v: &Value) -> String {
        b64url(v.to_string().as_bytes())
    }

    #[test]
    fn padded_base64url_is_refused() {
        assert!(b64url_decode("YQ").is_some());
        assert!(b64url_decode("YQ==").is_none());
        assert!(b64url_decode("Y+/=").is_none());
    }

    #[test]
    fn a_token_of_two_or_four_parts_is_refused() {
        let h = part(&json!({"alg": "RS256"}));
        let c = part(&json!({"sub": "x"}));
        assert!(Jws::parse(&format!("{h}.{c}")).is_err());
        assert!(Jws::parse(&format!("{h}.{c}.AA.AA")).is_err());
        assert!(Jws::parse(&format!("{h}.{c}.AA")).is_ok());
    }

    #[test]
    fn none_hmac_and_unknown_algorithms_are_refused() {
        let c = part(&json!({"sub": "x"}));
        for alg in ["none", "NONE", "HS256", "HS512", "RS512", "PS256", "EdDSA"] {
            let h = part(&json!({"alg": alg}));
            assert!(Jws::parse(&format!("{h}.{c}.AA")).is_err(), "{alg} accepted");
        }
    }

    #[test]
    fn a_token_with_critical_extensions_is_refused() {
        let h = part(&json!({"alg": "RS256", "crit": ["exp"], "exp": 1}));
        let c = part(&json!({"sub": "x"}));
        assert!(Jws::parse(&format!("{h}.{c}.AA")).is_err());
    }

    #[test]
    fn encryption_keys_and_keys_for_other_algorithms_are_not_used() {
        let rsa = |extra: Value| {
            let mut k = json!({"kty": "RSA", "n": b64url(&[0xc5; 256]), "e": "AQAB"});
            k.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            k
        };
        assert!(parse_jwk(&rsa(json!({}))).is_some());
        assert!(parse_jwk(&rsa(json!({"use": "sig", "alg": "RS256"}))).is_some());
        assert!(parse_jwk(&rsa(json!({"use": "enc"}))).is_none());
        assert!(parse_jwk(&rsa(json!({"alg": "RS384"}))).is_none());
        assert!(parse_jwk(&rsa(json!({"key_ops": ["encrypt"]}))).is_none());
        let ec = |crv: &str| json!({"kty": "EC", "crv": crv, "x": b64url(&[1; 32]), "y": b64url(&[2; 32])});
        assert!(parse_jwk(&ec("P-256")).is_some());
        assert!(parse_jwk(&ec("P-384")).is_none());
        assert!(parse_jwk(&json!({"kty": "oct", "k": "c2VjcmV0"})).is_none());
        // An RSA key is not used for ES256, nor an EC key for RS256.
        let key = parse_jwk(&rsa(json!({}))).unwrap();
        assert!(key.fits(Alg::Rs256) && !key.fits(Alg::Es256));
        let key = parse_jwk(&ec("P-256")).unwrap();
        assert!(key.fits(Alg::Es256) && !key.fits(Alg::Rs256));
    }

    #[test]
    fn a_jwks_without_usable_keys_is_an_error() {
        assert!(parse_jwks(&json!({"keys": []})).is_err());
        assert!(parse_jwks(&json!({"keys": [{"kty": "oct", "k": "AA"}]})).is_err());
        assert!(parse_jwks(&json!({})).is_err());
    }

    #[test]
    fn constant_time_comparison_compares() {
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"ab"));
    }
}
