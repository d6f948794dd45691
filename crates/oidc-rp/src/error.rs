//! What can go wrong, in words a caller can pass on (after choosing its own
//! wording) without leaking secrets: no variant carries a token, a code, a
//! client secret or a PKCE verifier. It knows no HTTP status and no wording
//! of the caller's.

/// Why a sign-in, a token check or a call to the provider failed.
#[derive(Debug, thiserror::Error)]
pub enum RpError {
    /// The provider could not be reached (connection refused, timeout, TLS).
    /// Usually worth trying again later.
    #[error("the sign-in provider could not be reached")]
    Unreachable(#[source] reqwest::Error),

    /// The provider answered, but not as the protocol says it should.
    #[error("the sign-in provider gave an unusable answer: {0}")]
    BadResponse(String),

    /// The provider names itself differently from the configured issuer,
    /// in its discovery document or in an authorization response (RFC 9207).
    /// Issuers are public; both are given for the operator.
    #[error("the sign-in provider calls itself {found:?}, not the configured {expected:?}")]
    IssuerMismatch { expected: String, found: String },

    /// The provider refused, with an OAuth error code such as
    /// `access_denied`, `login_required` or `invalid_grant`.
    #[error("the sign-in provider refused: {error}")]
    Provider { error: String, description: Option<String> },

    /// The callback's `state` is missing or is not the one this browser was
    /// sent with: a forged or replayed callback, or a second tab.
    #[error("the sign-in response does not belong to this sign-in")]
    StateMismatch,

    /// An ID token or access token failed a check; the reason names the
    /// check, never the token's content.
    #[error("the token was refused: {0}")]
    InvalidToken(String),

    /// The configuration or the provider asks for something this library
    /// does not do.
    #[error("not supported: {0}")]
    Unsupported(String),
}

impl RpError {
    pub(crate) fn invalid(reason: &str) -> Self {
        Self::InvalidToken(reason.to_string())
    }

    pub(crate) fn bad(reason: impl Into<String>) -> Self {
        Self::BadResponse(reason.into())
    }
}
