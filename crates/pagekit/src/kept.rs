//! Post/redirect/get for a part's forms, and the answers of a journey kept
//! between its pages.
//!
//! A form's answer is always a redirect (303), so a refresh never sends it
//! again: to the next page when it is taken, or back to its own page when
//! it is refused ([`KeptForms::back`]), with what was typed and the errors
//! kept for that one view in a short-lived cookie that the page reads and
//! forgets ([`KeptForms::take`]). Codes and other secrets are never kept:
//! the caller leaves them out of the values. A journey of several questions
//! keeps its answers so far in a cookie of its own ([`Answers`]) until the
//! step that commits them; every answer is checked again there, so a cookie
//! changed by hand can only be refused.
//!
//! It owns the cookies' encoding and limits; a part names its cookies
//! (`KeptForms { cookie }`, `Answers { name }`) and knows its journeys.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cookies::SameSite;
use serde::{Deserialize, Serialize, de::DeserializeOwned};

/// Where a part's refused forms wait for their pages: the cookie's name
/// (`__Host-…`, one per part).
#[derive(Debug, Clone, Copy)]
pub struct KeptForms {
    pub cookie: &'static str,
}

/// How long a refused form's values wait for the page they return to.
const KEPT_SECONDS: i64 = 120;

/// A value longer than this is cut (the longest field, a reason, is 500).
const MAX_VALUE_CHARS: usize = 600;

/// A cookie larger than this is refused by some browsers: the values are
/// left out (the errors still show) rather than lose the whole answer.
const MAX_COOKIE_BYTES: usize = 3800;

/// What a refused form left for its page: what was typed, and the errors
/// as (field id, message), the field id empty for the whole form.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Kept {
    path: String,
    values: Vec<(String, String)>,
    errors: Vec<(String, String)>,
}

impl Kept {
    /// What was typed in `name` (empty when nothing was kept).
    pub fn value(&self, name: &str) -> &str {
        self.values.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }

    /// The errors, for the page's summary.
    pub fn errors(&self) -> &[(String, String)] {
        &self.errors
    }

    /// The error of the field `id`, for beside it (empty for none).
    pub fn error(&self, id: &str) -> String {
        self.errors.iter().find(|(k, _)| k == id).map(|(_, m)| m.clone()).unwrap_or_default()
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }
}

impl KeptForms {
    /// The answer to a refused form: back to its page at `path`, with its
    /// errors and the values typed (leave out codes and passwords).
    pub fn back(&self, path: &str, values: &[(&str, &str)], errors: Vec<(String, String)>) -> Response {
        let cut = |v: &str| v.chars().take(MAX_VALUE_CHARS).collect::<String>();
        let mut kept = Kept {
            path: path.to_string(),
            values: values.iter().map(|(k, v)| (k.to_string(), cut(v))).collect(),
            errors,
        };
        let mut value = encode(&kept);
        if value.len() > MAX_COOKIE_BYTES {
            kept.values.clear();
            value = encode(&kept);
        }
        let cookie = cookies::set(self.cookie, &value, SameSite::Strict, Some(KEPT_SECONDS));
        see_other(path, [cookie])
    }

    /// What a refused form left for the page at `path` (nothing when it was
    /// left for another page), and the cookie that forgets it.
    pub fn take(&self, headers: &HeaderMap, path: &str) -> (Kept, Option<HeaderValue>) {
        let Some(raw) = cookies::get(headers, self.cookie).filter(|v| !v.is_empty()) else {
            return (Kept::default(), None);
        };
        let forget = Some(cookies::set(self.cookie, "", SameSite::Strict, Some(0)));
        match decode::<Kept>(&raw) {
            Some(k) if k.path == path => (k, forget),
            _ => (Kept::default(), forget),
        }
    }
}

/// A redirect to `to` (a path of ours) that sets `cookies`.
pub fn see_other(to: &str, cookies: impl IntoIterator<Item = HeaderValue>) -> Response {
    let mut resp = StatusCode::SEE_OTHER.into_response();
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(to) {
        h.insert(header::LOCATION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    for c in cookies {
        h.append(header::SET_COOKIE, c);
    }
    resp
}

/// A journey's answers so far, kept in the cookie `name` until it ends
/// with the browser or the journey does.
pub struct Answers {
    pub name: &'static str,
}

impl Answers {
    /// The answers kept, or the journey's defaults.
    pub fn read<T: DeserializeOwned + Default>(&self, headers: &HeaderMap) -> T {
        cookies::get(headers, self.name).and_then(|v| decode(&v)).unwrap_or_default()
    }

    /// The cookie that keeps `answers`.
    pub fn keep<T: Serialize>(&self, answers: &T) -> HeaderValue {
        cookies::set(self.name, &encode(answers), SameSite::Strict, None)
    }

    /// The cookie that forgets them, once the journey is done.
    pub fn forget(&self) -> HeaderValue {
        cookies::set(self.name, "", SameSite::Strict, Some(0))
    }
}

fn encode<T: Serialize>(v: &T) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap_or_default())
}

fn decode<T: DeserializeOwned>(raw: &str) -> Option<T> {
    if raw.len() > MAX_COOKIE_BYTES * 2 {
        return None;
    }
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(raw).ok()?).ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const FORMS: KeptForms = KeptForms { cookie: "__Host-t_kept" };

    fn headers_with(cookie: &HeaderValue) -> HeaderMap {
        let pair = cookie.to_str().unwrap().split(';').next().unwrap().to_string();
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_str(&pair).unwrap());
        h
    }

    #[test]
    fn a_refused_form_comes_back_to_its_page_once_with_its_values_and_errors() {
        let errors = vec![("postal_address".to_string(), "Enter the postal address".to_string())];
        let resp = FORMS.back("/transfers/t1/answer/address", &[("postal_address", "P.O. Box 1")], errors);
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        assert_eq!(resp.headers()[header::LOCATION], "/transfers/t1/answer/address");
        let h = headers_with(&resp.headers()[header::SET_COOKIE]);
        let (kept, forget) = FORMS.take(&h, "/transfers/t1/answer/address");
        assert_eq!(kept.value("postal_address"), "P.O. Box 1");
        assert_eq!(kept.error("postal_address"), "Enter the postal address");
        assert_eq!(kept.value("other"), "");
        assert!(forget.unwrap().to_str().unwrap().contains("Max-Age=0"));
        // Left for another page, it shows nowhere else, and is forgotten.
        let (elsewhere, forget) = FORMS.take(&h, "/transfers/t2/answer/address");
        assert!(elsewhere.is_empty() && elsewhere.value("postal_address").is_empty() && forget.is_some());
    }

    #[test]
    fn a_huge_answer_keeps_its_errors_and_a_forged_cookie_reads_as_nothing() {
        let long = "x".repeat(5000);
        let values: Vec<(String, String)> = (0..10).map(|i| (format!("f{i}"), long.clone())).collect();
        let refs: Vec<(&str, &str)> = values.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let resp = FORMS.back("/p", &refs, vec![("f1".into(), "Too long".into())]);
        let cookie = &resp.headers()[header::SET_COOKIE];
        assert!(cookie.len() < MAX_COOKIE_BYTES + 200, "{}", cookie.len());
        let (kept, _) = FORMS.take(&headers_with(cookie), "/p");
        assert_eq!((kept.error("f1").as_str(), kept.value("f1")), ("Too long", ""));
        let mut forged = HeaderMap::new();
        forged.insert(header::COOKIE, HeaderValue::from_static("__Host-t_kept=%%%not-base64"));
        assert!(FORMS.take(&forged, "/p").0.is_empty());
    }

    #[test]
    fn a_journeys_answers_are_kept_until_forgotten() {
        #[derive(Default, Serialize, Deserialize, PartialEq, Debug)]
        struct Sale {
            reg_no: String,
        }
        let jar = Answers { name: "__Host-tims_reg_test" };
        let h = headers_with(&jar.keep(&Sale { reg_no: "KDA 001A".into() }));
        assert_eq!(jar.read::<Sale>(&h), Sale { reg_no: "KDA 001A".into() });
        assert_eq!(jar.read::<Sale>(&HeaderMap::new()), Sale::default());
        assert!(jar.forget().to_str().unwrap().contains("Max-Age=0"));
    }
}
