//! The authorization endpoint, by GET or form POST: the browser goes back
//! to the client, to the sign-in first (and then back here), or sees why
//! the request cannot be used. `oidc::authorize` decides; this only frames.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
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

async fn authorize_with(
    sso: &Sso,
    lang: Lang,
    headers: &HeaderMap,
    p: AuthorizeParams,
    pairs: Vec<(String, String)>,
) -> Response {
    let session = match current_session(sso, headers).await {
        Ok(s) => s,
        Err(e) => return error_page(lang, &e),
    };
    match oidc::authorize(sso, &p, session.as_ref()).await {
        Ok(Authorize::Redirect(to)) => no_store(see_other(&to)),
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
            see_other(&format!("/sso/signin?return_to={}", urlencode(&back)))
        }
        Ok(Authorize::Refuse(why)) => {
            let paragraphs = vec![say(lang, why), say(lang, M::GoBackToService)];
            message(lang, StatusCode::BAD_REQUEST, M::SignInRequestUnusable, paragraphs, vec![])
        }
        Err(e) => error_page(lang, &e),
    }
}
