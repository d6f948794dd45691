//! Post/redirect/get for every form of the registry's pages, and the
//! answers of a journey kept between its pages: the page kit's
//! (`pagekit::kept`), with the registry's own cookie.
//!
//! A form's answer is always a redirect (303), so a refresh never sends it
//! again: to the next page when it is taken, or back to its own page when
//! it is refused ([`back`]), with what was typed and the errors kept for
//! that one view in a short-lived cookie that the page reads and forgets
//! ([`take`]). Codes and other secrets are never kept. A journey of
//! several questions (selling a vehicle, answering a transfer) keeps its
//! answers so far in a cookie of its own ([`Answers`]).
//!
//! It owns the name of the registry's cookie; it knows no journey.

use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
pub use pagekit::{Answers, Kept, see_other};

/// Where a refused form's values and errors wait for one view.
const KEPT: pagekit::KeptForms = pagekit::KeptForms { cookie: "__Host-tims_reg_kept" };

/// The answer to a refused form: back to its page at `path`, with its
/// errors and the values typed (leave out codes and passwords).
pub fn back(path: &str, values: &[(&str, &str)], errors: Vec<(String, String)>) -> Response {
    KEPT.back(path, values, errors)
}

/// What a refused form left for the page at `path` (nothing when it was
/// left for another page), and the cookie that forgets it.
pub fn take(headers: &HeaderMap, path: &str) -> (Kept, Option<HeaderValue>) {
    KEPT.take(headers, path)
}
