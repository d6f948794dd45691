//! Organisations: adding one by its KRA PIN, and, for its administrators,
//! its members and the decisions on them. The rules are `orgs`'; these pages
//! decide nothing.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};

use super::{
    Fields, FormPage, Notice, csrf_refused, error_page, field, form, form_or_error, get_str, notice_text, render,
    signed_in_or_redirect,
};
use crate::http::browser::CSRF;
use crate::http::respond::{no_store, see_other, urlencode, with_cookies};
use crate::{Sso, orgs};

pub(super) fn routes() -> Router<Sso> {
    Router::new()
        .route("/sso/organisations", get(orgs_page).post(orgs_submit))
        .route("/sso/organisations/{pin}", get(org_page))
        .route("/sso/organisations/{pin}/members/{member}", post(org_decide))
}

fn orgs_form(csrf: String, pin: String) -> FormPage {
    FormPage {
        title: "Add an organisation",
        lead: vec![
            "To act for a company, dealer, bank, insurer, embassy or government body, add it by its KRA PIN.".into(),
            "If the KRA register lists you as a director, you become its administrator at once. Otherwise its administrators are asked to approve you.".into(),
        ],
        action: "/sso/organisations".into(),
        csrf,
        fields: vec![field("kra_pin", "KRA PIN of the organisation", "text", "off").value(pin).hint("For example P051234567A")],
        submit: "Add organisation",
        links: vec![("/sso/", "Back to your account")],
        ..Default::default()
    }
}

async fn orgs_page(State(sso): State<Sso>, headers: HeaderMap) -> Response {
    if let Err(r) = signed_in_or_redirect(&sso, &headers, "/sso/organisations").await {
        return r;
    }
    let (csrf, set) = CSRF.token_for(&headers);
    form(StatusCode::OK, orgs_form(csrf, String::new()), set)
}

async fn orgs_submit(State(sso): State<Sso>, headers: HeaderMap, Fields(f): Fields) -> Response {
    if !CSRF.check(&headers, f.get("csrf").map(String::as_str)) {
        return csrf_refused(&sso, &headers);
    }
    let (_, a) = match signed_in_or_redirect(&sso, &headers, "/sso/organisations").await {
        Ok(v) => v,
        Err(r) => return r,
    };
    match orgs::add_by_pin(&sso, &a, &get_str(&f, "kra_pin")).await {
        Ok(m) if m.status == orgs::Status::Active => see_other("/sso/?done=org-added"),
        Ok(_) => see_other("/sso/?done=org-requested"),
        Err(e) => form_or_error(e, orgs_form(get_str(&f, "csrf"), get_str(&f, "kra_pin"))),
    }
}

#[derive(Template)]
#[template(path = "org.html")]
struct OrgTemplate {
    name: String,
    kra_pin: String,
    members: Vec<orgs::Member>,
    roles: &'static [domain::org::OrgRole],
    csrf: String,
    notice: Option<String>,
}

async fn org_page(
    State(sso): State<Sso>,
    headers: HeaderMap,
    Path(pin): Path<String>,
    Query(q): Query<Notice>,
) -> Response {
    let (_, a) = match signed_in_or_redirect(&sso, &headers, "/sso/").await {
        Ok(v) => v,
        Err(r) => return r,
    };
    match orgs::members(&sso, &a, &pin).await {
        Ok((name, members)) => {
            let (csrf, set) = CSRF.token_for(&headers);
            let page = OrgTemplate {
                name,
                kra_pin: pin,
                members,
                roles: domain::org::OrgRole::ALL,
                csrf,
                notice: notice_text(q.done.as_deref()),
            };
            no_store(with_cookies(render(StatusCode::OK, &page), set))
        }
        Err(e) => error_page(&e),
    }
}

async fn org_decide(
    State(sso): State<Sso>,
    headers: HeaderMap,
    Path((pin, member)): Path<(String, String)>,
    Fields(f): Fields,
) -> Response {
    if !CSRF.check(&headers, f.get("csrf").map(String::as_str)) {
        return csrf_refused(&sso, &headers);
    }
    let (_, a) = match signed_in_or_redirect(&sso, &headers, "/sso/").await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let raw = get_str(&f, "decision");
    let decision = if raw == "remove" {
        orgs::Decision::Remove
    } else {
        match domain::org::OrgRole::parse(&raw) {
            Ok(r) => orgs::Decision::SetRole(r),
            Err(e) => return error_page(&crate::FieldErrors::single("decision", e.message)),
        }
    };
    match orgs::decide(&sso, &a, &pin, &member, decision).await {
        Ok(()) => see_other(&format!("/sso/organisations/{}?done=member", urlencode(&pin))),
        Err(e) => error_page(&e),
    }
}
