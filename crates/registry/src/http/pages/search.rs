//! A long list with a search box (my vehicles, an organisation's vehicles,
//! the transfers, the officers' queue): a GET form whose term the pager's
//! links keep, and rows that may carry an action (Sell). It knows no use
//! case: the lists' handlers fill it.

use askama::Template;
use texts::{HomeText as H, Text as _};

use super::frame::{Frame, Pager, error_lines, pager};
use crate::paging::{Page, PageRequest};

/// A row: the address its first cell links to, its cells, and an action
/// (address, text, the text's longer name for screen readers).
pub struct Row {
    pub link: String,
    pub cells: Vec<String>,
    pub action: Option<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "search_list.html")]
pub struct SearchList {
    pub frame: Frame,
    pub title: String,
    pub lead: Vec<String>,
    /// The list's own address (the form's action).
    pub path: String,
    pub label: String,
    pub q: String,
    pub q_error: String,
    /// Whose vehicles: (KRA PIN, name, chosen); empty for other lists.
    pub orgs: Vec<(String, String, bool)>,
    pub head: Vec<String>,
    pub rows: Vec<Row>,
    pub empty: String,
    pub pager: Pager,
}

impl SearchList {
    /// The list at `path` searched for `q` (as typed), with `extra` query
    /// pairs every link keeps (an organisation's KRA PIN).
    #[allow(clippy::too_many_arguments)]
    pub fn new<T>(
        frame: Frame,
        title: String,
        path: &str,
        extra: &[(&str, &str)],
        q: &str,
        req: &PageRequest,
        page: &Page<T>,
        empty: String,
    ) -> Self {
        let lang = frame.lang;
        let mut keep = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in extra.iter().filter(|(_, v)| !v.is_empty()) {
            keep.append_pair(k, v);
        }
        if !q.trim().is_empty() {
            keep.append_pair("q", q.trim());
        }
        let keep = keep.finish();
        let mut pager = pager(lang, path, req, page);
        if !keep.is_empty() {
            if !pager.next.is_empty() {
                pager.next = format!("{}&{keep}", pager.next);
            }
            if !pager.first.is_empty() {
                pager.first = format!("{path}?{keep}");
            }
        }
        let empty = if q.trim().is_empty() { empty } else { H::NoMatch { term: q.trim() }.render(lang) };
        Self {
            frame,
            title,
            lead: vec![],
            path: path.to_string(),
            label: H::SearchLabel.render(lang),
            q: q.to_string(),
            q_error: String::new(),
            orgs: vec![],
            head: vec![],
            rows: vec![],
            empty,
            pager,
        }
    }

    /// The list refused (a search too long): the form, its error beside
    /// the box and in the summary, and no rows.
    pub fn refused(mut self, e: &crate::Error) -> Self {
        let errors = error_lines(self.frame.lang, e);
        self.q_error = errors.iter().find(|(f, _)| f == "q").map(|(_, m)| m.clone()).unwrap_or_default();
        self.title = format!("{}{}", texts::Page::ErrorTitlePrefix.render(self.frame.lang), self.title);
        self.frame.errors = errors;
        self.empty = String::new();
        self
    }
}
