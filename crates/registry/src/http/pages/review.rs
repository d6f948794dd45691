//! The officer's review: the scanned logbook beside every field it is
//! checked against (`/transfers/{id}/review`), the scan itself for that
//! page to embed, and the two decisions on pages of their own: approving
//! after "Are you sure?" (`…/review/approve`) and rejecting with a reason
//! from the list and the officer's words (`…/review/reject`). Each calls
//! one use case (`transfers::inspect`, `transfers::review`); who may see
//! and decide is theirs to say.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use domain::transfer::RejectReason;
use domain::{DocType, OwnerRole, PartyKind};
use pagekit::Signed;
use texts::{Lang, RegistryPage as R, ReviewText as V, Text as _};

use super::frame::{Frame, OrShow, PageResult, render};
use crate::Registry;
use crate::transfers::inspect::RegisteredParty;
use crate::transfers::{self, ReviewView};

/// A record's lines: (label, value).
type Lines = Vec<(String, String)>;

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage {
    frame: Frame,
    title: String,
    id: String,
    /// Whether the scan is a PDF (else an image), if there is one.
    scan: Option<bool>,
    vehicle: Lines,
    /// Each owner's lines.
    owners: Vec<Lines>,
    seller: Lines,
    buyer: Lines,
    payment: Lines,
    /// "In the queue since …" (empty before it is queued).
    queued: String,
    earlier: Option<String>,
}

/// How a party's document reads: "National ID 12345678", "KRA PIN P051…".
fn document(lang: Lang, doc_type: &str, number: &str) -> String {
    let kind = match DocType::parse(doc_type) {
        Ok(DocType::Person(account_type)) => V::PersonDocument { account_type }.render(lang),
        Ok(DocType::KraPin) => V::KraPin.render(lang),
        // A document the register does not name: its number alone.
        Err(_) => return number.to_string(),
    };
    format!("{kind} {number}")
}

/// What kind of party: a person, or an organisation of the KRA register's kind.
fn party_kind(lang: Lang, kind: &str, org_kind: Option<&str>) -> String {
    match (PartyKind::parse(kind), org_kind.and_then(|k| domain::org::OrgKind::parse(k).ok())) {
        (Ok(PartyKind::Person), _) => V::PersonKind.render(lang),
        (_, Some(kind)) => V::OrgKindFromKra { kind }.render(lang),
        _ => V::NotInKraRegister.render(lang),
    }
}

fn party_lines(lang: Lang, p: &RegisteredParty) -> Lines {
    vec![
        (V::Name.render(lang), p.name.clone()),
        (V::Kind.render(lang), party_kind(lang, &p.kind, p.org_kind.as_deref())),
        (V::Document.render(lang), document(lang, &p.doc_type, &p.doc_number)),
    ]
}

fn vehicle_lines(lang: Lang, v: &ReviewView) -> Lines {
    let c = &v.vehicle;
    let mut lines = vec![
        (R::RegistrationNumber.render(lang), c.registration_number.clone()),
        (R::Chassis.render(lang), c.chassis_number.clone()),
        (R::EngineNumber.render(lang), c.engine_number.clone()),
        (V::Make.render(lang), c.make.clone()),
        (V::Model.render(lang), c.model.clone()),
        (V::Body.render(lang), c.body.clone()),
        (V::Colour.render(lang), c.colour.clone()),
        (R::Year.render(lang), c.year.to_string()),
    ];
    if let Some(cc) = c.engine_cc {
        lines.push((R::Engine.render(lang), V::EngineCapacity { cc }.render(lang)));
    }
    lines.push((R::LogbookSerial.render(lang), c.logbook_serial.clone()));
    lines
}

fn owner_lines(lang: Lang, v: &ReviewView) -> Vec<Lines> {
    v.owners
        .iter()
        .map(|o| {
            let role = OwnerRole::parse(&o.role)
                .map_or_else(|_| o.role.clone(), |role| V::OwnerRoleName { role }.render(lang));
            let kind = if PartyKind::parse(&o.kind) == Ok(PartyKind::Person) { V::PersonKind } else { V::OrgParty };
            vec![
                (V::Name.render(lang), o.name.clone()),
                (V::Role.render(lang), role),
                (V::Kind.render(lang), kind.render(lang)),
                (V::Document.render(lang), document(lang, &o.doc_type, &o.doc_number)),
            ]
        })
        .collect()
}

fn payment_lines(lang: Lang, v: &ReviewView) -> Lines {
    let mut lines = vec![(
        R::TransferFee.render(lang),
        V::FeePaid { amount: &v.fee.amount, reference: v.payment_ref.as_deref().unwrap_or_default() }.render(lang),
    )];
    if let Some(d) = v.review_deadline.as_deref().and_then(|d| domain::Date::parse(d).ok()) {
        lines.push((R::ReviewDueBy.render(lang), texts::format::date_with_weekday(lang, d)));
    }
    lines
}

/// The review page: the scan beside the record.
pub async fn review_page(
    State(reg): State<Registry>,
    Signed(me): Signed<Registry>,
    Path(id): Path<String>,
) -> PageResult {
    let v = transfers::inspect(&reg, &me.actor, &id).await.or_show(&me)?;
    let lang = me.lang;
    let earlier = v.earlier_return.as_ref().map(|e| {
        let reason = RejectReason::parse(&e.reason_code)
            .map_or_else(|_| e.reason_code.clone(), |reason| V::ReasonName { reason }.render(lang));
        match &e.reason {
            Some(words) => format!("{reason}: {words}"),
            None => reason,
        }
    });
    let page = ReviewPage {
        title: V::ReviewTitle { reference: &v.reference }.render(lang),
        scan: v.scan.as_ref().map(|s| s.content_type == "application/pdf"),
        vehicle: vehicle_lines(lang, &v),
        owners: owner_lines(lang, &v),
        seller: party_lines(lang, &v.seller),
        buyer: party_lines(lang, &v.buyer),
        payment: payment_lines(lang, &v),
        queued: v
            .queued_at_ms
            .map(|q| V::QueuedOn { date: &texts::format::date(lang, transfers::today_eat(q)) }.render(lang))
            .unwrap_or_default(),
        earlier,
        id: v.id,
        frame: Frame::of(&me),
    };
    Ok(render(StatusCode::OK, &page, Option::<HeaderValue>::None))
}

/// The scan, for the review page to embed: the same bytes as the
/// transfer's scan, allowed in a frame of this site's own pages only.
pub async fn review_scan(
    State(reg): State<Registry>,
    Signed(me): Signed<Registry>,
    Path(id): Path<String>,
) -> PageResult {
    let (ct, bytes) = transfers::logbook_scan(&reg, &me.actor, &id).await.or_show(&me)?;
    let ct = match ct.as_str() {
        "application/pdf" => "application/pdf",
        "image/jpeg" => "image/jpeg",
        "image/png" => "image/png",
        _ => "application/octet-stream",
    };
    let headers = [
        (header::CONTENT_TYPE, ct),
        (header::CACHE_CONTROL, "no-store"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::CONTENT_SECURITY_POLICY, "default-src 'none'; frame-ancestors 'self'"),
        (header::X_FRAME_OPTIONS, "SAMEORIGIN"),
    ];
    Ok((headers, bytes).into_response())
}
