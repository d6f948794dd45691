//! What the page kit's extractors ask of the registry: who is signed in
//! on this browser (or the sign-in page instead) and how a refused form is
//! answered ([`pagekit::FormPart`], implemented on [`Registry`]); and the
//! address a request came from. Handlers take `Signed<Registry>` for a
//! page and `SignedForm<Registry, F>` / `CsrfForm<Registry, F>` for a form.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use pagekit::{FormPart, Refused};
use texts::{Lang, Refusal, Text as _};

use super::frame::{csrf_refused, message_page, to_signin};
use super::{CSRF_COOKIE, SESSION_COOKIE};
use crate::http::lang;
use crate::signin::{self, Actor};
use crate::{Error, FieldErrors, Registry};

/// The double-submit check of every form (see the `cookies` crate).
pub const CSRF: cookies::Csrf = cookies::Csrf { cookie: CSRF_COOKIE };

/// The address a request came from, for the timeline.
pub struct Addr(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for Addr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(address(parts)))
    }
}

fn address(parts: &Parts) -> Option<String> {
    parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string())
}

/// The person signed in on this browser, if any, and their session token.
pub async fn current(
    reg: &Registry,
    headers: &HeaderMap,
    addr: Option<String>,
) -> Result<Option<(Actor, String)>, Error> {
    let Some(token) = cookies::get(headers, SESSION_COOKIE).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    Ok(signin::from_session(reg, &token, addr, lang(headers)).await?.map(|a| (a, token)))
}

/// The signed-in person, their session token and the language their pages
/// are in: what `Signed<Registry>` and `SignedForm<Registry, F>` give a
/// handler.
pub struct SignedIn {
    pub actor: Actor,
    pub token: String,
    pub lang: Lang,
}

impl FormPart for Registry {
    type Session = SignedIn;

    fn csrf(&self) -> cookies::Csrf {
        CSRF
    }

    /// Without a session, the sign-in page (to come back to
    /// [`come_back_to`]); an error page when the session could not be read
    /// (a database that does not answer is no reason to sign in again).
    async fn session(&self, parts: &Parts) -> Result<SignedIn, Response> {
        let lang = lang(&parts.headers);
        match current(self, &parts.headers, address(parts)).await {
            Ok(Some((actor, token))) => {
                crate::http::remember_lang(self, &parts.headers, &actor).await;
                Ok(SignedIn { actor, token, lang })
            }
            Ok(None) | Err(Error::Unauthenticated) => Err(to_signin(&come_back_to(&parts.method, &parts.uri))),
            Err(e) => Err(message_page(lang, None, e.status(), &e)),
        }
    }

    fn refused(&self, why: Refused) -> Response {
        refusal_page(lang(&HeaderMap::new()), why)
    }

    fn refused_to(&self, why: Refused, parts: &Parts) -> Response {
        refusal_page(lang(&parts.headers), why)
    }
}

/// The page answering a form refused before its handler ran.
fn refusal_page(lang: Lang, why: Refused) -> Response {
    match why {
        Refused::Csrf => csrf_refused(lang),
        Refused::Unreadable(why) => {
            tracing::info!(error = why, "a form could not be read");
            let e = FieldErrors::single("", Refusal::FormUnreadable.render(lang));
            message_page(lang, None, e.status(), &e)
        }
    }
}

/// Where to come back to after signing in: the page asked for, with its
/// query (an inquiry's registration number); from a form, the page it is
/// on (a transfer's step: the transfer's page; the choice of organisation:
/// home); from a transfer's scan, the transfers.
fn come_back_to(method: &Method, uri: &Uri) -> String {
    let path = uri.path();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (method == Method::POST, segments.as_slice()) {
        (false, ["transfers", _, "scan"]) => "/transfers".into(),
        (true, ["acting-for"]) => "/".into(),
        (true, ["transfers", id, _]) => format!("/transfers/{id}"),
        (false, _) => uri.path_and_query().map_or(path, |pq| pq.as_str()).to_string(),
        _ => path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn after_signing_in_a_form_comes_back_to_its_page() {
        let back = |m: Method, p: &str| come_back_to(&m, &p.parse().unwrap_or_default());
        assert_eq!(back(Method::GET, "/vehicles"), "/vehicles");
        assert_eq!(back(Method::GET, "/transfers/abc"), "/transfers/abc");
        assert_eq!(back(Method::GET, "/transfers/abc/scan"), "/transfers");
        assert_eq!(back(Method::POST, "/transfers/abc/submit"), "/transfers/abc");
        assert_eq!(back(Method::POST, "/transfers/new"), "/transfers/new");
        assert_eq!(back(Method::POST, "/acting-for"), "/");
        assert_eq!(
            back(Method::GET, "/inquiry?registration_number=KDA%20001A"),
            "/inquiry?registration_number=KDA%20001A"
        );
        assert_eq!(back(Method::POST, "/transfers/new?x=1"), "/transfers/new");
    }
}
