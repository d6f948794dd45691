//! Post/redirect/get for the sign-on's forms: a refused form answers one
//! redirect (303) back to its own page, the way back (`return_to`) in its
//! address, with the errors and what was typed kept for that one view
//! (`pagekit::KeptForms`, in the sign-on's own cookie); the page shows
//! them beside the fields and in the summary. Passwords and codes are never
//! kept. A refusal whose way out is recovery (failed sign-ins, a blocked
//! account) is linked, in the summary, to the recovery link it adds.
//!
//! It owns the sign-on's kept cookie and the errors' lines; it knows no
//! journey: a form page says where it posts and the way back it carries.

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use pagekit::{Kept, KeptForms};
use texts::{Lang, Page, SignOnPage, SignOnRefusal};

use super::{Field, FormPage, back_to, error_page, form, say};
use crate::Error;
use crate::error::TooMany;

/// Where the sign-on's refused forms wait for their pages.
pub(super) const KEPT: KeptForms = KeptForms { cookie: "__Host-tims_sso_kept" };

/// The id of the recovery link a refusal's line in the summary links to,
/// and the link's text: after failed sign-ins (a wait), and for an account
/// an earlier version blocked.
const RECOVER_AFTER_FAILURES: &str = "recover";
const RECOVER_BLOCKED: &str = "recover-now";

/// The answer to a form refused with `err`: back to `page`'s own page with
/// the errors and the values typed, or an error page when the error is not
/// about the form (a fault, something not found or forbidden).
pub(super) fn refused(err: Error, page: FormPage) -> Response {
    match lines(page.lang, &err) {
        Some(lines) => {
            let values = page.typed();
            let values: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
            KEPT.back(&page.own_path(), &values, lines)
        }
        None => error_page(page.lang, &err),
    }
}

/// The lines a refusal shows, as (field or link id, message); `None` for
/// an error that is not a refusal of the form.
pub(super) fn lines(lang: Lang, err: &Error) -> Option<Vec<(String, String)>> {
    let one = |id: &str, m: String| Some(vec![(id.to_string(), m)]);
    match err {
        Error::Invalid(fe) => Some(fe.0.iter().map(|(name, m)| (name.to_string(), m.clone())).collect()),
        Error::Refused(m) => one("", m.clone()),
        Error::Blocked => one(RECOVER_BLOCKED, crate::error::blocked_message()),
        // Said in the page's language: the wait, and the way out beside it.
        Error::TooMany { kind: TooMany::FailedSignIns, retry_after_secs, .. } => {
            one(RECOVER_AFTER_FAILURES, say(lang, SignOnRefusal::TooManyFailedSignIns { wait_secs: *retry_after_secs }))
        }
        Error::TooMany { message, .. } => one("", message.clone()),
        _ => None,
    }
}

/// A form's page as its GET shows it: with what its refused form kept, if
/// it was refused just now, and the cookies (the CSRF token, the kept
/// values forgotten).
pub(super) fn form_page(headers: &HeaderMap, page: FormPage, set_csrf: Option<HeaderValue>) -> Response {
    let (kept, forget) = KEPT.take(headers, &page.own_path());
    let mut resp = form(StatusCode::OK, page.with_kept(&kept), set_csrf);
    if let Some(f) = forget {
        resp.headers_mut().append(axum::http::header::SET_COOKIE, f);
    }
    resp
}

/// Whether a field's value is a secret, never kept nor shown again.
fn secret(f: &Field) -> bool {
    f.kind == "password" || f.name == "code"
}

impl FormPage {
    /// The page a refusal returns to: where the form posts, with its way back.
    fn own_path(&self) -> String {
        back_to(&self.action, self.return_to())
    }

    /// What was typed, as the fields hold it: no password, no code.
    fn typed(&self) -> Vec<(&'static str, String)> {
        let mut values = vec![];
        for f in self.fields.iter().filter(|f| !secret(f)) {
            values.extend(f.boxes.iter().map(|b| (b.name, b.value.clone())));
            if f.boxes.is_empty() {
                values.push((f.name, f.value.clone()));
            }
        }
        values
    }

    /// The page with what a refused form kept: its values in the fields
    /// (secrets left empty), and its errors beside them and in the summary.
    fn with_kept(mut self, kept: &Kept) -> Self {
        if kept.is_empty() {
            return self;
        }
        for f in self.fields.iter_mut() {
            for b in f.boxes.iter_mut() {
                b.value = kept.value(b.name).to_string();
            }
            f.value = if secret(f) { String::new() } else { kept.value(f.name).to_string() };
        }
        for (id, msg) in kept.errors() {
            self = self.with_error(id, msg);
        }
        self
    }

    /// Attach an error to its field (a date's boxes: only those named, or
    /// all for the whole date) and to the summary, where a message given
    /// for several boxes is listed once, linking to the first; a refusal
    /// whose way out is recovery adds the recovery link it names.
    fn with_error(mut self, id: &str, msg: &str) -> Self {
        let recover = match id {
            RECOVER_AFTER_FAILURES => Some(say(self.lang, SignOnPage::RecoverInstead)),
            RECOVER_BLOCKED => Some(say(self.lang, Page::RecoverNow)),
            _ => None,
        };
        if let Some(text) = recover {
            let href = back_to("/sso/recover", self.return_to());
            // The refusal's own way to recovery replaces the form's usual one.
            self.links.retain(|(to, _)| to != &href);
            self.recover = Some((id.to_string(), href, text));
            self.errors.push((id.to_string(), msg.to_string()));
            return self;
        }
        let prefix = say(self.lang, Page::ErrorTitlePrefix);
        let (mut anchor, mut boxes): (&str, Vec<&str>) = (id, vec![]);
        let named = |f: &Field| f.name == id || f.boxes.iter().any(|b| b.name == id);
        if let Some(f) = self.fields.iter_mut().find(|f| named(f)) {
            let whole = f.name == id;
            for b in f.boxes.iter_mut().filter(|b| whole || b.name == id) {
                b.marked = true;
            }
            if let Some(first) = f.boxes.iter().find(|b| b.marked) {
                anchor = first.name;
            }
            boxes = f.boxes.iter().map(|b| b.name).collect();
            if f.error.is_empty() {
                f.error = format!("{prefix}{msg}");
            }
        }
        // One message for several boxes of a date is listed once.
        if !self.errors.iter().any(|(a, m)| m == msg && boxes.contains(&a.as_str())) {
            self.errors.push((anchor.to_string(), msg.to_string()));
        }
        self
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::{date_of_birth_field, field};
    use super::*;

    #[test]
    fn a_refusal_keeps_what_was_typed_but_never_a_password_or_a_code() {
        let lang = Lang::En;
        let page = FormPage {
            fields: vec![
                field(lang, "id_number", SignOnPage::IdOrPassport, "text", "username").value("12345678"),
                field(lang, "password", SignOnPage::Password, "password", "").value("a secret"),
                field(lang, "code", SignOnPage::Code, "text", "one-time-code").value("654321"),
                date_of_birth_field(lang, ["14", "3", "1985"]),
            ],
            ..FormPage::new(lang, SignOnPage::SignInTitle, "/sso/signin", String::new(), SignOnPage::Continue)
        }
        .returning("/sso/preferences");
        assert_eq!(page.own_path(), "/sso/signin?return_to=%2Fsso%2Fpreferences");
        let typed = page.typed();
        assert_eq!(
            typed.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>(),
            [
                ("id_number", "12345678"),
                ("date_of_birth_day", "14"),
                ("date_of_birth_month", "3"),
                ("date_of_birth_year", "1985")
            ]
        );
    }

    #[test]
    fn only_the_wait_after_failed_sign_ins_leads_to_recovery_and_it_is_said_in_the_pages_language() {
        let wait = |kind| Error::TooMany { kind, message: "in English".into(), retry_after_secs: 900 };
        let lines_of = |lang, e: &Error| lines(lang, e).unwrap();
        let failed = lines_of(Lang::Sw, &wait(TooMany::FailedSignIns));
        assert_eq!(failed[0].0, RECOVER_AFTER_FAILURES);
        assert!(failed[0].1.contains("Subiri dakika 15 kabla"), "{}", failed[0].1);
        for kind in [TooMany::Codes, TooMany::PasswordAttempts, TooMany::SignInsAtOnce] {
            assert_eq!(lines_of(Lang::En, &wait(kind)), [(String::new(), "in English".to_string())], "{kind:?}");
        }
        assert_eq!(lines_of(Lang::En, &Error::Blocked)[0].0, RECOVER_BLOCKED);
        assert!(lines(Lang::En, &Error::NotFound).is_none(), "not a refusal of the form: an error page");
    }
}
