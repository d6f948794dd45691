//! The answers to the forms on a transfer's page: one address per step
//! (`/transfers/{id}/{step}`), each calling one use case and coming back
//! to the transfer's page with a notice, or with the step's errors.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;

use pagekit::{FormPart as _, Refused, Signed};
use texts::{Lang, Refusal, RegistryPage, Text as _, TransferRefusal};

use super::extract::SignedIn;
use super::frame::{Frame, PageResult, csrf_refused, error_lines, message_page};
use super::transfer::transfer_page_for;
use crate::http::lang;
use crate::signin::Actor;
use crate::transfers::{self, Acceptance, CodeStep, Decision};
use crate::{Error, FieldErrors, Registry};
use domain::transfer::RejectReason;

/// The fields of a step's form (each step uses those it needs).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StepFields {
    code: String,
    postal_address: String,
    collection_office: String,
    reason: String,
}

/// A step's form, urlencoded or (with the scanned logbook) multipart, its
/// CSRF token checked once it is read, by the registry's
/// [`pagekit::FormPart`] (the kit's `SignedForm` reads urlencoded forms
/// only). An unreadable one is shown on the transfer's page.
pub struct StepForm {
    fields: StepFields,
    file: Option<Vec<u8>>,
}

/// Why a step's form was not taken.
pub enum StepRefused {
    /// It could not be read: shown on the transfer's page.
    Unreadable(Error),
    /// Its CSRF token does not match the browser's.
    Csrf,
}

/// (Handlers take `Result<StepForm, StepRefused>`, to show an unreadable
/// form on the transfer's page; alone, it is an error page.)
impl IntoResponse for StepRefused {
    fn into_response(self) -> axum::response::Response {
        let lang = lang(&HeaderMap::new());
        match self {
            StepRefused::Unreadable(e) => message_page(lang, None, e.status(), &e),
            StepRefused::Csrf => csrf_refused(lang),
        }
    }
}

impl FromRequest<Registry> for StepForm {
    type Rejection = StepRefused;

    async fn from_request(req: Request, reg: &Registry) -> Result<Self, StepRefused> {
        let headers = req.headers().clone();
        let lang = lang(&headers);
        let (mut fields, file) = read_fields(req, lang).await.map_err(StepRefused::Unreadable)?;
        if !reg.csrf().check(&headers, fields.remove(pagekit::CSRF_FIELD).as_deref()) {
            return Err(StepRefused::Csrf);
        }
        let fields = StepFields::deserialize(serde::de::value::MapDeserializer::<_, serde::de::value::Error>::new(
            fields.into_iter(),
        ))
        .map_err(|_| FieldErrors::single("", Refusal::FormUnreadable.render(lang)))
        .map_err(StepRefused::Unreadable)?;
        Ok(Self { fields, file })
    }
}

/// A transfer form's fields; the scanned logbook arrives as a multipart upload.
async fn read_fields(req: Request, lang: Lang) -> Result<(HashMap<String, String>, Option<Vec<u8>>), Error> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let bad = |m: RegistryPage<'_>| FieldErrors::single("logbook", m.render(lang));
    if multipart {
        let mut mp = Multipart::from_request(req, &()).await.map_err(|_| bad(RegistryPage::UploadUnreadable))?;
        let mut f = HashMap::new();
        let mut file = None;
        while let Some(part) = mp.next_field().await.map_err(|_| bad(RegistryPage::UploadUnreadable))? {
            let name = part.name().unwrap_or_default().to_string();
            let too_large = RegistryPage::FileTooLarge { mb: (crate::scans::MAX_SCAN_BYTES >> 20) as u64 };
            let bytes = part.bytes().await.map_err(|_| bad(too_large))?;
            if name == "logbook" {
                file = Some(bytes.to_vec());
            } else {
                f.insert(name, String::from_utf8_lossy(&bytes).to_string());
            }
        }
        Ok((f, file))
    } else {
        let Form(f) = Form::<HashMap<String, String>>::from_request(req, &())
            .await
            .map_err(|_| FieldErrors::single("", Refusal::FormUnreadable.render(lang)))?;
        Ok((f, None))
    }
}

pub async fn transfer_action(
    State(reg): State<Registry>,
    Path((id, action)): Path<(String, String)>,
    headers: HeaderMap,
    Signed(me): Signed<Registry>,
    form: Result<StepForm, StepRefused>,
) -> PageResult {
    let form = match form {
        Ok(f) => f,
        Err(StepRefused::Unreadable(e)) => {
            let frame = Frame { errors: error_lines(me.lang, &e), ..Frame::of(&me) };
            return Ok(transfer_page_for(&reg, &me, &headers, &id, frame, e.status()).await);
        }
        Err(StepRefused::Csrf) => return Ok(reg.refused(Refused::Csrf)),
    };
    Ok(match run_step(&reg, &me, &id, &action, form).await {
        Ok(notice) => Redirect::to(&format!("/transfers/{id}?notice={notice}")).into_response(),
        Err(e) => {
            // Field ids on the page are prefixed by the form's action.
            let errors = error_lines(me.lang, &e)
                .into_iter()
                .map(|(f, m)| (if f.is_empty() { f } else { format!("{action}-{f}") }, m))
                .collect();
            transfer_page_for(&reg, &me, &headers, &id, Frame { errors, ..Frame::of(&me) }, e.status()).await
        }
    })
}

/// Take the step `action`; the notice to come back with.
async fn run_step(
    reg: &Registry,
    me: &SignedIn,
    id: &str,
    action: &str,
    form: StepForm,
) -> Result<&'static str, Error> {
    let (actor, lang) = (&me.actor, me.lang);
    let StepForm { fields: f, file } = form;
    let code = f.code;
    match action {
        "upload" => match &file {
            Some(bytes) if !bytes.is_empty() => transfers::upload_logbook(reg, actor, id, bytes).await.map(|_| "done"),
            _ => Err(FieldErrors::single("logbook", TransferRefusal::ChooseScan.render(lang))),
        },
        "code-submit" => transfers::send_code(reg, actor, id, CodeStep::Submit).await.map(|_| "code"),
        "code-consent" => transfers::send_code(reg, actor, id, CodeStep::Consent).await.map(|_| "code"),
        "code-answer" => transfers::send_code(reg, actor, id, CodeStep::Answer).await.map(|_| "code"),
        "submit" => transfers::submit(reg, actor, id, &code).await.map(|_| "done"),
        "approve" => transfers::consent(reg, actor, id, true, &code).await.map(|_| "done"),
        "refuse" => transfers::consent(reg, actor, id, false, &code).await.map(|_| "done"),
        "accept" => {
            let a = Acceptance { code, postal_address: f.postal_address, collection_office: f.collection_office };
            transfers::accept(reg, actor, id, &a).await.map(|_| "done")
        }
        "decline" => transfers::decline(reg, actor, id, &code).await.map(|_| "done"),
        "pay" => transfers::pay(reg, actor, id).await.map(|_| "done"),
        "cancel" => transfers::cancel(reg, actor, id).await.map(|_| "done"),
        "review-approve" => transfers::review(reg, actor, id, Decision::Approve).await.map(|_| "done"),
        "review-reject" => {
            let decision = Decision::Reject { reason: RejectReason::AnotherReason, note: &f.reason };
            transfers::review(reg, actor, id, decision).await.map(|_| "done")
        }
        "logbook-next" => next_logbook_state(reg, actor, id, lang).await.map(|_| "done"),
        _ => Err(Error::NotFound(RegistryPage::NoSuchStep.render(lang))),
    }
}

/// Move the new logbook to its next state.
async fn next_logbook_state(reg: &Registry, actor: &Actor, id: &str, lang: Lang) -> Result<(), Error> {
    let t = transfers::get(reg, actor, id).await?;
    let next =
        t.logbook.as_ref().and_then(|l| domain::transfer::LogbookState::parse(&l.state).ok()).and_then(|s| s.next());
    match next {
        Some(n) => transfers::advance_logbook(reg, actor, id, n.as_str()).await.map(|_| ()),
        None => Err(Error::Conflict(TransferRefusal::LogbookCollected.render(lang))),
    }
}
