//! One transfer's page: the record, its timeline, the forms the person may
//! use now (from their roles and the state), and the scanned logbook.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::transfer::{LogbookState, State as TState, Step};
use domain::{BuyerType, ConsentDecision, ConsentRole};
use pagekit::Signed;
use texts::{Lang, Page, RegistryPage as R, Text as _};

use super::extract::{CSRF, SignedIn};
use super::frame::{Frame, OrShow, PageResult, message_page, render, user};
use crate::Registry;
use crate::transfers::{self, Consent, LogbookView, TransferView};

pub struct Field {
    name: &'static str,
    label: String,
    hint: String,
    kind: &'static str,
    options: Vec<String>,
}

/// The texts of a transfer's forms, in the page's language.
#[derive(Clone, Copy)]
struct Words(Lang);

impl Words {
    fn page(self, t: Page<'_>) -> String {
        t.render(self.0)
    }

    fn reg(self, t: R<'_>) -> String {
        t.render(self.0)
    }

    fn field(self, name: &'static str, label: R<'_>, kind: &'static str) -> Field {
        Field { name, label: self.reg(label), hint: String::new(), kind, options: vec![] }
    }

    fn code_field(self) -> Field {
        Field { hint: self.page(Page::CodeLabel), ..self.field("code", R::SmsCode, "text") }
    }

    fn action(self, action: &'static str, title: String, button: String, fields: Vec<Field>) -> Action {
        Action { action, title, lead: vec![], fields, button, style: "", upload: false }
    }
}

pub struct Action {
    action: &'static str,
    title: String,
    lead: Vec<String>,
    fields: Vec<Field>,
    button: String,
    style: &'static str,
    upload: bool,
}

/// The forms the person may use now, from their roles and the state.
fn actions_for(reg: &Registry, w: Words, t: &TransferView, principal_pending: bool) -> Vec<Action> {
    let has = |r: &str| t.your_roles.iter().any(|x| x == r);
    let state = TState::parse(&t.state).ok();
    let mut out = match state {
        Some(TState::Draft) if has("seller") => seller_actions(w),
        Some(TState::AwaitingConsents) if principal_pending => consent_actions(w),
        Some(TState::AwaitingBuyer) if has("buyer") => buyer_actions(reg, w, t),
        Some(TState::AwaitingPayment) if has("buyer") => {
            vec![w.action("pay", w.page(Page::PayFee), w.reg(R::PayNow), vec![])]
        }
        Some(TState::InReview) if has("officer") => review_actions(w),
        Some(TState::Approved) if has("officer") => logbook_actions(w, t),
        _ => vec![],
    };
    if has("seller") && matches!(state, Some(TState::Draft | TState::AwaitingConsents | TState::AwaitingBuyer)) {
        out.push(Action {
            style: "secondary",
            ..w.action("cancel", w.page(Page::CancelTransfer), w.reg(R::CancelIt), vec![])
        });
    }
    out
}

fn seller_actions(w: Words) -> Vec<Action> {
    let scan = w.field("logbook", R::ScannedLogbook, "file");
    vec![
        Action {
            upload: true,
            lead: vec![w.page(Page::ScanHint)],
            ..w.action("upload", w.reg(R::UploadScanStep), w.reg(R::Upload), vec![scan])
        },
        w.action("code-submit", w.reg(R::CodeStep), w.reg(R::SendMeACode), vec![]),
        w.action("submit", w.reg(R::SubmitStep), w.reg(R::Submit), vec![w.code_field()]),
    ]
}

fn consent_actions(w: Words) -> Vec<Action> {
    vec![
        w.action("code-consent", w.page(Page::SecurityVerification), w.reg(R::SendMeACode), vec![]),
        w.action("approve", w.page(Page::ApproveThisTransfer), w.reg(R::Approve), vec![w.code_field()]),
        Action {
            style: "warning",
            ..w.action("refuse", w.page(Page::RefuseThisTransfer), w.reg(R::Refuse), vec![w.code_field()])
        },
    ]
}

fn buyer_actions(reg: &Registry, w: Words, t: &TransferView) -> Vec<Action> {
    let mut office =
        Field { label: w.page(Page::CollectionOffice), ..w.field("collection_office", R::Reason, "select") };
    office.options = reg.config().offices.clone();
    let address = Field {
        label: w.page(Page::PostalAddress),
        hint: w.reg(R::AddressExample),
        ..w.field("postal_address", R::Reason, "text")
    };
    vec![
        w.action("code-answer", w.page(Page::SecurityVerification), w.reg(R::SendMeACode), vec![]),
        Action {
            lead: vec![w.page(Page::AcceptCharges { amount_cents: t.fee.amount_cents })],
            ..w.action(
                "accept",
                w.page(Page::AcceptTransfer),
                w.reg(R::AcceptAndPay),
                vec![w.code_field(), address, office],
            )
        },
        Action {
            style: "warning",
            ..w.action("decline", w.page(Page::DeclineTransfer), w.reg(R::Decline), vec![w.code_field()])
        },
    ]
}

fn review_actions(w: Words) -> Vec<Action> {
    let reason = Field { hint: w.page(Page::ReasonHint), ..w.field("reason", R::Reason, "textarea") };
    vec![
        w.action("review-approve", w.reg(R::Approve), w.page(Page::ApproveTransfer), vec![]),
        Action {
            style: "warning",
            ..w.action("review-reject", w.reg(R::Reject), w.page(Page::RejectTransfer), vec![reason])
        },
    ]
}

fn logbook_actions(w: Words, t: &TransferView) -> Vec<Action> {
    let next = t.logbook.as_ref().and_then(|l| domain::transfer::LogbookState::parse(&l.state).ok()?.next());
    let Some(next) = next else { return vec![] };
    let title = if next == domain::transfer::LogbookState::ReadyForCollection {
        Page::LogbookPrinted
    } else {
        Page::LogbookCollectedByBuyer
    };
    vec![w.action("logbook-next", w.page(title), w.reg(R::RecordIt), vec![])]
}

#[derive(Template)]
#[template(path = "transfer.html")]
struct TransferPage {
    frame: Frame,
    csrf: String,
    t: TransferView,
    can_see_scan: bool,
    actions: Vec<Action>,
    /// (no address, [when, what, who])
    timeline: Vec<(&'static str, Vec<String>)>,
}

/// The words of the record that depend on the transfer, in the page's
/// language (the view's own labels are the API's, in English).
impl TransferPage {
    fn title(&self) -> String {
        self.frame.t(R::TransferTitle { reference: &self.t.reference })
    }

    fn state_label(&self) -> String {
        TState::parse(&self.t.state)
            .map_or_else(|_| self.t.state_label.clone(), |state| self.frame.t(R::StateLabel { state }))
    }

    fn next_step(&self) -> String {
        TState::parse(&self.t.state)
            .map_or_else(|_| self.t.next_step.clone(), |state| self.frame.t(R::StateNextStep { state }))
    }

    fn buyer_type(&self) -> String {
        BuyerType::parse(&self.t.buyer_type)
            .map_or_else(|_| self.t.buyer_type.clone(), |buyer_type| self.frame.t(R::BuyerTypeName { buyer_type }))
    }

    fn fee_line(&self) -> String {
        self.frame.t(R::FeeLine { amount: &self.t.fee.amount, rule: &self.t.fee.rule })
    }

    fn consent_role(&self, c: &Consent) -> String {
        let financier = ConsentRole::parse(&c.role).is_ok_and(|r| r == ConsentRole::Financier);
        self.frame.t(if financier { R::Financier } else { R::JointOwner })
    }

    fn decision(&self, c: &Consent) -> String {
        match &c.decision {
            None => self.frame.t(R::Waiting),
            Some(d) => ConsentDecision::parse(d)
                .map_or_else(|_| d.clone(), |decision| self.frame.t(R::DecisionName { decision })),
        }
    }

    fn logbook_line(&self, l: &LogbookView) -> String {
        match LogbookState::parse(&l.state) {
            Ok(state) => {
                let ready_by = domain::Date::parse(&l.ready_by)
                    .map_or_else(|_| l.ready_by.clone(), |d| texts::format::date_with_weekday(self.frame.lang, d));
                self.frame.t(R::LogbookLine { serial: &l.serial, state, ready_by: &ready_by, office: &l.office })
            }
            Err(_) => format!("{}: {}; {} {}", l.serial, l.state_label, l.ready_by, l.office),
        }
    }

    fn timeline_head(&self) -> Vec<String> {
        [R::ColWhen, R::ColWhat, R::ColWho].into_iter().map(|h| self.frame.t(h)).collect()
    }
}

/// The notice a step comes back with (empty for none).
fn notice_text(lang: Lang, code: Option<&str>) -> String {
    match code {
        Some("created") => Page::TransferStarted.render(lang),
        Some("code") => Page::CodeSent.render(lang),
        Some("done") => R::Done.render(lang),
        _ => String::new(),
    }
}

/// The transfer's timeline: (when, what, who) rows, linking nowhere.
fn timeline(lang: Lang, t: &TransferView) -> Vec<(&'static str, Vec<String>)> {
    t.timeline
        .iter()
        .map(|e| {
            let who = match (&e.actor, &e.acting_for) {
                (Some(a), Some(f)) if a != f => Page::ActingFor { person: a, org: f }.render(lang),
                (Some(a), _) => a.clone(),
                (None, _) => R::TimelineSystem.render(lang),
            };
            let what = Step::parse(&e.action)
                .map_or_else(|_| e.action.replace('_', " "), |step| R::StepName { step }.render(lang));
            ("", vec![texts::format::date_time(lang, e.at_ms), what, who])
        })
        .collect()
}

/// The transfer's page, with a notice or the errors of a step.
pub async fn transfer_page_for(
    reg: &Registry,
    me: &SignedIn,
    headers: &HeaderMap,
    id: &str,
    frame: Frame,
    status: StatusCode,
) -> Response {
    let actor = &me.actor;
    let t = match transfers::get(reg, actor, id).await {
        Ok(t) => t,
        Err(e) => return message_page(me.lang, Some(user(me.lang, actor)), e.status(), &e),
    };
    let pending = t.consents.iter().any(|c| c.party_id == actor.principal_id() && c.decision.is_none());
    let actions = actions_for(reg, Words(me.lang), &t, pending && actor.may_transact());
    let (csrf, set) = CSRF.token_for(headers);
    let can_see_scan = t.your_roles.iter().any(|r| r == "seller" || r == "officer");
    let page = TransferPage {
        frame,
        csrf,
        can_see_scan,
        actions: if actor.may_transact() || actor.is_staff() { actions } else { vec![] },
        timeline: timeline(me.lang, &t),
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
    Signed(me): Signed<Registry>,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let frame = Frame { notice: notice_text(me.lang, q.notice.as_deref()), ..Frame::of(&me) };
    Ok(transfer_page_for(&reg, &me, &headers, &id, frame, StatusCode::OK).await)
}

pub async fn scan(State(reg): State<Registry>, Signed(me): Signed<Registry>, Path(id): Path<String>) -> PageResult {
    let (ct, bytes) = transfers::logbook_scan(&reg, &me.actor, &id).await.or_show(&me)?;
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
