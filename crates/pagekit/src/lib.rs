//! The page kit: what every server-rendered page of tims shares.
//!
//! `pagekit` owns one layout (`templates/pagekit/layout.html`), one
//! stylesheet (`static/tims.css`) and a favicon (`static/favicon.svg`),
//! served by [`static_router`] from URLs with their content hash and a
//! year's cache lifetime, the language of a page and the switch in its
//! header ([`page_lang`], [`switch`], the `/language` route and
//! [`remember_page`]: see `language.rs`), the components
//! (`templates/pagekit/components.html`: error summary, field with its
//! error (and `input`, `select`, `checkbox` for autofill hints, lists and
//! tick boxes), notice banner, summary list, table (stacked rows on a
//! phone, each cell labelled by its column's head), pager, language
//! switch), post/redirect/get for refused forms with what was typed kept
//! for one view ([`KeptForms`], see `kept.rs`) and the typed form
//! extractors ([`SignedForm`], [`CsrfForm`]) that check the CSRF token and
//! the session before a handler runs ([`Signed`] checks the session of a
//! page without a form). It must not know any part's routes,
//! sessions or use cases: a part plugs in through [`FormPart`], and its
//! pages fill the layout's blocks.
//!
//! Adopting it (round 2):
//! - A part's `askama.toml` adds the kit's folder:
//!   `[general] dirs = ["templates", "../pagekit/templates"]`.
//! - A part's `base.html` extends `pagekit/layout.html` and fills `lang`
//!   (`{{ lang.tag() }}`), `head_title`, `part` (`registry` or `sso`: the
//!   stylesheet's hook), `header` (ending with
//!   `{% call kit::languages(lang, "/") %}{% endcall %}`, the part's home
//!   second) and `main`; a page keeps extending its part's `base.html`.
//! - A part reads a page's language with [`page_lang`], and the frame's
//!   router is wrapped in [`remember_page`].
//! - A template imports the components with
//!   `{% import "pagekit/components.html" as kit %}` and calls them, e.g.
//!   `{% call kit::error_summary(errors, problem_title) %}{% endcall %}`.
//! - A form handler takes `SignedForm<Registry, NewTransferForm>` instead
//!   of `HeaderMap` + `Form<HashMap<..>>` + the CSRF check + `signed_in`;
//!   a page without a form takes [`Signed<Registry>`](Signed), checked by
//!   the same `FormPart::session`.

extern crate self as pagekit;

mod form;
pub mod kept;
mod language;
mod signed;
mod style;

pub use form::{CSRF_FIELD, CsrfForm, FormPart, Refused, SignedForm};
pub use kept::{Answers, Kept, KeptForms, see_other};
pub use language::{
    HINT_COOKIE, LANG_COOKIE, SWITCH_PATH, Switch, SwitchLink, SwitchQuery, chosen_lang, has_hint, hint_lang, is_local,
    page_lang, remember_page, switch, switch_href, switch_language,
};
pub use signed::Signed;
pub use style::{FAVICON, STYLESHEET, favicon_href, static_router, stylesheet_href};
