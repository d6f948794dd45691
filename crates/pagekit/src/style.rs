//! The one stylesheet, served from a URL that changes with its content.
//!
//! Owns the stylesheet's bytes, its hashed URL and the route that serves it
//! with a year's cache lifetime. It must not know which pages link it.

use std::sync::OnceLock;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::get;

/// The stylesheet of every page.
pub const STYLESHEET: &str = include_str!("../static/tims.css");

/// Where pages link the stylesheet: `/static/tims-<hash>.css`, the hash
/// being the first 16 hex digits of its SHA-256, so that a changed
/// stylesheet is a new URL and the old one can be cached for a year.
pub fn stylesheet_href() -> &'static str {
    static HREF: OnceLock<String> = OnceLock::new();
    HREF.get_or_init(|| format!("/static/tims-{}.css", &secure::sha256_hex(STYLESHEET.as_bytes())[..16]))
}

/// The route serving the stylesheet, to merge into the frame's router.
pub fn static_router() -> Router {
    Router::new().route(stylesheet_href(), get(stylesheet))
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable")),
        ],
        STYLESHEET,
    )
}
