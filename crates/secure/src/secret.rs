//! Values that must never be printed: configuration secrets, keys, peppers.
//!
//! Owns [`Secret`], a wrapper whose `Debug` is `[redacted]` and whose value
//! is read only through [`Secret::expose`], so that a secret reaches a log
//! only by someone writing `expose` next to it. It must not know where a
//! secret comes from (a file, the environment) nor what it keys.
//!
//! `Secret` (text: tokens, passwords, database URLs) and `Secret<Vec<u8>>`
//! (key material) are the same type. Round 2 replaces `registry::SecretBytes`
//! with `secure::Secret<Vec<u8>>` (build with `Secret::new(bytes)`, read with
//! `expose()` as `&[u8]`).

use std::fmt;
use std::ops::Deref;

use serde::Deserialize;

/// A value that never shows in `Debug` output or logs.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret<T = String>(T);

impl<T> Secret<T> {
    pub fn new(value: impl Into<T>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the one place that uses it.
    pub fn expose(&self) -> &T::Target
    where
        T: Deref,
    {
        &self.0
    }

    /// The secret itself, taken out of its wrapper.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl From<Vec<u8>> for Secret<Vec<u8>> {
    fn from(b: Vec<u8>) -> Self {
        Self(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_shows_in_debug_output() {
        let s: Secret = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "[redacted]");
        assert_eq!(format!("{:?}", Some(Secret::<Vec<u8>>::new(vec![1, 2]))), "Some([redacted])");
        assert_eq!(s.expose(), "hunter2");
        assert_eq!(Secret::<Vec<u8>>::from(vec![7]).expose(), &[7]);
    }

    #[test]
    fn a_secret_reads_from_configuration_as_its_bare_value() {
        #[derive(Deserialize)]
        struct C {
            key: Secret,
        }
        let c: C = serde_json::from_str(r#"{"key":"k-1"}"#).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.key.expose(), "k-1");
        assert_eq!(c.key.into_inner(), "k-1");
    }
}
