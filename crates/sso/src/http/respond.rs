//! The small answers every handler gives: a redirect, cookies set, no
//! caching, a wait. It knows no page and no use case.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};

/// Only paths inside the sign-on are followed after sign-in.
pub(super) fn safe_return(raw: Option<&String>) -> String {
    match raw {
        Some(r)
            if r.starts_with("/sso/") && !r.contains("//") && r.bytes().all(|b| b.is_ascii_graphic() && b != b'\\') =>
        {
            r.clone()
        }
        _ => "/sso/".to_string(),
    }
}

pub(super) fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

pub(super) fn with_cookies(mut resp: Response, cookies: impl IntoIterator<Item = HeaderValue>) -> Response {
    for c in cookies {
        resp.headers_mut().append(header::SET_COOKIE, c);
    }
    resp
}

pub(super) fn no_store(mut resp: Response) -> Response {
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

pub(super) fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

pub(super) fn retry_after(mut resp: Response, secs: u64) -> Response {
    resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
    resp
}
