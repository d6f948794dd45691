//! Which language a page is shown in, and the switch in every page's
//! header that changes it.
//!
//! Owns the language cookie (`__Host-tims_lang`: a year, `SameSite=Lax`,
//! Secure like every cookie of tims, shared by both parts on one host), the
//! choice between it, a sign-in's hint ([`HINT_COOKIE`]: the language the
//! service that sent the person asked for) and the browser's
//! `Accept-Language`, the switch's
//! route (`GET /language?lang=sw&back=/vehicles?after=x`: sets the cookie
//! and sends the person back to the page they were on, one redirect, never
//! to another site) and the switch's links. The page being answered is
//! remembered for the links by [`remember_page`], a middleware around both
//! parts. It must not know a part's accounts: a part that keeps a signed-in
//! person's language reads [`chosen_lang`] when it reads their session.

use axum::extract::{Query, Request};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use texts::{Lang, SwitchText, Text as _};

/// The cookie a person's chosen language is kept in.
pub const LANG_COOKIE: &str = "__Host-tims_lang";

/// Where the switch's links lead.
pub const SWITCH_PATH: &str = "/language";

/// A chosen language is remembered for a year.
const YEAR_SECS: i64 = 365 * 24 * 60 * 60;

/// The longest address a person is sent back to; a longer one goes home.
const MAX_BACK: usize = 2048;

tokio::task_local! {
    /// The page being answered, for the switch's links (see [`remember_page`]).
    static PAGE: Option<String>;
}

/// The language a person chose on this browser, if their cookie holds one
/// tims speaks (any other value is ignored).
pub fn chosen_lang(headers: &HeaderMap) -> Option<Lang> {
    cookies::get(headers, LANG_COOKIE).as_deref().and_then(Lang::from_tag)
}

/// The language of a page request: the person's choice, else the one the
/// service that sent them to sign in asked for (see [`HINT_COOKIE`]), else
/// the one their browser asks for, else English.
pub fn page_lang(headers: &HeaderMap) -> Lang {
    let accept = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
    chosen_lang(headers)
        .or_else(|| hinted_lang(headers))
        .unwrap_or_else(|| accept.map_or(Lang::En, Lang::from_accept_language))
}

/// The cookie that keeps, while a person signs in, the language the
/// service that sent them asked for (OpenID Connect's `ui_locales`), so
/// that the sign-in's pages speak it. Never a choice of the person's: it
/// gives way to [`LANG_COOKIE`], is not stored with their account, and
/// lasts the sign-in (an hour at most).
pub const HINT_COOKIE: &str = "__Host-tims_lang_hint";

/// How long a sign-in's language hint is kept.
const HINT_SECS: i64 = 60 * 60;

fn hinted_lang(headers: &HeaderMap) -> Option<Lang> {
    cookies::get(headers, HINT_COOKIE).as_deref().and_then(Lang::from_tag)
}

/// The `Set-Cookie` value that keeps `lang` as a sign-in's hint, or
/// forgets the hint (`None`, once the sign-in is over).
pub fn hint_lang(lang: Option<Lang>) -> HeaderValue {
    match lang {
        Some(lang) => cookies::set(HINT_COOKIE, lang.tag(), cookies::SameSite::Lax, Some(HINT_SECS)),
        None => cookies::set(HINT_COOKIE, "", cookies::SameSite::Lax, Some(0)),
    }
}

/// Whether the request carries a sign-in's language hint.
pub fn has_hint(headers: &HeaderMap) -> bool {
    cookies::get(headers, HINT_COOKIE).is_some()
}

/// Middleware around both parts' pages: remembers the address of a page
/// asked for with GET (path and query), so that its language switch comes
/// back to it. An answer to a form (a POST) has no address to come back to
/// that shows the same page; its switch leads to the part's home.
pub async fn remember_page(req: Request, next: Next) -> Response {
    let here = (req.method() == Method::GET)
        .then(|| req.uri().path_and_query().map(|pq| pq.as_str().to_string()))
        .flatten()
        .filter(|h| is_local(h));
    PAGE.scope(here, next.run(req)).await
}

/// The switch of a page in `current`: a link to each other language,
/// named in its own language, coming back to the page (or to `home`, a
/// page's part's home, when the page has no address of its own).
#[derive(Debug, Clone)]
pub struct Switch {
    /// The switch's name for screen readers, in the page's language.
    pub label: String,
    pub links: Vec<SwitchLink>,
}

/// One language of a [`Switch`].
#[derive(Debug, Clone)]
pub struct SwitchLink {
    pub href: String,
    /// Its BCP 47 tag, for the link's `lang` and `hreflang`.
    pub tag: &'static str,
    /// Its name in itself: "Kiswahili", "English".
    pub name: &'static str,
    /// What it does, in its own language.
    pub title: String,
}

/// The switch of the page being answered (see [`Switch`]); `current` by
/// value or reference, as a template holds it.
pub fn switch(current: impl std::borrow::Borrow<Lang>, home: &str) -> Switch {
    let current = *current.borrow();
    let back = PAGE.try_with(Clone::clone).ok().flatten().unwrap_or_else(|| home.to_string());
    let links = Lang::ALL
        .into_iter()
        .filter(|l| *l != current)
        .map(|l| SwitchLink {
            href: switch_href(l, &back),
            tag: l.tag(),
            name: l.name(),
            title: SwitchText::ShowIn.render(l),
        })
        .collect();
    Switch { label: SwitchText::Label.render(current), links }
}

/// The switch's address for `lang`, coming back to `back`.
pub fn switch_href(lang: Lang, back: &str) -> String {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("lang", lang.tag())
        .append_pair("back", back)
        .finish();
    format!("{SWITCH_PATH}?{query}")
}

/// What the switch's link sends.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct SwitchQuery {
    lang: Option<String>,
    back: Option<String>,
}

/// `GET /language`: remember the language asked for (a year) and go back
/// to the page, on this site only. A language tims does not speak changes
/// nothing; nor does a link followed from another site (`Sec-Fetch-Site:
/// cross-site`), so no other site can choose a person's language for them.
pub async fn switch_language(headers: HeaderMap, Query(q): Query<SwitchQuery>) -> Response {
    let back = q.back.filter(|b| is_local(b)).unwrap_or_else(|| "/".to_string());
    let location = HeaderValue::from_str(&back).unwrap_or_else(|_| HeaderValue::from_static("/"));
    let mut resp = (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response();
    let from_elsewhere = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|s| s.eq_ignore_ascii_case("cross-site") || s.eq_ignore_ascii_case("same-site"));
    if let Some(lang) = q.lang.as_deref().and_then(Lang::from_tag)
        && !from_elsewhere
    {
        let cookie = cookies::set(LANG_COOKIE, lang.tag(), cookies::SameSite::Lax, Some(YEAR_SECS));
        resp.headers_mut().append(header::SET_COOKIE, cookie);
    }
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// Whether `back` is an address on this site: a path (`/…`), not `//host`
/// or `/\host` (which browsers read as another site), with no control
/// characters or backslashes, and not too long.
pub fn is_local(back: &str) -> bool {
    back.starts_with('/')
        && !back.starts_with("//")
        && back.len() <= MAX_BACK
        && !back.bytes().any(|b| b == b'\\' || b.is_ascii_control() || !b.is_ascii())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn only_addresses_on_this_site_are_gone_back_to() {
        for ok in ["/", "/vehicles?after=x&limit=5", "/sso/preferences", "/transfers/t1#timeline"] {
            assert!(is_local(ok), "{ok}");
        }
        for bad in
            ["https://evil.example/", "//evil.example/", "/\\evil.example", "evil", "", "/a\nb", "/\u{e9}", "\\\\x"]
        {
            assert!(!is_local(bad), "{bad:?}");
        }
        assert!(!is_local(&format!("/{}", "a".repeat(MAX_BACK))));
    }

    #[test]
    fn the_chosen_language_wins_and_an_unknown_one_is_ignored() {
        let headers = |cookie: &str, accept: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::COOKIE, HeaderValue::from_str(cookie).unwrap());
            h.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_str(accept).unwrap());
            h
        };
        assert_eq!(page_lang(&headers("__Host-tims_lang=sw", "en")), Lang::Sw);
        assert_eq!(page_lang(&headers("__Host-tims_lang=en", "sw-KE")), Lang::En);
        assert_eq!(page_lang(&headers("__Host-tims_lang=fr", "sw-KE")), Lang::Sw);
        assert_eq!(chosen_lang(&headers("__Host-tims_lang=fr", "sw-KE")), None);
        assert_eq!(page_lang(&headers("other=1", "fr")), Lang::En);
        assert_eq!(page_lang(&HeaderMap::new()), Lang::En);
    }

    #[test]
    fn a_sign_ins_hint_comes_after_the_choice_and_before_the_browser() {
        let headers = |cookie: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::COOKIE, HeaderValue::from_str(cookie).unwrap());
            h.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static("en"));
            h
        };
        assert_eq!(page_lang(&headers("__Host-tims_lang_hint=sw")), Lang::Sw);
        assert_eq!(page_lang(&headers("__Host-tims_lang=en; __Host-tims_lang_hint=sw")), Lang::En);
        assert_eq!(chosen_lang(&headers("__Host-tims_lang_hint=sw")), None, "a hint is not a choice");
        assert!(hint_lang(Some(Lang::Sw)).to_str().unwrap().starts_with("__Host-tims_lang_hint=sw;"));
        assert!(hint_lang(None).to_str().unwrap().contains("Max-Age=0"));
    }

    #[tokio::test]
    async fn the_switch_comes_back_to_the_page_being_answered() {
        let off = switch(Lang::En, "/sso/");
        assert_eq!(off.links[0].href, "/language?lang=sw&back=%2Fsso%2F", "outside a request: the part's home");
        let on = PAGE.scope(Some("/vehicles?after=a&b=1".into()), async { switch(Lang::Sw, "/") }).await;
        assert_eq!(on.label, "Lugha");
        assert_eq!(on.links.len(), 1);
        let l = &on.links[0];
        assert_eq!((l.tag, l.name), ("en", "English"));
        assert_eq!(l.href, "/language?lang=en&back=%2Fvehicles%3Fafter%3Da%26b%3D1");
        assert_eq!(l.title, "Show this page in English");
    }
}
