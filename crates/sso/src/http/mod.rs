//! The sign-on's HTTP face: plain server-rendered pages for people
//! (`pages`, one file a journey) and the OpenID Connect endpoints for
//! relying parties (`oidc`, the protocol's framing). Handlers parse, call
//! one use case and render; `browser` keeps what the sign-on stores in a
//! browser, `caller` says who is asking, `respond` holds the small answers
//! every handler gives. It decides nothing a use case decides.

mod browser;
mod caller;
mod oidc;
mod pages;
mod respond;

use axum::Router;

pub use browser::{CSRF_COOKIE, DEVICE_COOKIE, RECOVERY_COOKIE, SESSION_COOKIE};
pub use caller::Caller;

use crate::Sso;

/// Every route of the sign-on, the development pages only when configured.
pub fn router(sso: Sso) -> Router {
    let dev_pages = sso.config().dev_pages;
    Router::new().merge(oidc::routes()).merge(pages::routes(dev_pages)).with_state(sso)
}
