//! An OpenID Connect relying party, small and self-contained: discovery,
//! the authorization code flow with state, nonce and PKCE (S256), ID token
//! verification (RS256 and ES256 against the provider's JWKS, with key
//! rotation), userinfo, refresh, RFC 9068 JWT access token checks for API
//! Bearer tokens, and the end-session URL. It talks to the provider only
//! over HTTP with a `reqwest::Client` the caller supplies, and follows the
//! specifications rather than any one provider, so that pointing it at the
//! built-in sign-on, Keycloak or `oidc-provider` is configuration. It owns
//! no storage and no server: no database, no HTTP routes, no cookies and no
//! tims types; the caller keeps [`Pending`] between [`Provider::begin`] and
//! [`Provider::finish`], decides what a signed-in person may do, and
//! injects the clock (`now_ms`, milliseconds since the epoch) everywhere.

mod backchannel;
mod error;
mod jose;
mod keys;
mod logout;
mod provider;
mod refresh;
mod signin;
mod tokens;
mod userinfo;

pub use error::RpError;
pub use keys::{JWKS_MAX_AGE_MS, MIN_JWKS_REFETCH_INTERVAL_MS};
pub use provider::{ClientConfig, Metadata, Provider, Secret};
pub use refresh::Refreshed;
pub use signin::{Begin, Pending, SignedIn};
pub use tokens::CLOCK_SKEW_MS;
