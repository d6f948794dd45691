//! The checks every page handler needs, as extractors: the address a
//! request came from, the signed-in person (or the sign-in page instead),
//! and typed forms whose CSRF token is checked against the browser's
//! cookie (double submit, see the `cookies` crate).

use std::net::SocketAddr;

use axum::Form;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use super::frame::{Shown, csrf_refused, message_page, to_signin};
use super::{CSRF_COOKIE, SESSION_COOKIE};
use crate::signin::{self, Actor};
use crate::{Error, Registry};

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
    Ok(signin::from_session(reg, &token, addr).await?.map(|a| (a, token)))
}

/// The signed-in person and their session token; without one, the sign-in
/// page (to come back to [`come_back_to`]) is shown instead, and an error
/// page when the session could not be read (a database that does not
/// answer is no reason to sign in again).
pub struct SignedIn {
    pub actor: Actor,
    pub token: String,
}

impl FromRequestParts<Registry> for SignedIn {
    type Rejection = Shown;

    async fn from_request_parts(parts: &mut Parts, reg: &Registry) -> Result<Self, Shown> {
        match current(reg, &parts.headers, address(parts)).await {
            Ok(Some((actor, token))) => Ok(Self { actor, token }),
            Ok(None) | Err(Error::Unauthenticated) => {
                Err(to_signin(&come_back_to(&parts.method, parts.uri.path())).into())
            }
            Err(e) => Err(message_page(None, e.status(), &e).into()),
        }
    }
}

/// Where to come back to after signing in: the page asked for; from a
/// form, the page it is on (a transfer's step: the transfer's page; the
/// choice of organisation: home); from a transfer's scan, the transfers.
fn come_back_to(method: &Method, path: &str) -> String {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (method == Method::POST, segments.as_slice()) {
        (false, ["transfers", _, "scan"]) => "/transfers".into(),
        (true, ["acting-for"]) => "/".into(),
        (true, ["transfers", id, _]) => format!("/transfers/{id}"),
        _ => path.to_string(),
    }
}

/// A form's fields with its CSRF token.
#[derive(serde::Deserialize)]
struct WithCsrf<F> {
    csrf: Option<String>,
    #[serde(flatten)]
    form: F,
}

/// A urlencoded form of type `F` whose CSRF token matches the browser's;
/// otherwise the refusal page.
pub struct CsrfForm<F>(pub F);

impl<F: DeserializeOwned + Send, S: Send + Sync> FromRequest<S> for CsrfForm<F> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let headers = req.headers().clone();
        let Form(WithCsrf { csrf, form }) =
            Form::<WithCsrf<F>>::from_request(req, state).await.map_err(IntoResponse::into_response)?;
        if !CSRF.check(&headers, csrf.as_deref()) {
            return Err(csrf_refused());
        }
        Ok(Self(form))
    }
}

/// A form of type `F` sent by the signed-in person: read, its CSRF token
/// checked, then the session (see [`SignedIn`]).
pub struct SignedForm<F> {
    pub me: SignedIn,
    pub form: F,
}

impl<F: DeserializeOwned + Send> FromRequest<Registry> for SignedForm<F> {
    type Rejection = Response;

    async fn from_request(req: Request, reg: &Registry) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let CsrfForm(form) = CsrfForm::from_request(Request::from_parts(parts.clone(), body), reg).await?;
        let me = SignedIn::from_request_parts(&mut parts, reg).await.map_err(IntoResponse::into_response)?;
        Ok(Self { me, form })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn after_signing_in_a_form_comes_back_to_its_page() {
        let back = |m: Method, p: &str| come_back_to(&m, p);
        assert_eq!(back(Method::GET, "/vehicles"), "/vehicles");
        assert_eq!(back(Method::GET, "/transfers/abc"), "/transfers/abc");
        assert_eq!(back(Method::GET, "/transfers/abc/scan"), "/transfers");
        assert_eq!(back(Method::POST, "/transfers/abc/submit"), "/transfers/abc");
        assert_eq!(back(Method::POST, "/transfers/new"), "/transfers/new");
        assert_eq!(back(Method::POST, "/acting-for"), "/");
    }
}
