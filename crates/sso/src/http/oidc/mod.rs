//! The OpenID Connect endpoints' HTTP framing, one file an endpoint:
//! `discovery` (and the JWKS), `authorize`, `token` (and revocation),
//! `userinfo`, `logout`. They read the request, call `crate::oidc`, which
//! decides, and answer as the protocol says (OAuth errors as JSON, refusals
//! a person sees as pages).

mod authorize;
mod discovery;
mod logout;
mod token;
mod userinfo;

use axum::Router;

use crate::Sso;

pub(super) fn routes() -> Router<Sso> {
    Router::new()
        .merge(discovery::routes())
        .merge(authorize::routes())
        .merge(token::routes())
        .merge(userinfo::routes())
        .merge(logout::routes())
}
