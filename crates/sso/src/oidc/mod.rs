//! The OpenID Connect provider: what relying parties ask of the sign-on and
//! what it answers. One use case a file: `clients` (registered relying
//! parties), `discovery`, `authorize` (the authorization request, answered
//! with a sealed `auth_code`), `token` (redeeming a code or a refresh
//! token; `mint` makes the tokens), `revoke`, `claims` (what scopes
//! release, and userinfo), `logout` (RP-initiated) and `dev_token`.
//!
//! It decides; `http::oidc` frames. It must not know pages, cookies, or how
//! people register and sign in: it reads accounts and sessions, and keeps
//! grants through `grants`.

mod auth_code;
mod authorize;
mod claims;
mod clients;
mod dev_token;
mod discovery;
mod logout;
mod mint;
mod oauth;
mod redirects;
mod revoke;
mod token;

pub use auth_code::CODE_TTL_MS;
pub use authorize::{Authorize, AuthorizeParams, authorize};
pub use claims::{user_claims, userinfo};
pub(crate) use clients::ClientCache;
pub use clients::{API_AUDIENCE, Client, NewClient, add_client, upsert_configured_client};
pub use dev_token::{DEV_TOKEN_SCOPE, DevAccessToken, development_access_token};
pub use discovery::{SCOPES, discovery};
pub use logout::{LogoutParams, LogoutPlan, plan_logout};
pub use mint::{ACCESS_TTL_MS, ID_TTL_MS};
pub use oauth::{Form, TokenError};
pub use revoke::revoke;
pub use token::token;
