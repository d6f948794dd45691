//! The registry's error: what went wrong, in terms a page or the API can
//! show, its words already rendered from the catalogue (`texts`) in the
//! reader's language. It maps to HTTP in one place (`api::problem`). It
//! knows no use case; use cases know it.

use texts::{Lang, StepRefusal, Text as _};

/// Field-by-field refusals of a request, in the request's order: the one
/// type of `domain`, with the registry's field names (API paths are built
/// from the request, so `String`) and its error.
pub type FieldErrors = domain::FieldErrors<Fields>;

/// How the registry names refused fields and what they become.
#[derive(Debug)]
pub struct Fields;

impl domain::FieldPart for Fields {
    type Name = String;
    type Error = Error;
}

impl From<FieldErrors> for Error {
    fn from(f: FieldErrors) -> Self {
        Self::Invalid(f)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// One or more fields were refused; nothing changed.
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// The request is well formed but the thing it asks for cannot happen now
    /// (a transfer in the wrong state, a vehicle with an open transfer).
    #[error("{0}")]
    Conflict(String),
    /// Too many requests of a kind (codes); try again later.
    #[error("{0}")]
    TooMany(String),
    #[error("sign in first")]
    Unauthenticated,
    /// A Bearer token was refused; the reason names the check it failed
    /// (expired, another audience, a bad signature, malformed, an unknown
    /// key), never the token's content. Answered 401 with
    /// `WWW-Authenticate: Bearer error="invalid_token"`.
    #[error("the access token was refused: {0}")]
    TokenRefused(String),
    /// Something that needs a signed-in caller, asked anonymously; the
    /// message says why it needs one. Answered like `Unauthenticated`.
    #[error("{0}")]
    SignInFor(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// An outside system (the provider, the payment gateway) is not answering.
    #[error("{0}")]
    Unavailable(String),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("{0}")]
    Internal(String),
}

impl Error {
    /// The HTTP status the API and the pages answer with, decided here once.
    pub fn status(&self) -> axum::http::StatusCode {
        use axum::http::StatusCode;
        match self {
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Unauthenticated | Self::SignInFor(_) | Self::TokenRefused(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Db(_) | Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl Error {
    /// The `WWW-Authenticate` challenge of a 401 (RFC 6750 §3): a refused
    /// token's says why in `error_description`.
    pub fn www_authenticate(&self) -> Option<axum::http::HeaderValue> {
        use axum::http::HeaderValue;
        match self {
            Self::Unauthenticated | Self::SignInFor(_) => Some(HeaderValue::from_static("Bearer")),
            Self::TokenRefused(why) => {
                // RFC 6750 allows printable ASCII but the quote and the
                // backslash in error_description.
                let why: String = why
                    .chars()
                    .map(|c| match c {
                        '"' => '\'',
                        '\\' => '/',
                        c if c == ' ' || c.is_ascii_graphic() => c,
                        _ => '?',
                    })
                    .collect();
                let value = format!("Bearer error=\"invalid_token\", error_description=\"{why}\"");
                Some(
                    HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static("Bearer error=\"invalid_token\"")),
                )
            }
            _ => None,
        }
    }
}

impl From<db::Error> for Error {
    fn from(e: db::Error) -> Self {
        match e {
            db::Error::Sqlx(e) => Self::Db(e),
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<db::DecodeError> for Error {
    fn from(e: db::DecodeError) -> Self {
        Self::Internal(format!("database read: {e}"))
    }
}

impl Error {
    /// The state machine's refusal, in `lang`: a wrong party is forbidden,
    /// a missing reason a field error, a step at the wrong time a conflict.
    pub fn refused(r: domain::transfer::Refusal, lang: Lang) -> Self {
        use domain::transfer::Refusal as R;
        let words = |m: StepRefusal| m.render(lang);
        match r {
            R::WrongParty { deed } => Self::Forbidden(words(StepRefusal::WrongParty { deed })),
            R::NotAConsenter => Self::Forbidden(words(StepRefusal::NotAConsenter)),
            R::NoReason => FieldErrors::single("reason", words(StepRefusal::NoReason)),
            R::NotNow { state, deed } => Self::Conflict(words(StepRefusal::NotNow { state, deed })),
            R::AlreadyConsented => Self::Conflict(words(StepRefusal::AlreadyConsented)),
            R::ReasonTooLong => FieldErrors::single("reason", texts::TransferRefusal::ReasonTooLong.render(lang)),
            R::NewScanNeeded => FieldErrors::single("logbook", words(StepRefusal::NewScanNeeded)),
        }
    }

    /// Staff asked to act on a transfer they are a party to, in `lang`.
    pub fn own_case(c: domain::transfer::OwnCase, lang: Lang) -> Self {
        Self::Forbidden(StepRefusal::OwnCase { action: c.0 }.render(lang))
    }
}
