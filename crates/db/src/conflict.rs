//! Unique-key violations turned into the caller's refusal, on both backends.
//!
//! Owns how a unique-key violation is recognised in an error from either
//! database, and one way to replace it with a refusal the person can act on
//! ("this organisation is already on your account"). It must not know the
//! refusals themselves: the caller gives them, in its own error type.
//!
//! Adopting it (round 2): instead of
//! `match r { Err(e) if db::is_unique_violation(&e) => return Err(refusal), other => other? }`
//! write `r.on_unique(|| refusal)?;` with `use db::OnUnique as _;`.

/// An error that may be a unique-key violation.
pub trait UniqueViolation {
    fn is_unique_violation(&self) -> bool;
}

impl UniqueViolation for sqlx::Error {
    fn is_unique_violation(&self) -> bool {
        self.as_database_error().is_some_and(|d| d.is_unique_violation())
    }
}

impl UniqueViolation for crate::Error {
    fn is_unique_violation(&self) -> bool {
        matches!(self, crate::Error::Sqlx(e) if e.is_unique_violation())
    }
}

/// True when the error is a unique-key violation, on either backend.
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    err.is_unique_violation()
}

/// A statement's outcome with a unique-key violation replaced by a refusal.
pub trait OnUnique<T, E> {
    /// `refusal()` instead of a unique-key violation; any other error is
    /// converted into the caller's error as `?` would.
    fn on_unique<R: From<E>>(self, refusal: impl FnOnce() -> R) -> Result<T, R>;
}

impl<T, E: UniqueViolation> OnUnique<T, E> for Result<T, E> {
    fn on_unique<R: From<E>>(self, refusal: impl FnOnce() -> R) -> Result<T, R> {
        match self {
            Err(e) if e.is_unique_violation() => Err(refusal()),
            other => other.map_err(R::from),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[derive(Debug, PartialEq)]
    enum Refused {
        Taken,
        Other(String),
    }
    impl From<sqlx::Error> for Refused {
        fn from(e: sqlx::Error) -> Self {
            Refused::Other(e.to_string())
        }
    }

    #[tokio::test]
    async fn a_duplicate_key_becomes_the_callers_refusal_and_other_errors_pass() {
        use sqlx::Connection as _;
        let mut c = sqlx::SqliteConnection::connect("sqlite::memory:").await.unwrap();
        sqlx::query("CREATE TABLE t (k TEXT PRIMARY KEY)").execute(&mut c).await.unwrap();
        let insert = "INSERT INTO t (k) VALUES ('a')";
        assert!(sqlx::query(insert).execute(&mut c).await.on_unique(|| Refused::Taken).is_ok());
        let again = sqlx::query(insert).execute(&mut c).await;
        assert!(again.as_ref().is_err_and(|e| e.is_unique_violation()));
        assert_eq!(again.on_unique(|| Refused::Taken).unwrap_err(), Refused::Taken);
        let broken = sqlx::query("INSERT INTO nowhere (k) VALUES ('a')").execute(&mut c).await;
        assert!(matches!(broken.on_unique(|| Refused::Taken), Err(Refused::Other(_))));
        let wrapped: Result<(), crate::Error> = Err(sqlx::query(insert).execute(&mut c).await.unwrap_err().into());
        assert!(wrapped.as_ref().is_err_and(|e| e.is_unique_violation()));
    }
}
