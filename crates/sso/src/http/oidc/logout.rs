//! RP-initiated logout: a relying party's sign-out request, followed at
//! once when its token hint names the person, confirmed by the person
//! otherwise; then back to the client or a signed-out page.
//! `oidc::plan_logout` decides; this frames and ends the session.

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use serde_json::json;

use crate::http::browser::{CSRF, clear_session_cookie, current_session};
use crate::http::pages::{Fields, confirm_sign_out, csrf_refused, error_page, form, message};
use crate::http::respond::{see_other, with_cookies};
use crate::oidc::{self, LogoutParams};
use crate::{Sso, sessions};

pub(super) fn routes() -> Router<Sso> {
    Router::new().route("/sso/logout", get(logout).post(logout_post))
}

async fn logout(State(sso): State<Sso>, headers: HeaderMap, Query(p): Query<LogoutParams>) -> Response {
    logout_request(&sso, &headers, p).await
}

/// A POST is either the person confirming on our own page (it carries the
/// CSRF token) or a relying party's logout request sent as a form.
async fn logout_post(State(sso): State<Sso>, headers: HeaderMap, Fields(f): Fields) -> Response {
    if f.get("confirm").is_some_and(|c| c == "yes") {
        return logout_confirmed(sso, headers, f).await;
    }
    match serde_json::from_value::<LogoutParams>(json!(f)) {
        Ok(p) => logout_request(&sso, &headers, p).await,
        Err(_) => message(StatusCode::BAD_REQUEST, "This sign-out request cannot be used", vec![], vec![]),
    }
}

async fn logout_request(sso: &Sso, headers: &HeaderMap, p: LogoutParams) -> Response {
    let session = match current_session(sso, headers).await {
        Ok(s) => s,
        Err(e) => return error_page(&e),
    };
    let plan = match oidc::plan_logout(sso, &p, session.as_ref()).await {
        Ok(Ok(plan)) => plan,
        Ok(Err(why)) => {
            return message(
                StatusCode::BAD_REQUEST,
                "This sign-out request cannot be used",
                vec![why],
                vec![("/sso/", "Go to your account")],
            );
        }
        Err(e) => return error_page(&e),
    };
    let done = |redirect: Option<String>| match redirect {
        Some(to) => with_cookies(see_other(&to), [clear_session_cookie()]),
        None => with_cookies(
            message(
                StatusCode::OK,
                "You are signed out",
                vec!["You can close this window.".into()],
                vec![("/sso/signin", "Sign in again")],
            ),
            [clear_session_cookie()],
        ),
    };
    match session {
        None => done(plan.redirect),
        Some(s) if plan.confirmed_by_hint => match sessions::end(sso, &s.id_hash).await {
            Ok(()) => done(plan.redirect),
            Err(e) => error_page(&e),
        },
        Some(_) => {
            // No proof the request came from the person's own service: ask.
            let (csrf, set) = CSRF.token_for(headers);
            let mut hidden = vec![("confirm", "yes".to_string())];
            for (k, v) in [
                ("post_logout_redirect_uri", &p.post_logout_redirect_uri),
                ("state", &p.state),
                ("client_id", &p.client_id),
            ] {
                if let Some(v) = v {
                    hidden.push((k, v.clone()));
                }
            }
            form(StatusCode::OK, confirm_sign_out(csrf, hidden), set)
        }
    }
}

async fn logout_confirmed(sso: Sso, headers: HeaderMap, f: HashMap<String, String>) -> Response {
    if !CSRF.check(&headers, f.get("csrf").map(String::as_str)) {
        return csrf_refused(&sso, &headers);
    }
    let p = LogoutParams {
        id_token_hint: None,
        post_logout_redirect_uri: f.get("post_logout_redirect_uri").cloned(),
        state: f.get("state").cloned(),
        client_id: f.get("client_id").cloned(),
    };
    let session = current_session(&sso, &headers).await.ok().flatten();
    let redirect = match oidc::plan_logout(&sso, &p, session.as_ref()).await {
        Ok(Ok(plan)) => plan.redirect,
        Ok(Err(_)) => None,
        Err(e) => return error_page(&e),
    };
    if let Some(s) = session
        && let Err(e) = sessions::end(&sso, &s.id_hash).await
    {
        return error_page(&e);
    }
    match redirect {
        Some(to) => with_cookies(see_other(&to), [clear_session_cookie()]),
        None => with_cookies(
            message(StatusCode::OK, "You are signed out", vec![], vec![("/sso/signin", "Sign in again")]),
            [clear_session_cookie()],
        ),
    }
}
