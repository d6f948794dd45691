//! Passwords: the rules a new one must meet, and hashing and checking them,
//! deliberately slow, off the async workers and a bounded number at once
//! (see `limits`). It knows no account row.

use domain::policy::password;

use super::account::Client;
use crate::{Error, FieldErrors, Sso, crypto};

/// Check a new password: its length and the confirmation, and that it is
/// not guessable, nor built from the person's own identifiers (`own`).
pub(super) fn check_new_password(errors: &mut FieldErrors, pw: &str, confirm: &str, own: &[&str]) {
    if let Err(e) = password::check(pw, own) {
        errors.add("password", e.message);
    } else if pw != confirm {
        errors.add("password_confirm", crate::error::say(texts::SignOnRefusal::PasswordsDiffer));
    }
}

/// Check a password against its hash (`known`: from a browser the account
/// has signed in from before, which has a place of its own).
pub(super) async fn verify_password(sso: &Sso, known: bool, password: &str, hash: &str) -> Result<bool, Error> {
    let (p, h) = (password.to_string(), hash.to_string());
    sso.limits().hash(known, move || crypto::verify_password(&p, &h)).await
}

/// Hash a new password, within the source's share of the hashing.
pub(super) async fn hash_password(sso: &Sso, client: &Client, password: &str) -> Result<String, Error> {
    let _slot = sso.limits().source_slot(client.source)?;
    let p = password.to_string();
    sso.limits().hash(false, move || crypto::hash_password(&p)).await
}
