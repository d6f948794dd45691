//! The registry's HTTP edge: the JSON API under `/api/v1` with its OpenAPI
//! document (`api`), and the server-rendered pages (`pages`). Both parse a
//! request, call one use case and render its answer; neither holds a rule
//! or writes a table. Nothing else in the registry imports this module.
//!
//! It also decides, in one place, the language a request is answered in
//! ([`lang`], [`API_LANG`]); the texts themselves come from the `texts`
//! catalogue.

pub mod api;
pub mod pages;

use axum::http::HeaderMap;
use texts::Lang;

/// The language a page request is answered in. English for everyone until
/// people choose theirs: the next issue reads their language cookie and
/// `Accept-Language` here (`Lang::choose`), and every page follows.
pub fn lang(headers: &HeaderMap) -> Lang {
    let _ = headers;
    Lang::En
}

/// The language of the API's problem bodies: English, the texts
/// integrators' clients match on today (an answer is made without its
/// request at hand, so it is decided here, not per request).
pub const API_LANG: Lang = Lang::En;
