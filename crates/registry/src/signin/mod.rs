//! Signing in, and who is asking: the sign-in through the provider
//! (`flow`), page sessions (`sessions`), Bearer access tokens on the API
//! (`bearer`), the actor they give (`actor`), and the revocation of the
//! refresh tokens the registry lets go of (`revocation`).
//!
//! It owns `reg_logins`, `reg_sessions` and `reg_revocations`, and reads
//! parties through `parties`. It knows nothing of HTTP, cookies or pages
//! (the `http` module carries tokens in and out), nor of transfers.

mod actor;
mod bearer;
mod flow;
pub mod revocation;
pub mod sessions;

pub use actor::{Actor, Identity};
pub use bearer::{ACTOR_CACHE_MS, TokenCache, from_bearer};
pub use flow::{begin_sign_in, finish_sign_in};
pub use sessions::{
    CLAIMS_MAX_AGE_MS, FORGET_BATCH, SESSION_ABSOLUTE_MS, SESSION_IDLE_MS, end_session, forget_stale_sessions,
    from_session, purge_old_sessions, switch_acting_for,
};
