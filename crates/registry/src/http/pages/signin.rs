//! Signing in and out through the provider, and the choice of whom to act
//! for. (The home page is `home`.)

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use cookies::SameSite;

use pagekit::{CsrfForm, SignedForm};
use secure::{ct_eq, sha256_hex};
use texts::{RegistryPage, Text as _};

use super::frame::{OrShow, PageResult, message_page};
use super::{LOGIN_COOKIE, SESSION_COOKIE};
use crate::http::lang;
use crate::signin;
use crate::{Error, Registry};

/// Where to go after signing in.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct SigninQuery {
    return_to: Option<String>,
}

/// Only paths inside the registry are followed after sign-in.
fn safe_return(raw: Option<&str>) -> String {
    match raw {
        Some(r)
            if r.starts_with('/')
                && !r.starts_with("//")
                && !r.starts_with("/sso")
                && r.bytes().all(|b| b.is_ascii_graphic() && b != b'\\') =>
        {
            r.to_string()
        }
        _ => "/".to_string(),
    }
}

pub async fn signin(State(reg): State<Registry>, headers: HeaderMap, Query(q): Query<SigninQuery>) -> Response {
    match signin::begin_sign_in(&reg, &safe_return(q.return_to.as_deref()), lang(&headers)).await {
        Ok((url, state)) => {
            let mut resp = Redirect::to(&url).into_response();
            // Lax: the provider's redirect back is a top-level navigation.
            let bound = sha256_hex(state.as_bytes());
            resp.headers_mut().append(header::SET_COOKIE, cookies::set(LOGIN_COOKIE, &bound, SameSite::Lax, Some(600)));
            resp
        }
        Err(e) => message_page(lang(&headers), None, e.status(), &e),
    }
}

/// The provider's answer comes whole to the OpenID Connect library (code,
/// state, iss, or an error and its description), so it is read as a map.
pub async fn callback(
    State(reg): State<Registry>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let lang = lang(&headers);
    // Only the browser that started this sign-in may finish it.
    let state = q.get("state").map(|s| sha256_hex(s.as_bytes()));
    let bound = cookies::get(&headers, LOGIN_COOKIE);
    if !matches!((&state, &bound), (Some(s), Some(b)) if ct_eq(s, b)) {
        let e = Error::Forbidden(RegistryPage::SignInNotStartedHere.render(lang));
        return message_page(lang, None, StatusCode::FORBIDDEN, &e);
    }
    let mut resp = match signin::finish_sign_in(&reg, &q, lang).await {
        Ok((token, to)) => {
            let mut resp = Redirect::to(&to).into_response();
            resp.headers_mut().append(header::SET_COOKIE, cookies::set(SESSION_COOKIE, &token, SameSite::Lax, None));
            resp
        }
        Err(e) => message_page(lang, None, e.status(), &e),
    };
    resp.headers_mut().append(header::SET_COOKIE, cookies::set(LOGIN_COOKIE, "", SameSite::Lax, Some(0)));
    resp
}

/// A form with no fields but its CSRF token.
#[derive(Debug, Default, serde::Deserialize)]
pub struct NoFields {}

pub async fn signout(State(reg): State<Registry>, headers: HeaderMap, _: CsrfForm<Registry, NoFields>) -> Response {
    let mut to = "/?notice=signed-out".to_string();
    if let Some(token) = cookies::get(&headers, SESSION_COOKIE)
        && let Ok(Some(id_token)) = signin::end_session(&reg, &token).await
        && let Ok(p) = reg.provider().await
        && let Some(url) = p.end_session_url(&id_token, Some(&format!("{}/", reg.config().public_url)), None)
    {
        // Sign out of the provider too, and come back here.
        to = url;
    }
    let mut resp = Redirect::to(&to).into_response();
    resp.headers_mut().append(header::SET_COOKIE, cookies::set(SESSION_COOKIE, "", SameSite::Lax, Some(0)));
    resp
}

/// Whom to act for: an organisation's KRA PIN, or none for oneself.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ActingForForm {
    kra_pin: Option<String>,
}

pub async fn acting_for(State(reg): State<Registry>, f: SignedForm<Registry, ActingForForm>) -> PageResult {
    let SignedForm { session: me, form } = f;
    signin::switch_acting_for(&reg, &me.token, &me.actor, form.kra_pin.as_deref(), me.lang).await.or_show(&me)?;
    Ok(Redirect::to("/?notice=switched").into_response())
}
