//! The officer's two decisions, each on a page of its own and each
//! post/redirect/get (`kept`): approving after "Are you sure?"
//! (`/transfers/{id}/review/approve`), and rejecting with a reason from
//! the list and the officer's words (`/transfers/{id}/review/reject`),
//! a refused form coming back with its errors beside the fields and what
//! was typed. Both end on the transfer's page with a notice. Each calls
//! one use case; who may decide, and when, is theirs to say.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use domain::transfer::{RejectReason, State as TState};
use pagekit::{Signed, SignedForm};
use serde::Deserialize;
use texts::{ReviewText as V, Text as _};

use super::extract::{CSRF, SignedIn};
use super::form::Confirm;
use super::frame::{Frame, OrShow, PageResult, error_lines, message_page, render, user};
use super::kept;
use crate::transfers::{self, Decision};
use crate::{Error, FieldErrors, Registry};

#[derive(Template)]
#[template(path = "review_approve.html")]
struct ApprovePage {
    frame: Frame,
    csrf: String,
    title: String,
    warning: String,
    id: String,
}

#[derive(Template)]
#[template(path = "review_reject.html")]
struct RejectPage {
    frame: Frame,
    csrf: String,
    title: String,
    id: String,
    /// (stored name, as people read it)
    reasons: Vec<(&'static str, String)>,
    chosen: String,
    note: String,
    reason_error: String,
    note_error: String,
}

/// A refused decision: a field's refusal comes back to its form; any other
/// (not an officer, a party to the transfer, decided meanwhile) is shown.
fn refused(me: &SignedIn, path: &str, values: &[(&str, &str)], e: &Error) -> Response {
    match e {
        Error::Invalid(_) => kept::back(path, values, error_lines(me.lang, e)),
        _ => message_page(me.lang, Some(user(me.lang, &me.actor)), e.status(), e),
    }
}

/// The transfer's page after a decision, with its notice.
fn to_transfer(id: &str, notice: &str) -> Response {
    kept::see_other(&format!("/transfers/{id}?notice={notice}"), [])
}

pub async fn approve_page(
    State(reg): State<Registry>,
    headers: HeaderMap,
    Signed(me): Signed<Registry>,
    Path(id): Path<String>,
) -> PageResult {
    let v = transfers::inspect(&reg, &me.actor, &id).await.or_show(&me)?;
    let lang = me.lang;
    let (kept, forget) = kept::take(&headers, &format!("/transfers/{id}/review/approve"));
    let (csrf, set) = CSRF.token_for(&headers);
    let frame = Frame { errors: kept.errors().to_vec(), ..Frame::of(&me) };
    let warning =
        V::ApproveWarning { reg_no: &v.vehicle.registration_number, seller: &v.seller.name, buyer: &v.buyer.name };
    let page = ApprovePage {
        title: V::ApproveTitle { reference: &v.reference }.render(lang),
        warning: warning.render(lang),
        csrf,
        id: v.id,
        frame,
    };
    Ok(with_cookies(render(StatusCode::OK, &page, Option::<HeaderValue>::None), set.into_iter().chain(forget)))
}

/// A page that also sets `cookies` (the CSRF token, kept values forgotten).
fn with_cookies(mut resp: Response, cookies: impl IntoIterator<Item = HeaderValue>) -> Response {
    for c in cookies {
        resp.headers_mut().append(header::SET_COOKIE, c);
    }
    resp
}

pub async fn approve_answer(
    State(reg): State<Registry>,
    Path(id): Path<String>,
    f: SignedForm<Registry, Confirm>,
) -> Response {
    let me = f.session;
    match transfers::review(&reg, &me.actor, &id, Decision::Approve).await {
        Ok(t) => to_transfer(&t.id, "review-approved"),
        Err(e) => refused(&me, &format!("/transfers/{id}/review/approve"), &[], &e),
    }
}

pub async fn reject_page(
    State(reg): State<Registry>,
    headers: HeaderMap,
    Signed(me): Signed<Registry>,
    Path(id): Path<String>,
) -> PageResult {
    let v = transfers::inspect(&reg, &me.actor, &id).await.or_show(&me)?;
    let lang = me.lang;
    let (kept, forget) = kept::take(&headers, &format!("/transfers/{id}/review/reject"));
    let (csrf, set) = CSRF.token_for(&headers);
    let frame = Frame { errors: kept.errors().to_vec(), ..Frame::of(&me) };
    let page = RejectPage {
        title: V::RejectTitle { reference: &v.reference }.render(lang),
        reasons: RejectReason::ALL
            .iter()
            .map(|&reason| (reason.as_str(), V::ReasonName { reason }.render(lang)))
            .collect(),
        chosen: kept.value("reason_code").to_string(),
        note: kept.value("reason").to_string(),
        reason_error: kept.error("reason_code"),
        note_error: kept.error("reason"),
        csrf,
        id: v.id,
        frame,
    };
    Ok(with_cookies(render(StatusCode::OK, &page, Option::<HeaderValue>::None), set.into_iter().chain(forget)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RejectForm {
    reason_code: String,
    reason: String,
}

pub async fn reject_answer(
    State(reg): State<Registry>,
    Path(id): Path<String>,
    f: SignedForm<Registry, RejectForm>,
) -> Response {
    let SignedForm { session: me, form: f } = f;
    let path = format!("/transfers/{id}/review/reject");
    let values = [("reason_code", f.reason_code.as_str()), ("reason", f.reason.as_str())];
    let Ok(reason) = RejectReason::parse(&f.reason_code) else {
        let e = FieldErrors::single("reason_code", V::ChooseReason.render(me.lang));
        return refused(&me, &path, &values, &e);
    };
    match transfers::review(&reg, &me.actor, &id, Decision::Reject { reason, note: &f.reason }).await {
        Ok(t) if TState::parse(&t.state) == Ok(TState::ReturnedForScan) => to_transfer(&t.id, "review-returned"),
        Ok(t) => to_transfer(&t.id, "review-rejected"),
        Err(e) => refused(&me, &path, &values, &e),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use texts::Lang;

    use super::*;

    fn reject_page(lang: Lang, errors: Vec<(String, String)>) -> String {
        let frame = Frame { errors, ..Frame::new(lang, None) };
        let page = RejectPage {
            title: V::RejectTitle { reference: "TR-ABCDE-FGHJK" }.render(lang),
            reasons: RejectReason::ALL
                .iter()
                .map(|&reason| (reason.as_str(), V::ReasonName { reason }.render(lang)))
                .collect(),
            chosen: "another_reason".into(),
            note: String::new(),
            reason_error: String::new(),
            note_error: errors_of(&frame, "reason"),
            csrf: "t".into(),
            id: "t1".into(),
            frame,
        };
        page.render().unwrap()
    }

    fn errors_of(frame: &Frame, field: &str) -> String {
        frame.errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.clone()).unwrap_or_default()
    }

    #[test]
    fn the_reject_page_lists_every_reason_and_shows_its_error_beside_the_field() {
        let html = reject_page(Lang::En, vec![("reason".into(), "Give the reason for rejecting the transfer".into())]);
        assert!(html.contains("<title>Error: Reject transfer TR-ABCDE-FGHJK"), "{html}");
        assert!(!html.contains("Error: Error:") && html.contains("<h1>Reject transfer TR-ABCDE-FGHJK</h1>"), "{html}");
        assert!(html.contains(r#"<p class="field-error" id="reason-error">"#), "{html}");
        assert!(html.contains(r#"aria-describedby="reason-hint reason-error" aria-invalid="true""#), "{html}");
        assert!(html.contains(r#"id="reason_code" name="reason_code" value="another_vehicles_logbook""#), "{html}");
        assert!(html.contains(r#"value="another_reason" checked"#), "{html}");
        for reason in RejectReason::ALL {
            assert!(html.contains(&format!("value=\"{}\"", reason.as_str())), "{reason:?}: {html}");
        }
    }

    #[test]
    fn the_decisions_read_in_kiswahili_without_english() {
        let html = reject_page(Lang::Sw, vec![]);
        assert!(html.contains("Kwa nini unaukataa?") && html.contains("Kataa uhamisho"), "{html}");
        for english in ["Why are you rejecting", "Another reason", "Details", "Reject the transfer", "The first four"] {
            assert!(!html.contains(english), "{english} in {html}");
        }
        let frame = Frame::new(Lang::Sw, None);
        let warning = V::ApproveWarning { reg_no: "KDA 001A", seller: "Wanjiku", buyer: "Otieno" };
        let page = ApprovePage {
            title: V::ApproveTitle { reference: "TR-ABCDE-FGHJK" }.render(Lang::Sw),
            warning: warning.render(Lang::Sw),
            csrf: "t".into(),
            id: "t1".into(),
            frame,
        };
        let html = page.render().unwrap();
        assert!(html.contains("Una uhakika?") && html.contains("Ndiyo, idhinisha"), "{html}");
        for english in ["Are you sure", "Yes, approve", "go back", "Back"] {
            assert!(!html.contains(english), "{english} in {html}");
        }
    }
}
