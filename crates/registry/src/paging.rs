//! Lists that run to many pages (a dealer's or a bank's vehicles, their
//! transfers, the officers' queue): a limit, and a cursor naming where the
//! last page ended. Pages are found by key, not by offset, so a deep page
//! costs what the first does, and an item added meanwhile neither repeats
//! another nor hides it. It knows no table and no HTTP type: the use cases
//! read their pages, and the edges turn cursors into links.

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde::Serialize;
use texts::{Lang, Refusal, Text as _};

use crate::{Error, FieldErrors, parties};

/// Items on a page unless the client asks for another number.
pub const DEFAULT_LIMIT: usize = 50;
/// The most items a page holds.
pub const MAX_LIMIT: usize = 200;

/// Which page: `after` (a cursor from the previous page's `next`) and how
/// many items.
#[derive(Debug, Clone)]
pub struct PageRequest {
    after: Option<String>,
    pub limit: usize,
}

/// One page of a list, and the cursor of the next (`None` on the last).
#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

impl PageRequest {
    /// From a query string's `after` and `limit`, naming the field refused.
    pub fn from_query(q: &HashMap<String, String>) -> Result<Self, Error> {
        Self::parse(q.get("after").map(String::as_str), q.get("limit").map(String::as_str))
    }

    /// The page asked for by `after` and `limit` as sent.
    pub fn parse(after: Option<&str>, limit: Option<&str>) -> Result<Self, Error> {
        let mut errors = FieldErrors::new();
        let limit = match limit.map(str::trim).filter(|l| !l.is_empty()) {
            None => DEFAULT_LIMIT,
            Some(l) => match l.parse::<usize>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
                _ => {
                    errors.add("limit", Refusal::LimitOutOfRange { max: MAX_LIMIT }.render(LANG));
                    DEFAULT_LIMIT
                }
            },
        };
        let after = after.filter(|a| !a.is_empty()).map(str::to_string);
        if after.as_ref().is_some_and(|a| a.len() > 512 || B64.decode(a).is_err()) {
            errors.add("after", Refusal::BadCursor.render(LANG));
        }
        errors.into_result()?;
        Ok(Self { after, limit })
    }

    /// Whether this is the first page.
    pub fn is_first(&self) -> bool {
        self.after.is_none()
    }

    /// The first page with this limit.
    pub fn first(limit: usize) -> Self {
        Self { after: None, limit: limit.clamp(1, MAX_LIMIT) }
    }

    /// The key the previous page of the list named `list` ended at, in `N`
    /// parts; `None` on the first page. A cursor another list gave is
    /// refused, naming `after`.
    pub fn after<const N: usize>(&self, list: &str) -> Result<Option<[String; N]>, Error> {
        let Some(a) = &self.after else { return Ok(None) };
        let text = B64.decode(a).ok().and_then(|b| String::from_utf8(b).ok()).ok_or_else(bad_cursor)?;
        let mut parts = text.split('\n').map(str::to_string);
        if parts.next().as_deref() != Some(list) {
            return Err(bad_cursor());
        }
        let parts: Vec<String> = parts.collect();
        parts.try_into().map(Some).map_err(|_| bad_cursor())
    }

    /// How many rows to ask for: one more than the page, to know whether
    /// another follows.
    pub fn fetch(&self) -> i64 {
        self.limit as i64 + 1
    }

    /// The page of the list named `list` from up to [`fetch`](Self::fetch)
    /// items, in order; `key` gives an item's sort key, of which the cursor
    /// is made.
    pub fn page<T, const N: usize>(&self, list: &str, mut items: Vec<T>, key: impl Fn(&T) -> [String; N]) -> Page<T> {
        let next = if items.len() > self.limit {
            items.truncate(self.limit);
            items.last().map(|last| cursor(list, &key(last)))
        } else {
            None
        };
        Page { items, next }
    }
}

/// A cursor: the list's name and an item's sort key, joined, in URL-safe
/// base64 (a client keeps it as it is; nothing in it is secret).
fn cursor(list: &str, key: &[String]) -> String {
    let mut parts = vec![list.to_string()];
    parts.extend_from_slice(key);
    B64.encode(parts.join("\n"))
}

/// The language of a page request's refusals: a query does not yet say
/// whose language it is read in.
const LANG: Lang = parties::NO_PARTY_LANG;

/// The error for a cursor this list did not give (its key does not parse).
pub fn bad_cursor() -> Error {
    FieldErrors::single("after", Refusal::BadCursor.render(LANG))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn refused_field(r: Result<PageRequest, Error>) -> String {
        match r {
            Err(Error::Invalid(f)) => f.0.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>().join(","),
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn limits_default_and_are_bounded() {
        assert_eq!(PageRequest::from_query(&query(&[])).unwrap().limit, DEFAULT_LIMIT);
        assert_eq!(PageRequest::from_query(&query(&[("limit", "7")])).unwrap().limit, 7);
        for bad in ["0", "201", "-1", "ten", "1.5"] {
            assert_eq!(refused_field(PageRequest::from_query(&query(&[("limit", bad)]))), "limit", "{bad}");
        }
        assert_eq!(PageRequest::first(1_000).limit, MAX_LIMIT);
    }

    #[test]
    fn a_page_ends_with_the_cursor_of_its_last_item() {
        let req = PageRequest::first(2);
        let key = |n: &i64| [n.to_string(), format!("id{n}")];
        let p = req.page("numbers", vec![1, 2, 3], key);
        assert_eq!(p.items, vec![1, 2]);
        let next = p.next.unwrap();
        let req = PageRequest::from_query(&query(&[("after", &next), ("limit", "2")])).unwrap();
        assert_eq!(req.after::<2>("numbers").unwrap(), Some(["2".to_string(), "id2".to_string()]));
        assert!(matches!(req.after::<2>("letters"), Err(Error::Invalid(_))), "another list's cursor");
        assert_eq!(req.page("numbers", vec![3], key).next, None, "the last page has no next");
        assert_eq!(PageRequest::first(2).after::<2>("numbers").unwrap(), None);
    }

    #[test]
    fn a_cursor_from_elsewhere_is_refused_naming_after() {
        assert_eq!(refused_field(PageRequest::from_query(&query(&[("after", "not base64!")]))), "after");
        let one_part =
            PageRequest::from_query(&query(&[("after", &cursor("vehicles", &["KAA 001A".into()]))])).unwrap();
        assert!(matches!(one_part.after::<2>("vehicles"), Err(Error::Invalid(_))));
        assert_eq!(one_part.after::<1>("vehicles").unwrap(), Some(["KAA 001A".to_string()]));
    }
}
