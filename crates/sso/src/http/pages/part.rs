//! How the sign-on plugs into the page kit: its forms are checked by
//! `pagekit::SignedForm` and `pagekit::CsrfForm` (the CSRF token, then the
//! signed-in person), and every page learns its language here (see
//! [`lang_of`]). It owns the
//! answers to a refused form and where a person signed out on the way comes
//! back to; it knows no journey.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use pagekit::{FormPart, Refused};
use texts::Lang;

use super::{csrf_refused, signed_in_or_redirect, unreadable_form};
use crate::Sso;
use crate::accounts::Account;
use crate::http::browser::CSRF;
use crate::sessions::Session;

/// The language of the request's pages: the one the person chose with the
/// switch in every page's header (its cookie, shared with the registry's
/// pages on one host), else the one their browser asks for, else English.
/// A signed-in person's choice is also kept on their account (see
/// `browser::signed_in`), so that the sign-on's SMS follow it.
pub(crate) fn lang_of(headers: &HeaderMap) -> Lang {
    pagekit::page_lang(headers)
}

/// The language a page is shown in, as a handler's argument.
#[derive(Debug, Clone, Copy)]
pub struct PageLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for PageLang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(Self(lang_of(&parts.headers)))
    }
}

/// Where a person sent to sign in by a form comes back to: the page of a
/// form posted to its own address, else the account.
fn back_after_sign_in(path: &str) -> &str {
    match path {
        "/sso/preferences" | "/sso/organisations" => path,
        _ => "/sso/",
    }
}

impl FormPart for Sso {
    type Session = (Session, Account);

    fn csrf(&self) -> cookies::Csrf {
        CSRF
    }

    async fn session(&self, parts: &Parts) -> Result<Self::Session, Response> {
        let back = back_after_sign_in(parts.uri.path());
        signed_in_or_redirect(self, lang_of(&parts.headers), &parts.headers, back).await
    }

    fn refused(&self, why: Refused) -> Response {
        refused_page(self, why, &HeaderMap::new())
    }

    fn refused_to(&self, why: Refused, parts: &Parts) -> Response {
        refused_page(self, why, &parts.headers)
    }
}

/// The page answering a form refused before its handler ran.
fn refused_page(sso: &Sso, why: Refused, headers: &HeaderMap) -> Response {
    let lang = lang_of(headers);
    match why {
        Refused::Csrf => csrf_refused(sso, lang, headers),
        Refused::Unreadable(_) => unreadable_form(lang, StatusCode::BAD_REQUEST),
    }
}
