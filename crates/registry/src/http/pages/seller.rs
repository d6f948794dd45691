//! The seller's steps after opening a transfer, a page each: upload the
//! scanned logbook; check the transfer and ask for a code; type the code
//! to submit; cancel, after a confirmation. And the officer's record of the
//! new logbook's progress, one button on the transfer's page.

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use pagekit::{Signed, SignedForm};
use texts::{Journey as J, Page, RegistryPage as R, Text as _, TransferRefusal};

use super::answer::{CodeForm, SentQuery, code_question};
use super::extract::SignedIn;
use super::form::{C, Confirm, Input, Kind, Q, Row, Start};
use super::frame::{OrShow, PageResult, error_lines};
use super::kept::{self, see_other};
use super::transfer::to_transfer;
use super::upload_form::{UploadForm, UploadRefused};
use crate::transfers::{self, CodeStep, TransferView};
use crate::{Error, FieldErrors, Registry};

fn path(id: &str, step: &str) -> String {
    format!("/transfers/{id}/{step}")
}

fn caption(me: &SignedIn, t: &TransferView) -> String {
    J::SellVehicle { reg_no: &t.registration_number }.render(me.lang)
}

/// Upload the scanned logbook.
pub async fn upload_page(
    State(reg): State<Registry>,
    headers: HeaderMap,
    Signed(me): Signed<Registry>,
    Path(id): Path<String>,
) -> PageResult {
    let t = transfers::get(&reg, &me.actor, &id).await.or_show(&me)?;
    let start = Start::new(&me, &headers, &path(&id, "upload"));
    let lang = me.lang;
    let file = Input::new(Kind::File, "logbook", "").hint(Page::ScanHint.render(lang)).filled(&start.kept, "");
    Ok(start.question(Q {
        caption: caption(&me, &t),
        title: J::UploadTheScan.render(lang),
        lead: vec![J::ScanWhatToSend.render(lang)],
        action: path(&id, "upload"),
        inputs: vec![file],
        button: R::Upload.render(lang),
        upload: true,
        back: format!("/transfers/{id}"),
        ..Q::default()
    }))
}

pub async fn upload_answer(
    State(reg): State<Registry>,
    Path(id): Path<String>,
    Signed(me): Signed<Registry>,
    form: Result<UploadForm, UploadRefused>,
) -> Response {
    let here = path(&id, "upload");
    let file = match form {
        Ok(UploadForm { file: Some(f) }) => f,
        Ok(UploadForm { file: None }) => {
            let e = FieldErrors::single("logbook", TransferRefusal::ChooseScan.render(me.lang));
            return kept::back(&here, &[], error_lines(me.lang, &e));
        }
        Err(UploadRefused::Unreadable(e)) => return kept::back(&here, &[], error_lines(me.lang, &e)),
        Err(UploadRefused::Csrf) => return super::frame::csrf_refused(me.lang),
    };
    match transfers::upload_logbook(&reg, &me.actor, &id, &file).await {
        // A transfer returned for a new scan goes on to its resubmission.
        Ok(t) if t.state == domain::transfer::State::ReturnedForScan.as_str() => see_other(&path(&id, "resubmit"), []),
        // Next: check the transfer and submit it.
        Ok(_) => see_other(&path(&id, "submit"), []),
        Err(e) => kept::back(&here, &[], error_lines(me.lang, &e)),
    }
}

/// Check the transfer before asking for the code that submits it.
pub async fn submit_page(
    State(reg): State<Registry>,
    headers: HeaderMap,
    Signed(me): Signed<Registry>,
    Path(id): Path<String>,
) -> PageResult {
    let t = transfers::get(&reg, &me.actor, &id).await.or_show(&me)?;
    let lang = me.lang;
    if t.logbook_scan.is_none() {
        return Ok(see_other(&path(&id, "upload"), []));
    }
    let start = Start::new(&me, &headers, &path(&id, "submit"));
    let mut lead = vec![J::SubmitWhatHappens.render(lang)];
    if !t.consents.is_empty() {
        lead.push(J::OthersMustConsent { n: t.consents.len() }.render(lang));
    }
    Ok(start.check(C {
        caption: caption(&me, &t),
        title: J::CheckBeforeSubmitting.render(lang),
        rows: vec![
            Row::new(R::ColVehicle.render(lang), format!("{}, {}", t.registration_number, t.vehicle), ""),
            Row::new(R::Buyer.render(lang), t.buyer.name.clone(), ""),
            Row::new(R::ScannedLogbook.render(lang), J::ScanUploaded.render(lang), path(&id, "upload")),
            Row::new(
                R::TransferFee.render(lang),
                super::sell::paid_by(t.fee.buyer_pays, t.fee.total_cents).render(lang),
                "",
            ),
        ],
        lead,
        action: path(&id, "submit"),
        button: J::SendMeTheCode.render(lang),
        back: format!("/transfers/{id}"),
        ..C::default()
    }))
}

/// Send the code that submits, and ask for it.
pub async fn submit_answer(
    State(reg): State<Registry>,
    Path(id): Path<String>,
    f: SignedForm<Registry, Confirm>,
) -> Response {
    let me = f.session;
    match transfers::send_code(&reg, &me.actor, &id, CodeStep::Submit).await {
        Ok(_) => see_other(&path(&id, "submit/code"), []),
        Err(e) => kept::back(&path(&id, "submit"), &[], error_lines(me.lang, &e)),
    }
}

/// Type the code that submits.
pub async fn submit_code_page(
    State(reg): State<Registry>,
    headers: HeaderMap,
    Signed(me): Signed<Registry>,
    Path(id): Path<String>,
    Query(q): Query<SentQuery>,
) -> PageResult {
    let t = transfers::get(&reg, &me.actor, &id).await.or_show(&me)?;
    let start = Start::new(&me, &headers, &path(&id, "submit/code"));
    let title = J::CodeToSubmit.render(me.lang);
    let back = path(&id, "submit");
    Ok(code_question(&me, start, &t, (caption(&me, &t), title), "submit", &back, q.sent()))
}

pub async fn submit_code_answer(
    State(reg): State<Registry>,
    Path(id): Path<String>,
    f: SignedForm<Registry, CodeForm>,
) -> Response {
    let SignedForm { session: me, form: f } = f;
    match transfers::submit(&reg, &me.actor, &id, &f.code).await {
        Ok(_) => to_transfer(&id, "submitted"),
        Err(e) => kept::back(&path(&id, "submit/code"), &[], error_lines(me.lang, &e)),
    }
}

/// Send a new code to submit.
pub async fn submit_resend(
    State(reg): State<Registry>,
    Path(id): Path<String>,
    f: SignedForm<Registry, Confirm>,
) -> Response {
    let me = f.session;
    match transfers::send_code(&reg, &me.actor, &id, CodeStep::Submit).await {
        Ok(_) => see_other(&format!("{}?sent=again", path(&id, "submit/code")), []),
        Err(e) => kept::back(&path(&id, "submit/code"), &[], error_lines(me.lang, &e)),
    }
}

/// Are you sure you want to cancel?
pub async fn cancel_page(
    State(reg): State<Registry>,
    headers: HeaderMap,
    Signed(me): Signed<Registry>,
    Path(id): Path<String>,
) -> PageResult {
    let t = transfers::get(&reg, &me.actor, &id).await.or_show(&me)?;
    let lang = me.lang;
    let start = Start::new(&me, &headers, &path(&id, "cancel"));
    Ok(start.question(Q {
        caption: caption(&me, &t),
        title: J::SureToCancel { reg_no: &t.registration_number }.render(lang),
        lead: vec![J::CancelWhatHappens { buyer: &t.buyer.name }.render(lang)],
        warning: J::CannotBeUndone.render(lang),
        action: path(&id, "cancel"),
        button: J::YesCancel.render(lang),
        button_style: "warning",
        back: format!("/transfers/{id}"),
        links: vec![(format!("/transfers/{id}"), J::NoKeepIt.render(lang))],
        ..Q::default()
    }))
}

pub async fn cancel_answer(
    State(reg): State<Registry>,
    Path(id): Path<String>,
    f: SignedForm<Registry, Confirm>,
) -> Response {
    let me = f.session;
    match transfers::cancel(&reg, &me.actor, &id).await {
        Ok(_) => to_transfer(&id, "cancelled"),
        Err(e) => kept::back(&path(&id, "cancel"), &[], error_lines(me.lang, &e)),
    }
}

/// The officer records the new logbook's next state (printed, collected).
pub async fn logbook_next(
    State(reg): State<Registry>,
    Path(id): Path<String>,
    f: SignedForm<Registry, Confirm>,
) -> Response {
    let me = f.session;
    let next = async {
        let t = transfers::get(&reg, &me.actor, &id).await?;
        let next = t
            .logbook
            .as_ref()
            .and_then(|l| domain::transfer::LogbookState::parse(&l.state).ok())
            .and_then(|s| s.next());
        match next {
            Some(n) => transfers::advance_logbook(&reg, &me.actor, &id, n.as_str()).await.map(|_| ()),
            None => Err(Error::Conflict(TransferRefusal::LogbookCollected.render(me.lang))),
        }
    };
    match next.await {
        Ok(()) => to_transfer(&id, "recorded"),
        Err(e) => super::frame::message_page(me.lang, Some(super::frame::user(me.lang, &me.actor)), e.status(), &e),
    }
}
