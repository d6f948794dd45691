//! What the sign-on keeps in a browser: its cookies (the session, the CSRF
//! double-submit, the known browser, the recovery under way) and the
//! session they lead to. It knows no page.

use axum::http::{HeaderMap, HeaderValue};
use cookies::SameSite;

use crate::accounts::{self, Account};
use crate::sessions::{self, Session, Stage};
use crate::{Error, Sso};

pub const SESSION_COOKIE: &str = "__Host-tims_session";
pub const CSRF_COOKIE: &str = "__Host-tims_csrf";
/// Marks a browser the account has signed in from (see `devices`).
pub const DEVICE_COOKIE: &str = "__Host-tims_device";
/// The recovery under way in this browser (see `recovery`).
pub const RECOVERY_COOKIE: &str = "__Host-tims_recovery";
pub(super) const DEVICE_COOKIE_AGE_SECS: i64 = crate::accounts::devices::KEEP_MS / 1000;
/// The double-submit check of every form (see the `cookies` crate).
pub(super) const CSRF: cookies::Csrf = cookies::Csrf { cookie: CSRF_COOKIE };

pub(super) fn session_cookie(token: &str) -> HeaderValue {
    cookies::set(SESSION_COOKIE, token, SameSite::Lax, None)
}

pub(super) fn clear_session_cookie() -> HeaderValue {
    cookies::set(SESSION_COOKIE, "", SameSite::Lax, Some(0))
}

pub(super) fn device_cookie(token: &str) -> HeaderValue {
    cookies::set(DEVICE_COOKIE, token, SameSite::Lax, Some(DEVICE_COOKIE_AGE_SECS))
}

/// The session behind the browser's cookie, if it is live.
pub(super) async fn current_session(sso: &Sso, headers: &HeaderMap) -> Result<Option<Session>, Error> {
    match cookies::get(headers, SESSION_COOKIE).filter(|v| !v.is_empty()) {
        Some(token) => sessions::find(sso, &token).await,
        None => Ok(None),
    }
}

pub(super) async fn signed_in(sso: &Sso, headers: &HeaderMap) -> Result<Option<(Session, Account)>, Error> {
    match current_session(sso, headers).await? {
        Some(s) if s.stage == Stage::Active => {
            let mut a = accounts::get(sso, &s.account_id).await?;
            if a.blocked {
                return Ok(None);
            }
            // The language switch sets the cookie; the page it comes back
            // to keeps a signed-in person's choice on their account (a
            // failed write is logged: the page is still in their language).
            let chosen = pagekit::chosen_lang(headers);
            match accounts::remember_lang(sso, &a, chosen).await {
                Ok(()) => a.lang = chosen.or(a.lang),
                Err(e) => tracing::warn!(error = %e, "a person's chosen language was not kept"),
            }
            Ok(Some((s, a)))
        }
        _ => Ok(None),
    }
}

/// The pending sign-in (waiting for a code) behind the cookie, if any.
pub(super) async fn pending(sso: &Sso, headers: &HeaderMap) -> Result<Option<(Session, Account)>, Error> {
    match current_session(sso, headers).await? {
        Some(s) if matches!(s.stage, Stage::VerifyPhone | Stage::SignInCode) => {
            let a = accounts::get(sso, &s.account_id).await?;
            Ok(Some((s, a)))
        }
        _ => Ok(None),
    }
}
