//! One transfer's page: the record, its timeline, the forms the person may
//! use now (from their roles and the state), and the scanned logbook.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::transfer::State as TState;

use super::extract::{CSRF, SignedIn};
use super::frame::{OrShow, PageResult, User, message_page, render, user};
use crate::Registry;
use crate::signin::Actor;
use crate::transfers::{self, TransferView};

pub struct Field {
    name: &'static str,
    label: &'static str,
    hint: Option<String>,
    kind: &'static str,
    options: Vec<String>,
}

fn field(name: &'static str, label: &'static str, kind: &'static str) -> Field {
    Field { name, label, hint: None, kind, options: vec![] }
}

fn code_field() -> Field {
    Field { hint: Some("The 6-digit code sent to your phone".into()), ..field("code", "SMS code", "text") }
}

pub struct Action {
    action: &'static str,
    title: &'static str,
    lead: Vec<String>,
    fields: Vec<Field>,
    button: &'static str,
    style: &'static str,
    upload: bool,
}

fn action(action: &'static str, title: &'static str, button: &'static str, fields: Vec<Field>) -> Action {
    Action { action, title, lead: vec![], fields, button, style: "", upload: false }
}

/// The forms the person may use now, from their roles and the state.
fn actions_for(reg: &Registry, t: &TransferView, principal_pending: bool) -> Vec<Action> {
    let has = |r: &str| t.your_roles.iter().any(|x| x == r);
    let state = TState::parse(&t.state).ok();
    let mut out = match state {
        Some(TState::Draft) if has("seller") => seller_actions(),
        Some(TState::AwaitingConsents) if principal_pending => consent_actions(),
        Some(TState::AwaitingBuyer) if has("buyer") => buyer_actions(reg, t),
        Some(TState::AwaitingPayment) if has("buyer") => vec![action("pay", "Pay the transfer fee", "Pay now", vec![])],
        Some(TState::InReview) if has("officer") => review_actions(),
        Some(TState::Approved) if has("officer") => logbook_actions(t),
        _ => vec![],
    };
    if has("seller") && matches!(state, Some(TState::Draft | TState::AwaitingConsents | TState::AwaitingBuyer)) {
        out.push(Action { style: "secondary", ..action("cancel", "Cancel the transfer", "Cancel it", vec![]) });
    }
    out
}

fn seller_actions() -> Vec<Action> {
    vec![
        Action {
            upload: true,
            lead: vec!["A PDF, JPEG or PNG of at most 10 MB.".into()],
            ..action(
                "upload",
                "1. Upload the scanned logbook",
                "Upload",
                vec![field("logbook", "Scanned logbook", "file")],
            )
        },
        action("code-submit", "2. Security verification", "Send me a code", vec![]),
        action("submit", "3. Submit the transfer", "Submit", vec![code_field()]),
    ]
}

fn consent_actions() -> Vec<Action> {
    vec![
        action("code-consent", "Security verification", "Send me a code", vec![]),
        action("approve", "Approve this transfer", "Approve", vec![code_field()]),
        Action { style: "warning", ..action("refuse", "Refuse this transfer", "Refuse", vec![code_field()]) },
    ]
}

fn buyer_actions(reg: &Registry, t: &TransferView) -> Vec<Action> {
    let mut office = field("collection_office", "Office where you will collect the logbook", "select");
    office.options = reg.config().offices.clone();
    let mut address = field("postal_address", "Your postal address", "text");
    address.hint = Some("For example P.O. Box 12345-00100 Nairobi".into());
    vec![
        action("code-answer", "Security verification", "Send me a code", vec![]),
        Action {
            lead: vec![format!("Accepting charges the transfer fee of {} to your phone.", t.fee.amount)],
            ..action("accept", "Accept the transfer", "Accept and pay", vec![code_field(), address, office])
        },
        Action { style: "warning", ..action("decline", "Decline the transfer", "Decline", vec![code_field()]) },
    ]
}

fn review_actions() -> Vec<Action> {
    let reason =
        Field { hint: Some("Both parties are told this reason".into()), ..field("reason", "Reason", "textarea") };
    vec![
        action("review-approve", "Approve", "Approve the transfer", vec![]),
        Action { style: "warning", ..action("review-reject", "Reject", "Reject the transfer", vec![reason]) },
    ]
}

fn logbook_actions(t: &TransferView) -> Vec<Action> {
    let next = t.logbook.as_ref().and_then(|l| domain::transfer::LogbookState::parse(&l.state).ok()?.next());
    let Some(next) = next else { return vec![] };
    let title = if next == domain::transfer::LogbookState::ReadyForCollection {
        "The logbook is printed"
    } else {
        "The buyer collected the logbook"
    };
    vec![action("logbook-next", title, "Record it", vec![])]
}

#[derive(Template)]
#[template(path = "transfer.html")]
struct TransferPage {
    user: Option<User>,
    errors: Vec<(String, String)>,
    notice: Option<String>,
    csrf: String,
    t: TransferView,
    can_see_scan: bool,
    actions: Vec<Action>,
    timeline: Vec<(String, String, String)>,
}

fn notice_text(code: Option<&str>) -> Option<String> {
    Some(
        match code? {
            "created" => "The transfer is started. Upload the scanned logbook, then confirm with an SMS code.",
            "code" => "We have sent a code to your phone. It works for 5 minutes.",
            "done" => "Done.",
            _ => return None,
        }
        .to_string(),
    )
}

/// A time as shown on the timeline, in East Africa Time.
fn eat(ms: i64) -> String {
    let d = domain::Date::from_utc_ms(ms + transfers::EAT_OFFSET_MS);
    let minutes = (ms + transfers::EAT_OFFSET_MS).rem_euclid(86_400_000) / 60_000;
    format!("{d} {:02}:{:02}", minutes / 60, minutes % 60)
}

/// The transfer's page, with a notice or the errors of a step.
pub async fn transfer_page_for(
    reg: &Registry,
    actor: &Actor,
    headers: &HeaderMap,
    id: &str,
    notice: Option<String>,
    errors: Vec<(String, String)>,
    status: StatusCode,
) -> Response {
    let t = match transfers::get(reg, actor, id).await {
        Ok(t) => t,
        Err(e) => return message_page(Some(user(actor)), e.status(), &e),
    };
    let pending = t.consents.iter().any(|c| c.party_id == actor.principal_id() && c.decision.is_none());
    let actions = actions_for(reg, &t, pending && actor.may_transact());
    let timeline = t
        .timeline
        .iter()
        .map(|e| {
            let who = match (&e.actor, &e.acting_for) {
                (Some(a), Some(f)) if a != f => format!("{a} for {f}"),
                (Some(a), _) => a.clone(),
                (None, _) => "tims".into(),
            };
            (eat(e.at_ms), e.action.replace('_', " "), who)
        })
        .collect();
    let (csrf, set) = CSRF.token_for(headers);
    let can_see_scan = t.your_roles.iter().any(|r| r == "seller" || r == "officer");
    let page = TransferPage {
        user: Some(user(actor)),
        errors,
        notice,
        csrf,
        can_see_scan,
        actions: if actor.may_transact() || actor.is_staff() { actions } else { vec![] },
        timeline,
        t,
    };
    render(status, &page, set)
}

/// A notice to show after a step.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct NoticeQuery {
    notice: Option<String>,
}

pub async fn transfer_page(
    State(reg): State<Registry>,
    headers: HeaderMap,
    me: SignedIn,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let notice = notice_text(q.notice.as_deref());
    Ok(transfer_page_for(&reg, &me.actor, &headers, &id, notice, vec![], StatusCode::OK).await)
}

pub async fn scan(State(reg): State<Registry>, me: SignedIn, Path(id): Path<String>) -> PageResult {
    let (ct, bytes) = transfers::logbook_scan(&reg, &me.actor, &id).await.or_show(&me.actor)?;
    let ct = match ct.as_str() {
        "application/pdf" => "application/pdf",
        "image/jpeg" => "image/jpeg",
        "image/png" => "image/png",
        _ => "application/octet-stream",
    };
    let kind =
        [(header::CONTENT_TYPE, ct), (header::CACHE_CONTROL, "no-store"), (header::X_CONTENT_TYPE_OPTIONS, "nosniff")];
    Ok((kind, bytes).into_response())
}
