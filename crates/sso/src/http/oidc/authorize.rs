//! The authorization endpoint, by GET or form POST: the browser goes back
//! to the client, to the sign-in first (and then back here), or sees why
//! the request cannot be used. `oidc::authorize` decides; this only frames.
//! A request's `ui_locales` (the language of the service that sent the
//! person) is the language of these pages and of the sign-in they lead to,
//! unless the person chose one on this browser (`pagekit::page_lang`).

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::routing::get;
use serde_json::json;
use texts::{Lang, SignOnMessage as M};

use crate::Sso;
use crate::http::browser::current_session;
use crate::http::pages::{Fields, PageLang, error_page, message, say};
use crate::http::respond::{no_store, see_other, urlencode};
use crate::oidc::{self, Authorize, AuthorizeParams};

pub(super) fn routes() -> Router<Sso> {
    Router::new().route("/sso/authorize", get(authorize).post(authorize_post))
}

async fn authorize(
    State(sso): State<Sso>,
    PageLang(lang): PageLang,
    headers: HeaderMap,
    uri: axum::http::Uri,
    q: Result<Query<AuthorizeParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(p)) = q else {
        return broken_authorize_request(lang);
    };
    let pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()).into_owned().collect();
    authorize_with(&sso, lang, &headers, p, pairs).await
}

/// OpenID Connect also allows the request as a form POST.
async fn authorize_post(
    State(sso): State<Sso>,
    PageLang(lang): PageLang,
    headers: HeaderMap,
    Fields(f): Fields,
) -> Response {
    let Ok(p) = serde_json::from_value::<AuthorizeParams>(json!(f)) else {
        return broken_authorize_request(lang);
    };
    authorize_with(&sso, lang, &headers, p, f.into_iter().collect()).await
}

fn broken_authorize_request(lang: Lang) -> Response {
    message(lang, StatusCode::BAD_REQUEST, M::BrokenSignInLink, vec![say(lang, M::UnreadableRequest)], vec![])
}

/// The first language of the request's `ui_locales` (OpenID Connect Core
/// 1.0 §3.1.2.1: tags by preference, space-separated) that tims speaks.
fn ui_locale(pairs: &[(String, String)]) -> Option<Lang> {
    pairs.iter().find(|(k, _)| k == "ui_locales").and_then(|(_, v)| v.split_whitespace().find_map(Lang::from_tag))
}

async fn authorize_with(
    sso: &Sso,
    lang: Lang,
    headers: &HeaderMap,
    p: AuthorizeParams,
    pairs: Vec<(String, String)>,
) -> Response {
    // The person's own choice wins; the service's hint only stands in for
    // their browser's.
    let hint = ui_locale(&pairs).filter(|_| pagekit::chosen_lang(headers).is_none());
    let lang = hint.unwrap_or(lang);
    let session = match current_session(sso, headers).await {
        Ok(s) => s,
        Err(e) => return error_page(lang, &e),
    };
    match oidc::authorize(sso, &p, session.as_ref()).await {
        Ok(Authorize::Redirect(to)) => {
            let mut resp = no_store(see_other(&to));
            // Back to the service: the sign-in, and its hint, are over.
            if pagekit::has_hint(headers) {
                resp.headers_mut().append(header::SET_COOKIE, pagekit::hint_lang(None));
            }
            resp
        }
        Ok(Authorize::SignIn { reauthenticate }) => {
            // Come back to the same request; after a fresh sign-in it must
            // not ask for one again, so prompt=login is dropped.
            let pairs = pairs.into_iter().filter_map(|(k, v)| {
                if reauthenticate && k == "prompt" {
                    let rest: Vec<&str> = v.split(' ').filter(|p| *p != "login" && !p.is_empty()).collect();
                    (!rest.is_empty()).then(|| (k, rest.join(" ")))
                } else {
                    Some((k, v))
                }
            });
            let query = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
            let back = format!("/sso/authorize?{query}");
            let mut resp = see_other(&format!("/sso/signin?return_to={}", urlencode(&back)));
            if hint.is_some() {
                resp.headers_mut().append(header::SET_COOKIE, pagekit::hint_lang(hint));
            }
            resp
        }
        Ok(Authorize::Refuse(why)) => {
            let paragraphs = vec![say(lang, why), say(lang, M::GoBackToService)];
            message(lang, StatusCode::BAD_REQUEST, M::SignInRequestUnusable, paragraphs, vec![])
        }
        Err(e) => error_page(lang, &e),
    }
}
