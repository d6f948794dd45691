//! Organisations: adding one by its KRA PIN, and, for its administrators,
//! its members and the decisions on them. The rules are `orgs`'; these pages
//! decide nothing.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use pagekit::SignedForm;
use serde::Deserialize;
use texts::{Lang, SignOnAccount as A, SignOnPage as P};

use super::refused::{KEPT, form_page, lines, refused};
use super::{FormPage, Notice, PageLang, Says, error_page, field, notice_text, render, say, signed_in_or_redirect};
use crate::http::browser::CSRF;
use crate::http::respond::{no_store, see_other, urlencode, with_cookies};
use crate::{Sso, orgs};

pub(super) fn routes() -> Router<Sso> {
    Router::new()
        .route("/sso/organisations", get(orgs_page).post(orgs_submit))
        .route("/sso/organisations/{pin}", get(org_page))
        .route("/sso/organisations/{pin}/members/{member}", post(org_decide))
}

/// The organisation to add, as sent.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AddForm {
    kra_pin: String,
}

/// An administrator's decision on a member, as sent: a role, or `remove`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DecisionForm {
    decision: String,
}

fn orgs_form(lang: Lang, csrf: String, pin: String) -> FormPage {
    FormPage {
        fields: vec![field(lang, "kra_pin", P::OrgPinLabel, "text", "off").value(pin).hint(lang, P::OrgPinHint)],
        ..FormPage::new(lang, P::AddOrgTitle, "/sso/organisations", csrf, P::AddOrg)
    }
    .lead([say(lang, P::AddOrgLead), say(lang, P::AddOrgDirector)])
    .link("/sso/", P::BackToAccount)
}

async fn orgs_page(State(sso): State<Sso>, PageLang(lang): PageLang, headers: HeaderMap) -> Response {
    if let Err(r) = signed_in_or_redirect(&sso, lang, &headers, "/sso/organisations").await {
        return r;
    }
    let (csrf, set) = CSRF.token_for(&headers);
    form_page(&headers, orgs_form(lang, csrf, String::new()), set)
}

async fn orgs_submit(
    State(sso): State<Sso>,
    PageLang(lang): PageLang,
    SignedForm { session: (_, a), form: f }: SignedForm<Sso, AddForm>,
) -> Response {
    match orgs::add_by_pin(&sso, &a, &f.kra_pin).await {
        Ok(m) if m.status == orgs::Status::Active => see_other("/sso/?done=org-added"),
        Ok(_) => see_other("/sso/?done=org-requested"),
        Err(e) => refused(e, orgs_form(lang, String::new(), f.kra_pin)),
    }
}

#[derive(Template)]
#[template(path = "org.html")]
struct OrgTemplate {
    lang: Lang,
    name: String,
    kra_pin: String,
    members: Vec<orgs::Member>,
    roles: &'static [domain::org::OrgRole],
    csrf: String,
    notice: String,
    /// A refused decision's lines: (id, message).
    errors: Vec<(String, String)>,
}

impl Says for OrgTemplate {
    fn lang(&self) -> Lang {
        self.lang
    }
}

impl OrgTemplate {
    fn lead(&self) -> String {
        self.t(A::OrgLead { kra_pin: &self.kra_pin })
    }

    fn id_of(&self, id_number: &str) -> String {
        self.t(A::IdOf { id_number })
    }
}

async fn org_page(
    State(sso): State<Sso>,
    PageLang(lang): PageLang,
    headers: HeaderMap,
    Path(pin): Path<String>,
    Query(q): Query<Notice>,
) -> Response {
    let (_, a) = match signed_in_or_redirect(&sso, lang, &headers, "/sso/").await {
        Ok(v) => v,
        Err(r) => return r,
    };
    match orgs::members(&sso, &a, &pin).await {
        Ok((name, members)) => {
            let (kept, forget) = KEPT.take(&headers, &org_path(&pin));
            let (csrf, set) = CSRF.token_for(&headers);
            let page = OrgTemplate {
                lang,
                name,
                kra_pin: pin,
                members,
                roles: domain::org::OrgRole::ALL,
                csrf,
                notice: notice_text(lang, q.done.as_deref()),
                errors: kept.errors().to_vec(),
            };
            no_store(with_cookies(render(StatusCode::OK, &page), set.into_iter().chain(forget)))
        }
        Err(e) => error_page(lang, &e),
    }
}

async fn org_decide(
    State(sso): State<Sso>,
    PageLang(lang): PageLang,
    Path((pin, member)): Path<(String, String)>,
    SignedForm { session: (_, a), form: f }: SignedForm<Sso, DecisionForm>,
) -> Response {
    let decision = if f.decision == "remove" {
        orgs::Decision::Remove
    } else {
        match domain::org::OrgRole::parse(&f.decision) {
            Ok(r) => orgs::Decision::SetRole(r),
            Err(e) => return error_page(lang, &crate::FieldErrors::single("decision", e.message)),
        }
    };
    match orgs::decide(&sso, &a, &pin, &member, decision).await {
        Ok(()) => see_other(&format!("{}?done=member", org_path(&pin))),
        // Refused (the last administrator stays): back to the members.
        Err(e) => match lines(lang, &e) {
            Some(lines) => KEPT.back(&org_path(&pin), &[], lines),
            None => error_page(lang, &e),
        },
    }
}

/// An organisation's page, where its members are decided on.
fn org_path(pin: &str) -> String {
    format!("/sso/organisations/{}", urlencode(pin))
}
