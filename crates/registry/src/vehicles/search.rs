//! A search within a long list (a dealer's or a bank's vehicles, their
//! transfers, the officers' queue): a registration number or a transfer
//! reference, whole or in part, typed as people type it (any case, with
//! or without spaces and dashes). It narrows the rows a list reads by its
//! own index (the party's, or the queue's), and the list stays paged.
//!
//! It owns how a term is read and matched; each list owns its statement.

use texts::{HomeText, Text as _};

use crate::signin::Actor;
use crate::{Error, FieldErrors, parties};

/// The longest term a search takes.
pub const MAX_TERM: usize = 40;

/// What a list is searched for: nothing (the whole list), or a term.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Search {
    /// Upper case letters and digits only (spaces and dashes dropped).
    term: Option<String>,
}

impl Search {
    /// No search: the whole list.
    pub fn all() -> Self {
        Self::default()
    }

    /// The term as typed; refused by the field's name (`q`) when it is too
    /// long. Characters that are in no registration number or reference
    /// are dropped.
    pub fn parse(raw: Option<&str>, actor: &Actor) -> Result<Self, Error> {
        let raw = raw.unwrap_or_default().trim();
        if raw.chars().count() > MAX_TERM {
            let lang = parties::lang_of(&actor.person);
            return Err(FieldErrors::single("q", HomeText::SearchTooLong { max: MAX_TERM }.render(lang)));
        }
        let term: String = raw.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect();
        Ok(Self { term: (!term.is_empty()).then_some(term) })
    }

    pub fn is_all(&self) -> bool {
        self.term.is_none()
    }

    /// The `LIKE` pattern of the term (letters and digits only, so nothing
    /// in it is a wildcard).
    fn pattern(&self) -> Option<String> {
        self.term.as_ref().map(|t| format!("%{t}%"))
    }

    /// The condition a list of transfers adds (with `t` its transfers and
    /// `v` their vehicles), its parameter numbered `$n`; empty for none.
    pub fn condition(&self, n: usize) -> String {
        if self.is_all() {
            return String::new();
        }
        format!("AND (REPLACE(v.reg_no, ' ', '') LIKE ${n} OR REPLACE(t.reference, '-', '') LIKE ${n})")
    }

    /// The condition a list of vehicles adds (`v` its vehicles), its
    /// parameter numbered `$n`; empty for none.
    pub fn vehicle_condition(&self, n: usize) -> String {
        if self.is_all() { String::new() } else { format!("AND REPLACE(v.reg_no, ' ', '') LIKE ${n}") }
    }

    /// The term's parameter bound to `q`, if there is one.
    pub fn bind<'q>(
        &self,
        q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
        match self.pattern() {
            Some(p) => q.bind(p),
            None => q,
        }
    }

    /// The term's pattern, for a read that takes `db::Param`s.
    pub fn param(&self) -> Option<String> {
        self.pattern()
    }
}
