//! The sign-on's error: what went wrong, in terms a page or an API can show.
//! It knows no HTTP: `http` maps each error to a page or an OAuth answer.

use crate::registers::RegisterError;

/// Field-by-field refusals of a submitted form, in the form's order: the
/// one type of `domain`, with the sign-on's field names (all fixed in code)
/// and its error.
pub type FieldErrors = domain::FieldErrors<Fields>;

/// How the sign-on names refused fields and what they become.
#[derive(Debug)]
pub struct Fields;

impl domain::FieldPart for Fields {
    type Name = &'static str;
    type Error = Error;
}

impl From<FieldErrors> for Error {
    fn from(f: FieldErrors) -> Self {
        Self::Invalid(f)
    }
}

/// A refusal in the catalogue's words. Use cases do not know the reader's
/// language yet (choosing it is the next issue): they say it in English, the
/// language every page of the sign-on is in today.
pub(crate) fn say(refusal: impl texts::Text) -> String {
    refusal.render(texts::Lang::En)
}

/// What a person whose account an earlier version blocked is told.
pub fn blocked_message() -> String {
    say(texts::Refusal::Blocked)
}

/// What there were too many of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TooMany {
    /// Failed sign-ins with one ID number: the growing delays of
    /// `accounts::lockout`, a wait and never a block.
    FailedSignIns,
    /// Password attempts from one network.
    PasswordAttempts,
    /// Sign-ins under way at once from one network: the node is busy.
    SignInsAtOnce,
    /// Codes sent: to one phone, from one network, or by everyone.
    Codes,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// One or more fields were refused; nothing changed.
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// A rule refused the request as a whole (blocked, too many codes, ...).
    #[error("{0}")]
    Refused(String),
    /// The account was blocked after repeated failed sign-ins (an earlier
    /// version blocked accounts; recovery unblocks them at once).
    #[error("{}", blocked_message())]
    Blocked,
    /// Too many requests of this kind from this source, or from everyone:
    /// try again after the time given. The kind tells a page what else to
    /// offer (recovery, after failed sign-ins).
    #[error("{message}")]
    TooMany { kind: TooMany, message: String, retry_after_secs: u64 },
    /// The node is too busy to check a password now (429 is for the caller's
    /// own pace; this is the server's).
    #[error("{}", say(texts::Refusal::Busy))]
    Busy { retry_after_secs: u64 },
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error(transparent)]
    Register(#[from] RegisterError),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("{0}")]
    Internal(String),
}

impl From<db::Error> for Error {
    fn from(e: db::Error) -> Self {
        match e {
            db::Error::Sqlx(e) => Self::Db(e),
            other => Self::Internal(other.to_string()),
        }
    }
}
