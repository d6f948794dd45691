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
use texts::{Lang, Page, SignOnMessage as M};

use crate::http::pages::{Fields, PageLang, confirm_sign_out, csrf_refused, error_page, form, message, say};
use crate::http::respond::{see_other, with_cookies};
use crate::oidc::{self, LogoutParams};
use crate::{Sso, sessions};

pub(super) fn routes() -> Router<Sso> {
    Router::new().route("/sso/logout", get(logout).post(logout_post))
}

async fn logout(
    State(sso): State<Sso>,
    PageLang(lang): PageLang,
    headers: HeaderMap,
    Query(p): Query<LogoutParams>,
) -> Response {
    logout_request(&sso, lang, &headers, p).await
}

/// A POST is either the person confirming on our own page (it carries the
/// CSRF token) or a relying party's logout request sent as a form.
async fn logout_post(
    State(sso): State<Sso>,
    PageLang(lang): PageLang,
    headers: HeaderMap,
    Fields(f): Fields,
) -> Response {
    if f.get("confirm").is_some_and(|c| c == "yes") {
        return logout_confirmed(sso, lang, headers, f).await;
    }
    match serde_json::from_value::<LogoutParams>(json!(f)) {
        Ok(p) => logout_request(&sso, lang, &headers, p).await,
        Err(_) => message(lang, StatusCode::BAD_REQUEST, M::SignOutRequestUnusable, vec![], vec![]),
    }
}

/// The page saying the person is signed out, and how to sign in again.
fn signed_out(lang: Lang, paragraphs: Vec<String>) -> Response {
    let again = vec![("/sso/signin", say(lang, M::SignInAgain))];
    with_cookies(message(lang, StatusCode::OK, M::SignedOutTitle, paragraphs, again), [clear_session_cookie()])
}

async fn logout_request(sso: &Sso, lang: Lang, headers: &HeaderMap, p: LogoutParams) -> Response {
    let session = match current_session(sso, headers).await {
        Ok(s) => s,
        Err(e) => return error_page(lang, &e),
    };
    let plan = match oidc::plan_logout(sso, &p, session.as_ref()).await {
        Ok(Ok(plan)) => plan,
        Ok(Err(why)) => {
            let account = vec![("/sso/", say(lang, Page::GoToAccount))];
            return message(lang, StatusCode::BAD_REQUEST, M::SignOutRequestUnusable, vec![say(lang, why)], account);
        }
        Err(e) => return error_page(lang, &e),
    };
    let done = |redirect: Option<String>| match redirect {
        Some(to) => with_cookies(see_other(&to), [clear_session_cookie()]),
        None => signed_out(lang, vec![say(lang, M::CloseWindow)]),
    };
    match session {
        None => done(plan.redirect),
        Some(s) if plan.confirmed_by_hint => match sessions::end(sso, &s.id_hash).await {
            Ok(()) => done(plan.redirect),
            Err(e) => error_page(lang, &e),
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
            form(StatusCode::OK, confirm_sign_out(lang, csrf, hidden), set)
        }
    }
}

/// The person confirmed on our own page: a form like any other, so its
/// CSRF token is checked here (the same address takes relying parties'
/// requests, which carry none).
async fn logout_confirmed(sso: Sso, lang: Lang, headers: HeaderMap, f: HashMap<String, String>) -> Response {
    if !CSRF.check(&headers, f.get(pagekit::CSRF_FIELD).map(String::as_str)) {
        return csrf_refused(&sso, lang, &headers);
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
        Err(e) => return error_page(lang, &e),
    };
    if let Some(s) = session
        && let Err(e) = sessions::end(&sso, &s.id_hash).await
    {
        return error_page(lang, &e);
    }
    match redirect {
        Some(to) => with_cookies(see_other(&to), [clear_session_cookie()]),
        None => signed_out(lang, vec![]),
    }
}
