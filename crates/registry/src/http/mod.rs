//! The registry's HTTP edge: the JSON API under `/api/v1` with its OpenAPI
//! document (`api`), and the server-rendered pages (`pages`). Both parse a
//! request, call one use case and render its answer; neither holds a rule
//! or writes a table. Nothing else in the registry imports this module.
//!
//! It also decides, in one place, the language a request is answered in
//! ([`lang`], [`API_LANG`]) and keeps a signed-in person's choice
//! ([`remember_lang`]); the texts themselves come from the `texts`
//! catalogue.

pub mod api;
pub mod gateway;
pub mod pages;

use axum::http::HeaderMap;
use texts::Lang;

use crate::signin::Actor;
use crate::{Registry, parties};

/// The language a page request is answered in: the one the person chose
/// with the switch in every page's header (its cookie), else the one their
/// browser asks for, else English (see `pagekit::page_lang`).
pub fn lang(headers: &HeaderMap) -> Lang {
    pagekit::page_lang(headers)
}

/// Keep the language a signed-in person chose on this browser as their
/// party's, so that the registry's SMS to them follow it. Called as their
/// session is read for a page: the switch sets the cookie, and the page it
/// comes back to stores it. A failed write is logged, never shown: the page
/// is still answered in the chosen language.
pub async fn remember_lang(reg: &Registry, headers: &HeaderMap, actor: &Actor) {
    let Some(chosen) = pagekit::chosen_lang(headers) else { return };
    if actor.person.lang == Some(chosen) {
        return;
    }
    if let Err(e) = parties::set_lang(reg, &actor.person.id, chosen).await {
        tracing::warn!(error = %e, "a person's chosen language was not kept");
    }
}

/// The language of the API's problem bodies: English, the texts
/// integrators' clients match on today (an answer is made without its
/// request at hand, so it is decided here, not per request).
pub const API_LANG: Lang = Lang::En;
