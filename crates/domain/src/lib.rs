//! Pure rules of tims.
//!
//! `domain` owns what a registry and a sign-on must agree on regardless of
//! storage or transport: how identifiers are written and checked, the policies
//! for one-time codes, passwords and sign-in lockout, and the kinds of
//! organisations and their roles. It performs no I/O, has no async code and
//! knows no database or HTTP types; everything else in tims may use it, and it
//! uses nothing of ours.

pub mod date;
pub mod ids;
pub mod org;
pub mod policy;

pub use date::Date;
pub use ids::{AccountType, FieldError, IdNumber, KraPin, Phone};
