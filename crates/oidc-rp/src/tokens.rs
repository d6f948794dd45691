//! Checking what the provider signs: ID tokens (OpenID Connect Core
//! §3.1.3.7) and JWT access tokens (RFC 9068) — signature, issuer,
//! audience and times. It knows claims, not how tokens are obtained.

use serde_json::{Map, Value};

use crate::jose::{self, Jws};
use crate::{Provider, RpError};

/// Clocks disagree; this much is forgiven on `exp`, `iat` and `nbf`.
pub const CLOCK_SKEW_MS: i64 = 60 * 1000;

/// A NumericDate claim (seconds, possibly fractional) in milliseconds.
fn time_claim(claims: &Map<String, Value>, name: &str) -> Result<Option<i64>, RpError> {
    let Some(v) = claims.get(name) else {
        return Ok(None);
    };
    let ms = if let Some(s) = v.as_i64() {
        s.checked_mul(1000)
    } else {
        v.as_f64().filter(|f| f.is_finite() && f.abs() < 1e15).map(|f| (f * 1000.0) as i64)
    };
    ms.map(Some).ok_or_else(|| RpError::InvalidToken(format!("the {name} claim is not a time")))
}

/// The `aud` claim as a list, whether one string or an array of strings.
fn audiences(claims: &Map<String, Value>) -> Result<Vec<&str>, RpError> {
    match claims.get("aud") {
        Some(Value::String(a)) => Ok(vec![a.as_str()]),
        Some(Value::Array(list)) => list
            .iter()
            .map(|a| a.as_str().ok_or_else(|| RpError::invalid("the aud claim is not a list of strings")))
            .collect(),
        Some(_) => Err(RpError::invalid("the aud claim is not a string or a list")),
        None => Err(RpError::invalid("the token names no audience")),
    }
}

/// Expiry, not-before and issued-at, with the allowed skew.
fn check_times(claims: &Map<String, Value>, now_ms: i64, require_iat: bool) -> Result<(), RpError> {
    let exp = time_claim(claims, "exp")?.ok_or_else(|| RpError::invalid("the token has no expiry"))?;
    if exp.saturating_add(CLOCK_SKEW_MS) <= now_ms {
        return Err(RpError::invalid("the token has expired"));
    }
    if let Some(nbf) = time_claim(claims, "nbf")?
        && nbf > now_ms.saturating_add(CLOCK_SKEW_MS)
    {
        return Err(RpError::invalid("the token is not valid yet"));
    }
    match time_claim(claims, "iat")? {
        Some(iat) if iat > now_ms.saturating_add(CLOCK_SKEW_MS) => {
            Err(RpError::invalid("the token was issued in the future"))
        }
        None if require_iat => Err(RpError::invalid("the token has no issue time")),
        _ => Ok(()),
    }
}

impl Provider {
    /// Verify an access token that an API client sent as a Bearer token,
    /// when the provider issues JWT access tokens (RFC 9068): header `typ`
    /// `at+jwt`, signature against the JWKS, `iss`, `exp` (with skew), and
    /// an `aud` among `accepted_audiences`. With no accepted audiences every
    /// token is refused: the caller must say what it is.
    ///
    /// Returns the claims; scopes and client checks are the caller's.
    pub async fn verify_jwt_access_token(
        &self,
        token: &str,
        accepted_audiences: &[String],
        now_ms: i64,
    ) -> Result<Map<String, Value>, RpError> {
        if accepted_audiences.is_empty() {
            return Err(RpError::invalid("no audience is configured for access tokens"));
        }
        let jws = Jws::parse(token).map_err(RpError::invalid)?;
        match jws.typ().as_deref() {
            Some("at+jwt" | "application/at+jwt") => {}
            _ => return Err(RpError::invalid("the token is not a JWT access token (typ at+jwt)")),
        }
        self.inner.keys.check_signature(&jws, now_ms).await?;
        let claims = jws.claims;
        if claims.get("iss").and_then(Value::as_str) != Some(self.inner.cfg.issuer.as_str()) {
            return Err(RpError::invalid("the token is from another issuer"));
        }
        check_times(&claims, now_ms, false)?;
        let aud = audiences(&claims)?;
        if !aud.iter().any(|a| accepted_audiences.iter().any(|ok| ok == a)) {
            // Audiences are client and API names, public like the issuer:
            // saying which were found and which are accepted tells an
            // integrator what to ask the operator for.
            return Err(RpError::InvalidToken(format!(
                "the token's audience ({}) is not one this API accepts ({})",
                aud.join(", "),
                accepted_audiences.join(", ")
            )));
        }
        Ok(claims)
    }

    /// OpenID Connect Core §3.1.3.7, less the nonce (the caller's).
    pub(crate) async fn verify_id_token(
        &self,
        id_token: &str,
        access_token: &str,
        now_ms: i64,
    ) -> Result<Map<String, Value>, RpError> {
        let jws = Jws::parse(id_token).map_err(RpError::invalid)?;
        // RFC 9068 §4: an access token must not pass as an ID token.
        if matches!(jws.typ().as_deref(), Some("at+jwt" | "application/at+jwt")) {
            return Err(RpError::invalid("an access token is not an ID token"));
        }
        self.inner.keys.check_signature(&jws, now_ms).await?;
        let claims = jws.claims;
        let cfg = &self.inner.cfg;
        if claims.get("iss").and_then(Value::as_str) != Some(cfg.issuer.as_str()) {
            return Err(RpError::invalid("the ID token is from another issuer"));
        }
        let aud = audiences(&claims)?;
        if !aud.contains(&cfg.client_id.as_str()) {
            return Err(RpError::invalid("the ID token is for another client"));
        }
        match claims.get("azp") {
            Some(azp) if azp.as_str() != Some(cfg.client_id.as_str()) => {
                return Err(RpError::invalid("the ID token was issued to another client (azp)"));
            }
            None if aud.len() > 1 => return Err(RpError::invalid("the ID token has several audiences and no azp")),
            _ => {}
        }
        check_times(&claims, now_ms, true)?;
        match claims.get("sub").and_then(Value::as_str) {
            Some(s) if !s.is_empty() => {}
            _ => return Err(RpError::invalid("the ID token has no subject")),
        }
        // §3.1.3.8: optional in the code flow, but a wrong one is a swap.
        // Both accepted algorithms hash with SHA-256, so one rule serves.
        if let Some(at_hash) = claims.get("at_hash")
            && at_hash.as_str() != Some(jose::half_hash(access_token).as_str())
        {
            return Err(RpError::invalid("the ID token's at_hash does not match the access token"));
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_claims_accept_integers_and_fractions_but_not_strings() {
        let claims: Map<String, Value> =
            serde_json::from_value(serde_json::json!({"a": 10, "b": 10.5, "c": "10"})).unwrap();
        assert_eq!(time_claim(&claims, "a").unwrap(), Some(10_000));
        assert_eq!(time_claim(&claims, "b").unwrap(), Some(10_500));
        assert!(time_claim(&claims, "c").is_err());
        assert_eq!(time_claim(&claims, "d").unwrap(), None);
    }
}
