//! The payments the agency's staff see: every attempt at a transfer's fee
//! with the gateway's raw result codes, and the day's payments report to
//! check against the M-Pesa statement. Staff only: anyone else is refused
//! (403), whether or not the transfer exists, and its parties follow their
//! fee through `GET /api/v1/transfers/{id}/payment`, without raw codes.

use axum::Json;
use axum::extract::{Path, Query, State};

use super::{Caller, TransferPath};
use crate::transfers::{self, AttemptView, DayReport};
use crate::{Error, Registry};

/// Every attempt at a transfer's fee, oldest first.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct AttemptList {
    pub attempts: Vec<AttemptView>,
}

#[utoipa::path(get, path = "/api/v1/transfers/{id}/payments", tag = "review",
    summary = "Every attempt at the transfer's fee, with the gateway's raw results (staff)",
    description = "Each STK push and each paybill payment (`mpesa_c2b`) made for the transfer's fee: its state, \
        the invoice's amount and what was paid, the payer's number masked, the gateway's result code and text as \
        sent, the receipt, and when it was asked and answered. For the agency's staff only; anyone else is \
        refused (403). The parties see their fee at `GET /api/v1/transfers/{id}/payment`.",
    params(TransferPath),
    responses((status = 200, description = "The attempts, oldest first", body = AttemptList)))]
pub async fn attempts(
    State(reg): State<Registry>,
    Caller(a): Caller,
    Path(TransferPath { id }): Path<TransferPath>,
) -> Result<Json<AttemptList>, Error> {
    Ok(Json(AttemptList { attempts: transfers::attempts(&reg, &a, &id).await? }))
}

/// Which day.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DayQuery {
    /// The day, `YYYY-MM-DD`, in East Africa Time (Africa/Nairobi).
    #[param(pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", example = "2026-12-08")]
    day: String,
}

#[utoipa::path(get, path = "/api/v1/payments/report", tag = "review",
    summary = "The day's payments: settled by kind, flagged and why, refunds due (staff)",
    description = "Fees settled on the day (East Africa Time) by STK push (`mpesa`) and by paybill \
        (`mpesa_c2b`), with counts and sums; the payments that settled nothing (another amount, paid after the \
        fee was settled: a refund due, or a paybill account number no transfer has), each with its amount and \
        why; and all that came in, which the agency's M-Pesa statement for the day should show. A payment counts \
        on the day the registry learned of it. For the agency's staff only.",
    params(DayQuery),
    responses((status = 200, description = "The report", body = DayReport)))]
pub async fn report(
    State(reg): State<Registry>,
    Caller(a): Caller,
    Query(q): Query<DayQuery>,
) -> Result<Json<DayReport>, Error> {
    Ok(Json(transfers::day_report(&reg, &a, &q.day).await?))
}

#[utoipa::path(post, path = "/api/v1/payments/statement", tag = "review",
    summary = "Reconcile the agency's M-Pesa statement: apply what tims never heard of (staff)",
    description = "The body is the statement as the M-Pesa organisation portal exports it (CSV; columns found by \
        name: \"Receipt No.\" and \"Paid In\" required, \"A/C No.\" and \"Transaction Status\" read when present). \
        Each completed line paid in is matched on its receipt number: one tims already has is counted as known; \
        another is applied to the STK request of the transfer its account number names that still waits for an \
        answer with that amount (a callback lost while tims was down), or else kept as a paybill payment (which \
        settles the invoice, or is flagged for staff, as a confirmation would). A line for a transfer the uploader \
        is a party to is left for another member of staff. Uploading a statement again changes nothing. For the \
        agency's staff only; a statement that cannot be read is refused with the line and what is wrong (422).",
    request_body(description = "The statement, CSV", content((String = "text/csv"))),
    responses((status = 200, description = "What the statement changed", body = transfers::StatementReport)))]
pub async fn statement(
    State(reg): State<Registry>,
    Caller(a): Caller,
    body: axum::body::Bytes,
) -> Result<Json<transfers::StatementReport>, Error> {
    let text = String::from_utf8_lossy(&body).into_owned();
    Ok(Json(transfers::statement::reconcile(&reg, &a, text).await?))
}
