//! The API's steps of a logbook transfer, and the officers' review.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use texts::{ApiText, Text as _};

use super::input::{JsonBody, ScanUpload};
use super::schema::{Binary, CodeSent, ScanForm, TransferPage};
use super::{Caller, PageQuery, SearchQuery, TransferPath};
use crate::http::API_LANG;
use crate::transfers::{self, Acceptance, CodeStep, Decision, NewTransfer, PaymentView, ReviewView, TransferView};
use crate::{Error, FieldErrors, Registry};

type ApiResult<T> = Result<Json<T>, Error>;

#[utoipa::path(get, path = "/api/v1/transfers", tag = "transfers", summary = "The transfers the caller is a party to",
    params(PageQuery, SearchQuery),
    responses((status = 200, description = "A page of transfers, newest first", body = TransferPage)))]
pub async fn my_transfers(
    State(reg): State<Registry>,
    Caller(a): Caller,
    Query(q): Query<PageQuery>,
    Query(search): Query<SearchQuery>,
) -> ApiResult<TransferPage> {
    let page = transfers::list_mine(&reg, &a, &q.page_request()?, &search.search(&a)?).await?;
    Ok(Json(TransferPage { transfers: page.items, next: page.next }))
}

#[utoipa::path(post, path = "/api/v1/transfers", tag = "transfers", summary = "Open a transfer (seller)",
    description = "Looking the buyer up by `buyer_id_number` counts against the caller's budget of buyers' ID \
        numbers and KRA PINs (60 in an hour, 300 in a day; a buyer looked up already costs nothing more), \
        shared with the pages. Past it the request is refused (422) on `buyer_id_number`, saying when to try \
        again. Every lookup is written down for the agency's staff.",
    request_body = NewTransfer,
    responses(
        (status = 201, description = "The transfer, opened as a draft", body = TransferView,
            headers(("Location" = String, description = "The transfer's address"))),
    ))]
pub async fn create(
    State(reg): State<Registry>,
    Caller(a): Caller,
    JsonBody(input): JsonBody<NewTransfer>,
) -> Result<Response, Error> {
    if input.buyer_type.trim() != "individual" && input.buyer_id_type.is_some() {
        return Err(FieldErrors::single("buyer_id_type", ApiText::BuyerIdTypeOnlyForIndividuals.render(API_LANG)));
    }
    let t = transfers::create(&reg, &a, &input).await?;
    let mut resp = (StatusCode::CREATED, Json(&t)).into_response();
    if let Ok(loc) = HeaderValue::from_str(&format!("/api/v1/transfers/{}", t.id)) {
        resp.headers_mut().insert(header::LOCATION, loc);
    }
    Ok(resp)
}

#[utoipa::path(get, path = "/api/v1/transfers/{id}", tag = "transfers", summary = "A transfer with its timeline",
    params(TransferPath),
    responses((status = 200, description = "The transfer", body = TransferView)))]
pub async fn transfer(
    State(reg): State<Registry>,
    Caller(a): Caller,
    Path(TransferPath { id }): Path<TransferPath>,
) -> ApiResult<TransferView> {
    Ok(Json(transfers::get(&reg, &a, &id).await?))
}

#[utoipa::path(get, path = "/api/v1/transfers/{id}/logbook-scan", tag = "transfers",
    summary = "The scanned logbook (seller and officers)",
    params(TransferPath),
    responses(
        (status = 200, description = "The scan as uploaded",
            content((Binary = "application/pdf"), (Binary = "image/jpeg"), (Binary = "image/png"))),
    ))]
pub async fn scan(
    State(reg): State<Registry>,
    Caller(a): Caller,
    Path(TransferPath { id }): Path<TransferPath>,
) -> Result<Response, Error> {
    let (ct, bytes) = transfers::logbook_scan(&reg, &a, &id).await?;
    let mut resp = bytes.into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(&ct)));
    resp.headers_mut().insert("content-disposition", HeaderValue::from_static("inline; filename=\"logbook\""));
    resp.headers_mut().insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    Ok(resp)
}

fn content_type(ct: &str) -> &'static str {
    match ct {
        "application/pdf" => "application/pdf",
        "image/jpeg" => "image/jpeg",
        "image/png" => "image/png",
        _ => "application/octet-stream",
    }
}

#[utoipa::path(put, path = "/api/v1/transfers/{id}/logbook-scan", tag = "transfers",
    summary = "Upload the scanned logbook: PDF, JPEG or PNG, at most 10 MB",
    description = "Send the file as the body (application/pdf, image/jpeg, image/png or application/octet-stream), \
                   or as multipart/form-data with one file part named logbook. The kind is recognised by content.",
    params(TransferPath),
    request_body(description = "The scanned logbook", content(
        (Binary = "application/pdf"), (Binary = "image/jpeg"), (Binary = "image/png"),
        (Binary = "application/octet-stream"), (ScanForm = "multipart/form-data"))),
    responses((status = 200, description = "The transfer, with the scan", body = TransferView)))]
pub async fn upload_scan(
    State(reg): State<Registry>,
    Caller(a): Caller,
    Path(TransferPath { id }): Path<TransferPath>,
    ScanUpload(b): ScanUpload,
) -> ApiResult<TransferView> {
    Ok(Json(transfers::upload_logbook(&reg, &a, &id, &b).await?))
}

/// Which step a code is for.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepBody {
    /// submit (the seller); approve or refuse (a joint owner or the
    /// financier); accept or decline (the buyer). A code for one answer
    /// takes no other. (consent and answer, a code good for either answer,
    /// are kept for older clients.)
    #[serde(default)]
    #[schema(required = true, schema_with = super::schema::code_step)]
    step: String,
}

#[utoipa::path(post, path = "/api/v1/transfers/{id}/codes", tag = "transfers", summary = "Send an SMS code for a step",
    params(TransferPath),
    request_body = StepBody,
    responses((status = 202, description = "The code is on its way", body = CodeSent)))]
pub async fn send_code(
    State(reg): State<Registry>,
    Caller(a): Caller,
    Path(TransferPath { id }): Path<TransferPath>,
    JsonBody(input): JsonBody<StepBody>,
) -> Result<(StatusCode, Json<CodeSent>), Error> {
    let step = CodeStep::parse(&input.step)?;
    let sent_to = transfers::send_code(&reg, &a, &id, step).await?;
    Ok((StatusCode::ACCEPTED, Json(CodeSent { sent_to, valid_for_seconds: 300 })))
}

/// An SMS code.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeBody {
    /// The 6-digit code from the SMS.
    #[serde(default)]
    #[schema(required = true, pattern = "^[0-9]{6}$", example = "123456")]
    code: String,
}

#[utoipa::path(post, path = "/api/v1/transfers/{id}/submit", tag = "transfers", summary = "The seller submits with the code",
    params(TransferPath),
    request_body = CodeBody,
    responses((status = 200, description = "The transfer, submitted", body = TransferView)))]
pub async fn submit(
    State(reg): State<Registry>,
    Caller(a): Caller,
    Path(TransferPath { id }): Path<TransferPath>,
    JsonBody(input): JsonBody<CodeBody>,
) -> ApiResult<TransferView> {
    Ok(Json(transfers::submit(&reg, &a, &id, &input.code).await?))
}

/// A joint owner's or the financier's answer.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentBody {
    /// The 6-digit code from the SMS.
    #[serde(default)]
    #[schema(required = true, pattern = "^[0-9]{6}$", example = "123456")]
    code: String,
    /// true to approve, false to refuse.
    #[schema(value_type = bool, required = true)]
    approve: Option<bool>,
}

#[utoipa::path(post, path = "/api/v1/transfers/{id}/consent", tag = "transfers",
    summary = "A joint owner or the financier approves or refuses with a code",
    params(TransferPath),
    request_body = ConsentBody,
    responses((status = 200, description = "The transfer, with the answer", body = TransferView)))]
pub async fn consent(
    State(reg): State<Registry>,
    Caller(a): Caller,
    Path(TransferPath { id }): Path<TransferPath>,
    JsonBody(input): JsonBody<ConsentBody>,
) -> ApiResult<TransferView> {
    let approve =
        input.approve.ok_or_else(|| FieldErrors::single("approve", ApiText::SayApproveOrRefuse.render(API_LANG)))?;
    Ok(Json(transfers::consent(&reg, &a, &id, approve, &input.code).await?))
}

#[utoipa::path(post, path = "/api/v1/transfers/{id}/accept", tag = "transfers",
    summary = "The buyer accepts with a code; the fee is paid next (pay)",
    params(TransferPath),
    request_body = Acceptance,
    responses((status = 200, description = "The transfer, accepted", body = TransferView)))]
pub async fn accept(
    State(reg): State<Registry>,
    Caller(a): Caller,
    Path(TransferPath { id }): Path<TransferPath>,
    JsonBody(input): JsonBody<Acceptance>,
) -> ApiResult<TransferView> {
    Ok(Json(transfers::accept(&reg, &a, &id, &input).await?))
}

#[utoipa::path(post, path = "/api/v1/transfers/{id}/decline", tag = "transfers", summary = "The buyer declines with a code",
    params(TransferPath),
    request_body = CodeBody,
    responses((status = 200, description = "The transfer, declined", body = TransferView)))]
pub async fn decline(
    State(reg): State<Registry>,
    Caller(a): Caller,
    Path(TransferPath { id }): Path<TransferPath>,
    JsonBody(input): JsonBody<CodeBody>,
) -> ApiResult<TransferView> {
    Ok(Json(transfers::decline(&reg, &a, &id, &input.code).await?))
}

/// No fields: an empty body, or `{}`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Nothing {}

/// Which number the payment gateway prompts.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"phone": "0712 345 678"}))]
pub struct PayBody {
    /// Any Kenyan mobile number (07…, 01…, 254…, +254…), e.g. the buying
    /// organisation's own; the caller's own number when left out.
    #[schema(max_length = 20, pattern = "^[+0-9 ()-]{9,20}$")]
    phone: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/transfers/{id}/pay", tag = "transfers",
    summary = "The buyer pays the fee (again, if a try failed), from their own number or another",
    description = "Asks the payment gateway to prompt `phone` (the caller's own number when left out). With a \
        gateway that settles at once the transfer enters review; otherwise it waits for the payer: see \
        `GET /api/v1/transfers/{id}/payment`. A second request while one waits for the payer is refused (409).",
    params(TransferPath),
    request_body(content = PayBody, description = "The number to prompt, or nothing: an empty body, or {}"),
    responses((status = 200, description = "The transfer, with the payment asked for", body = TransferView)))]
pub async fn pay(
    State(reg): State<Registry>,
    Caller(a): Caller,
    Path(TransferPath { id }): Path<TransferPath>,
    JsonBody(input): JsonBody<PayBody>,
) -> ApiResult<TransferView> {
    Ok(Json(transfers::pay(&reg, &a, &id, input.phone.as_deref()).await?))
}

#[utoipa::path(get, path = "/api/v1/transfers/{id}/payment", tag = "transfers",
    summary = "Where the transfer's fee stands: the receipt once it is paid (its parties and officers)",
    params(TransferPath),
    responses((status = 200, description = "The payment", body = PaymentView)))]
pub async fn payment(
    State(reg): State<Registry>,
    Caller(a): Caller,
    Path(TransferPath { id }): Path<TransferPath>,
) -> ApiResult<PaymentView> {
    Ok(Json(transfers::payment(&reg, &a, &id).await?))
}

#[utoipa::path(post, path = "/api/v1/transfers/{id}/cancel", tag = "transfers",
    summary = "The seller cancels, until the buyer accepts",
    params(TransferPath),
    request_body(content = Nothing, description = "Nothing: an empty body, or {}"),
    responses((status = 200, description = "The transfer, cancelled", body = TransferView)))]
pub async fn cancel(
    State(reg): State<Registry>,
    Caller(a): Caller,
    Path(TransferPath { id }): Path<TransferPath>,
    JsonBody(_nothing): JsonBody<Nothing>,
) -> ApiResult<TransferView> {
    Ok(Json(transfers::cancel(&reg, &a, &id).await?))
}

/// The refund staff made of a fee due back.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundBody {
    /// The refund's own reference (the M-Pesa reversal's, or the bank's).
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 40, pattern = "^[A-Za-z0-9-]+$")]
    pub reference: String,
}

#[utoipa::path(post, path = "/api/v1/transfers/{id}/refund", tag = "review",
    summary = "Staff record the refund of a fee due back, with its reference",
    params(TransferPath),
    request_body = RefundBody,
    responses((status = 200, description = "The payment, refunded", body = PaymentView)))]
pub async fn refund(
    State(reg): State<Registry>,
    Caller(a): Caller,
    Path(TransferPath { id }): Path<TransferPath>,
    JsonBody(input): JsonBody<RefundBody>,
) -> ApiResult<PaymentView> {
    Ok(Json(transfers::refund(&reg, &a, &id, &input.reference).await?))
}

/// An officer's decision.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    #[serde(default)]
    #[schema(required = true, schema_with = super::schema::review_decision)]
    decision: String,
    /// Why, when rejecting, from the list: the first four (about the scan)
    /// return the transfer to the seller for a new scan, the others end it.
    /// Defaults to another_reason when only `reason` is given.
    #[schema(schema_with = domain::transfer::RejectReason::schema_or_null)]
    reason_code: Option<String>,
    /// The officer's own words, at most 500 characters: required with
    /// another_reason, optional with the others. The parties read them.
    reason: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/transfers/{id}/review", tag = "review",
    summary = "What an officer checks the scanned logbook against",
    description = "The vehicle as the register holds it, its owners, the seller and the buyer as the registers give \
                   them, the fee paid and the scan's address; for staff who are no party to the transfer, while it \
                   is in review.",
    params(TransferPath),
    responses((status = 200, description = "The review", body = ReviewView)))]
pub async fn review_view(
    State(reg): State<Registry>,
    Caller(a): Caller,
    Path(TransferPath { id }): Path<TransferPath>,
) -> ApiResult<ReviewView> {
    Ok(Json(transfers::inspect(&reg, &a, &id).await?))
}

#[utoipa::path(post, path = "/api/v1/transfers/{id}/review", tag = "review",
    summary = "An officer approves, or rejects with a reason from the list",
    params(TransferPath),
    request_body = ReviewBody,
    responses((status = 200, description = "The transfer, decided (or returned to the seller for a new scan)",
        body = TransferView)))]
pub async fn review(
    State(reg): State<Registry>,
    Caller(a): Caller,
    Path(TransferPath { id }): Path<TransferPath>,
    JsonBody(input): JsonBody<ReviewBody>,
) -> ApiResult<TransferView> {
    let decision = match input.decision.as_str() {
        "approve" => Decision::Approve,
        "reject" => {
            let reason = match input.reason_code.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
                Some(c) => domain::transfer::RejectReason::parse(c)
                    .map_err(|e| FieldErrors::single("reason_code", e.message))?,
                None => domain::transfer::RejectReason::AnotherReason,
            };
            Decision::Reject { reason, note: input.reason.as_deref().unwrap_or_default() }
        }
        _ => return Err(FieldErrors::single("decision", ApiText::ChooseApproveOrReject.render(API_LANG))),
    };
    Ok(Json(transfers::review(&reg, &a, &id, decision).await?))
}

/// Where the new logbook is now.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LogbookBody {
    /// The next state: printing, then ready_for_collection, then collected.
    #[serde(default)]
    #[schema(required = true, schema_with = super::schema::logbook_state)]
    state: String,
}

#[utoipa::path(post, path = "/api/v1/transfers/{id}/logbook", tag = "review", summary = "Move the new logbook on",
    params(TransferPath),
    request_body = LogbookBody,
    responses((status = 200, description = "The transfer, with the logbook moved on", body = TransferView)))]
pub async fn logbook(
    State(reg): State<Registry>,
    Caller(a): Caller,
    Path(TransferPath { id }): Path<TransferPath>,
    JsonBody(input): JsonBody<LogbookBody>,
) -> ApiResult<TransferView> {
    Ok(Json(transfers::advance_logbook(&reg, &a, &id, &input.state).await?))
}

#[utoipa::path(get, path = "/api/v1/review-queue", tag = "review", summary = "Transfers waiting for review, oldest first",
    params(PageQuery, SearchQuery),
    responses((status = 200, description = "A page of the queue", body = TransferPage)))]
pub async fn queue(
    State(reg): State<Registry>,
    Caller(a): Caller,
    Query(q): Query<PageQuery>,
    Query(search): Query<SearchQuery>,
) -> ApiResult<TransferPage> {
    let page = transfers::queue(&reg, &a, &q.page_request()?, &search.search(&a)?).await?;
    Ok(Json(TransferPage { transfers: page.items, next: page.next }))
}
