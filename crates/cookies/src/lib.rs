//! The cookies and the double-submit CSRF check that the sign-on's and the
//! registry's server-rendered pages share: one implementation of what keeps
//! a form from being submitted from another site.
//!
//! Every cookie is a `__Host-` cookie: Secure, `Path=/`, no `Domain`,
//! HttpOnly. A page's forms carry the CSRF token that is also in the
//! visitor's Strict cookie; a POST is accepted only when the two match,
//! compared in constant time.

use http::{HeaderMap, HeaderValue, header};
use subtle::ConstantTimeEq as _;

/// The value of the cookie `name` the request carries, if any.
pub fn get(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// How a cookie travels with requests from other sites.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    /// Also on a top-level navigation from another site (a relying party's
    /// redirect to the sign-on).
    Lax,
    /// Only with requests from the same site.
    Strict,
}

/// A `Set-Cookie` value: `__Host-` rules, HttpOnly; `max_age` in seconds
/// (`Some(0)` deletes it), `None` for a cookie that ends with the browser.
pub fn set(name: &str, value: &str, same_site: SameSite, max_age: Option<i64>) -> HeaderValue {
    let age = max_age.map(|a| format!("; Max-Age={a}")).unwrap_or_default();
    let same_site = match same_site {
        SameSite::Lax => "Lax",
        SameSite::Strict => "Strict",
    };
    HeaderValue::from_str(&format!("{name}={value}; Path=/; Secure; HttpOnly; SameSite={same_site}{age}"))
        .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// A 256-bit random token, URL-safe base64 (43 characters).
pub use secure::token;

/// The double-submit CSRF check, with the cookie it keeps its token in.
#[derive(Debug, Clone, Copy)]
pub struct Csrf {
    pub cookie: &'static str,
}

impl Csrf {
    /// The token to put in a page's forms: the visitor's own if their cookie
    /// holds a sound one, else a new one with the cookie to set.
    pub fn token_for(&self, headers: &HeaderMap) -> (String, Option<HeaderValue>) {
        match get(headers, self.cookie).filter(|v| v.len() == 43) {
            Some(v) => (v, None),
            None => {
                let t = token();
                let c = set(self.cookie, &t, SameSite::Strict, None);
                (t, Some(c))
            }
        }
    }

    /// Whether a form's `sent` token matches the visitor's cookie.
    pub fn check(&self, headers: &HeaderMap, sent: Option<&str>) -> bool {
        match (get(headers, self.cookie), sent) {
            (Some(c), Some(f)) => !c.is_empty() && bool::from(c.as_bytes().ct_eq(f.as_bytes())),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSRF: Csrf = Csrf { cookie: "__Host-t_csrf" };

    fn with_cookie(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_str(v).unwrap_or_else(|_| HeaderValue::from_static("")));
        h
    }

    #[test]
    fn a_cookie_is_found_among_others() {
        let h = with_cookie("a=1; __Host-t_csrf=xyz;b=2");
        assert_eq!(get(&h, "__Host-t_csrf").as_deref(), Some("xyz"));
        assert_eq!(get(&h, "c"), None);
    }

    #[test]
    fn set_cookies_follow_the_host_prefix_rules() {
        let c = set("__Host-s", "v", SameSite::Lax, Some(0));
        assert_eq!(c.to_str().ok(), Some("__Host-s=v; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0"));
    }

    #[test]
    fn a_form_passes_only_with_the_token_of_its_cookie() {
        let (t, set_it) = CSRF.token_for(&HeaderMap::new());
        assert_eq!(t.len(), 43);
        assert!(set_it.is_some_and(|c| c.to_str().is_ok_and(|c| c.contains("SameSite=Strict"))));
        let h = with_cookie(&format!("__Host-t_csrf={t}"));
        assert_eq!(CSRF.token_for(&h), (t.clone(), None), "a sound cookie is kept");
        assert!(CSRF.check(&h, Some(&t)));
        assert!(!CSRF.check(&h, Some("another")));
        assert!(!CSRF.check(&h, None));
        assert!(!CSRF.check(&HeaderMap::new(), Some(&t)));
        assert!(!CSRF.check(&with_cookie("__Host-t_csrf="), Some("")));
    }
}
