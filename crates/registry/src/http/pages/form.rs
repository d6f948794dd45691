//! The two shapes every journey's pages take: a question page (one
//! question, its field or choices with the error beside it, a button and
//! the way back: `question.html`) and a check-your-answers page (the
//! answers with their "Change" links and the button that commits:
//! `check.html`). A journey fills them; they know no journey.

use askama::Template;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;

use super::extract::{CSRF, SignedIn};
use super::frame::{Frame, render};
use super::kept::{self, Kept};

/// A form with nothing but its CSRF token: a confirmation.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Confirm {}

/// How a field is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// A six-digit SMS code: never shown again once typed.
    Code,
    Radios,
    Select,
    File,
    Area,
}

/// One field of a question page.
#[derive(Debug, Clone)]
pub struct Input {
    pub kind: Kind,
    pub name: &'static str,
    pub label: String,
    pub hint: String,
    pub value: String,
    pub error: String,
    /// The choices of radios or a select: (value, text).
    pub options: Vec<(String, String)>,
    pub autocomplete: &'static str,
}

impl Input {
    pub fn new(kind: Kind, name: &'static str, label: impl Into<String>) -> Self {
        Self {
            kind,
            name,
            label: label.into(),
            hint: String::new(),
            value: String::new(),
            error: String::new(),
            options: vec![],
            autocomplete: "",
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = hint.into();
        self
    }

    pub fn options(mut self, options: Vec<(String, String)>) -> Self {
        self.options = options;
        self
    }

    pub fn autocomplete(mut self, hint: &'static str) -> Self {
        self.autocomplete = hint;
        self
    }

    /// Its value and error from what a refused form kept, else `value`.
    pub fn filled(mut self, kept: &Kept, value: &str) -> Self {
        self.error = kept.error(self.name);
        let typed = kept.value(self.name);
        self.value = match self.kind {
            Kind::Code => String::new(),
            _ if kept.is_empty() => value.to_string(),
            _ => typed.to_string(),
        };
        self
    }

    pub fn is_radios(&self) -> bool {
        self.kind == Kind::Radios
    }

    pub fn is_select(&self) -> bool {
        self.kind == Kind::Select
    }

    pub fn is_file(&self) -> bool {
        self.kind == Kind::File
    }

    pub fn is_area(&self) -> bool {
        self.kind == Kind::Area
    }

    pub fn is_code(&self) -> bool {
        self.kind == Kind::Code
    }

    /// The id of the `n`th radio: the first is the field's name, where
    /// the error summary links.
    pub fn option_id(&self, n: &usize) -> String {
        if *n == 0 { self.name.to_string() } else { format!("{}-{n}", self.name) }
    }

    /// The ids of its hint and error, for `aria-describedby`.
    pub fn described_by(&self) -> String {
        let mut ids = vec![];
        if !self.hint.is_empty() {
            ids.push(format!("{}-hint", self.name));
        }
        if !self.error.is_empty() {
            ids.push(format!("{}-error", self.name));
        }
        ids.join(" ")
    }

    /// `aria-describedby` and `aria-invalid` as attributes (escaped: the
    /// ids are our own field names).
    pub fn aria(&self) -> String {
        let ids = self.described_by();
        let mut out = String::new();
        if !ids.is_empty() {
            out.push_str(&format!(" aria-describedby=\"{ids}\""));
        }
        if !self.error.is_empty() {
            out.push_str(" aria-invalid=\"true\"");
        }
        out
    }
}

/// What a question page shows.
#[derive(Debug, Default)]
pub struct Q {
    /// Above the heading: what the journey is about ("Sell KDA 001A").
    pub caption: String,
    pub title: String,
    pub lead: Vec<String>,
    /// A consequence to read before answering, in bold.
    pub warning: String,
    pub action: String,
    pub inputs: Vec<Input>,
    pub button: String,
    /// `warning` for an answer that ends something.
    pub button_style: &'static str,
    pub upload: bool,
    pub back: String,
    /// A second form under the first: (action, button), e.g. a new code.
    pub also: Option<(String, String)>,
    /// Links under the forms: (address, text).
    pub links: Vec<(String, String)>,
}

impl Q {
    /// One question, one field: the heading is the field's label.
    pub fn heading_is_label(&self) -> bool {
        self.inputs.len() == 1 && self.inputs[0].label.is_empty()
    }
}

#[derive(Template)]
#[template(path = "question.html")]
struct QuestionPage {
    frame: Frame,
    csrf: String,
    q: Q,
}

/// One row of a check-your-answers page.
#[derive(Debug)]
pub struct Row {
    pub key: String,
    pub value: String,
    /// Where to change it (empty when it cannot be changed here).
    pub change: String,
}

impl Row {
    pub fn new(key: impl Into<String>, value: impl Into<String>, change: impl Into<String>) -> Self {
        Self { key: key.into(), value: value.into(), change: change.into() }
    }
}

/// What a check-your-answers page shows.
#[derive(Debug, Default)]
pub struct C {
    pub caption: String,
    pub title: String,
    pub rows: Vec<Row>,
    pub lead: Vec<String>,
    pub warning: String,
    pub action: String,
    pub button: String,
    pub button_style: &'static str,
    pub back: String,
    pub links: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "check.html")]
struct CheckPage {
    frame: Frame,
    csrf: String,
    c: C,
}

/// A form's page as it starts: what a refused form kept for it, its
/// frame with those errors, and the cookies to set (the CSRF token, the
/// kept values forgotten).
pub struct Start {
    pub kept: Kept,
    frame: Frame,
    csrf: String,
    cookies: Vec<HeaderValue>,
}

impl Start {
    pub fn new(me: &SignedIn, headers: &HeaderMap, path: &str) -> Self {
        let (kept, forget) = kept::take(headers, path);
        let (csrf, set) = CSRF.token_for(headers);
        let frame = Frame { errors: kept.errors().to_vec(), ..Frame::of(me) };
        Self { kept, frame, csrf, cookies: set.into_iter().chain(forget).collect() }
    }

    pub fn question(self, q: Q) -> Response {
        render(StatusCode::OK, &QuestionPage { frame: self.frame, csrf: self.csrf, q }, self.cookies)
    }

    pub fn check(self, c: C) -> Response {
        render(StatusCode::OK, &CheckPage { frame: self.frame, csrf: self.csrf, c }, self.cookies)
    }
}
