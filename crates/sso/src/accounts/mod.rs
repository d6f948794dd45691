//! Accounts: the people who sign in, and what they do with their account.
//! One use case a file: `register` (checked against the population
//! register), `signin` (a password, then a code; `lockout` counts the
//! failures and `devices` the browsers signed in from), `recovery` (a
//! forgotten password or a blocked account), `preferences`. Beside them:
//! `account` (the row every use case reads), `passwords`, and `codes` (the
//! SMS one-time codes these use cases send).
//!
//! It must not know HTTP, pages or OpenID Connect: relying parties' grants
//! are revoked through `grants`.

mod account;
pub mod codes;
pub mod devices;
mod lockout;
mod passwords;
pub mod preferences;
pub mod recovery;
pub mod register;
pub mod signin;

pub use account::{Account, Client, get, remember_lang};
pub(crate) use account::{account_from, lang_in};
pub use preferences::set_sms_alerts;
pub use register::{Registration, register};
pub use signin::{SignIn, SignedIn, confirm_code, resend_code, sign_in};
