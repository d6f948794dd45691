//! The static files of every page (the stylesheet and the favicon), served
//! from URLs that change with their content, and the language switch's
//! route, merged with them into the frame's router.
//!
//! Owns the files' bytes, their hashed URLs and the routes that serve them
//! with a year's cache lifetime. It must not know which pages link them.

use std::sync::OnceLock;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::get;

use crate::language::{SWITCH_PATH, switch_language};

/// The stylesheet of every page.
pub const STYLESHEET: &str = include_str!("../static/tims.css");

/// The favicon of every page: a small SVG of our own.
pub const FAVICON: &str = include_str!("../static/favicon.svg");

/// `/static/<name>-<hash>.<ext>`, the hash being the first 16 hex digits
/// of the content's SHA-256, so that changed content is a new URL and the
/// old one can be cached for a year.
fn hashed(name: &str, ext: &str, content: &str) -> String {
    format!("/static/{name}-{}.{ext}", &secure::sha256_hex(content.as_bytes())[..16])
}

/// Where pages link the stylesheet: `/static/tims-<hash>.css`.
pub fn stylesheet_href() -> &'static str {
    static HREF: OnceLock<String> = OnceLock::new();
    HREF.get_or_init(|| hashed("tims", "css", STYLESHEET))
}

/// Where pages link the favicon: `/static/tims-<hash>.svg`.
pub fn favicon_href() -> &'static str {
    static HREF: OnceLock<String> = OnceLock::new();
    HREF.get_or_init(|| hashed("tims", "svg", FAVICON))
}

/// The routes serving the static files and the language switch, to merge
/// into the frame's router (once, for both parts).
pub fn static_router() -> Router {
    Router::new()
        .route(stylesheet_href(), get(|| async { cached("text/css; charset=utf-8", STYLESHEET) }))
        .route(favicon_href(), get(|| async { cached("image/svg+xml", FAVICON) }))
        .route(SWITCH_PATH, get(switch_language))
}

fn cached(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable")),
        ],
        body,
    )
}
