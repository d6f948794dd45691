//! Payments as the agency's staff see them: every attempt at a transfer's
//! fee with the gateway's raw result ([`attempts`]), and what came in on a
//! day ([`day_report`]), to check against the M-Pesa statement. For staff
//! only: the parties follow their fee through the transfer's payment
//! (`payment::payment`), in words, without the gateway's codes. Reads only.

use domain::AttemptState as A;
use domain::Date;
use serde::Serialize;
use texts::{PaymentsText, Text as _};

use super::{EAT_OFFSET_MS, lang, visible};
use crate::signin::Actor;
use crate::{Error, FieldErrors, Registry};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Why a payment was flagged for staff.
const ANOTHER_AMOUNT: &str = "another_amount";
const AFTER_SETTLED: &str = "refund_due";
const NO_SUCH_REFERENCE: &str = "unknown_reference";

fn staff_only(actor: &Actor) -> Result<(), Error> {
    if actor.is_staff() { Ok(()) } else { Err(Error::Forbidden(PaymentsText::StaffOnly.render(lang(actor)))) }
}

/// One attempt at a transfer's fee, with what the gateway said, raw.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct AttemptView {
    /// 1 for the first attempt at this transfer's fee, and so on.
    pub attempt_no: i64,
    /// `mpesa` (an STK push), `mpesa_c2b` (paid by paybill) or `development`.
    pub provider: String,
    #[schema(schema_with = A::schema)]
    pub state: String,
    /// The invoice's amount.
    pub amount_cents: i64,
    /// What the gateway says was paid, when it said.
    pub paid_cents: Option<i64>,
    /// The number prompted (or, by paybill, that paid), all but its first
    /// two and last three digits hidden.
    #[sqlx(skip)]
    pub payer_phone_masked: String,
    /// The gateway's name for the request (M-Pesa's `CheckoutRequestID`,
    /// or by paybill its transaction id).
    pub provider_ref: Option<String>,
    /// The gateway's result code, as sent (`0` paid; M-Pesa's 1032
    /// cancelled, 1037 no answer, 1 too little money, 2001 wrong PIN).
    pub result_code: Option<String>,
    /// The gateway's text, as sent; or why the attempt was flagged or
    /// given up on.
    pub result_desc: Option<String>,
    /// M-Pesa's receipt number, once paid.
    pub receipt: Option<String>,
    pub created_at_ms: i64,
    pub answered_at_ms: Option<i64>,
    #[serde(skip)]
    #[schema(ignore)]
    pub payer_phone: String,
}

/// Every attempt at a transfer's fee, oldest first; for staff.
#[tracing::instrument(skip_all, fields(transfer = %id, vehicle = tracing::field::Empty, actor = %actor.person.id))]
pub async fn attempts(reg: &Registry, actor: &Actor, id: &str) -> Result<Vec<AttemptView>, Error> {
    staff_only(actor)?;
    let (row, _, _) = visible(reg, actor, id).await?;
    let mut list: Vec<AttemptView> = sqlx::query_as(
        "SELECT attempt_no, provider, state, amount_cents, paid_cents, provider_ref, result_code, result_desc, \
         receipt, created_at AS created_at_ms, answered_at AS answered_at_ms, payer_phone \
         FROM reg_payment_attempts WHERE transfer_id = $1 ORDER BY attempt_no",
    )
    .bind(&row.id)
    .fetch_all(reg.db().pool())
    .await?;
    for a in &mut list {
        a.payer_phone_masked = texts::format::phone_masked(&a.payer_phone);
    }
    Ok(list)
}

/// Payments of one kind settled on the day.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProviderTotal {
    /// `mpesa` (STK push), `mpesa_c2b` (paybill) or `development`.
    pub provider: String,
    pub count: i64,
    pub amount_cents: i64,
}

/// A payment that came in but settled nothing: staff decide.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FlaggedPayment {
    /// `another_amount` (not the invoice's amount), `refund_due` (paid
    /// after the fee was settled or the transfer ended) or
    /// `unknown_reference` (a paybill payment naming no transfer).
    pub reason: String,
    pub provider: String,
    /// The transfer it was for, when it named one.
    pub transfer_reference: Option<String>,
    /// The account number typed, for a paybill payment naming no transfer.
    pub account: Option<String>,
    /// M-Pesa's receipt number (a paybill payment's transaction id).
    pub receipt: Option<String>,
    /// What was paid.
    pub amount_cents: Option<i64>,
    /// The invoice's amount, when it named a transfer.
    pub invoice_cents: Option<i64>,
    pub at_ms: i64,
}

/// Totals of a kind of payment.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Total {
    pub count: i64,
    pub amount_cents: i64,
}

/// What came in on a day (East Africa Time), as the agency's M-Pesa
/// statement should show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DayReport {
    /// The day, `YYYY-MM-DD`, East Africa Time.
    pub day: String,
    /// Its first millisecond and the first of the next day (UTC
    /// milliseconds since the epoch).
    pub from_ms: i64,
    pub to_ms: i64,
    /// Fees settled, by kind of payment.
    pub settled: Vec<ProviderTotal>,
    pub settled_total: Total,
    /// Payments that settled nothing, oldest first.
    pub flagged: Vec<FlaggedPayment>,
    /// The flagged payments to refund whole (paid after the fee was settled).
    pub refunds_due: Total,
    /// Everything that came in: settled and flagged.
    pub received: Total,
}

/// The payments report of `day` (`YYYY-MM-DD`, East Africa Time): what was
/// settled by kind, what was flagged and why, and the refunds due, by when
/// the registry learned of each payment. For staff.
#[tracing::instrument(skip_all, fields(actor = %actor.person.id))]
pub async fn day_report(reg: &Registry, actor: &Actor, day: &str) -> Result<DayReport, Error> {
    staff_only(actor)?;
    let date = Date::parse(day).map_err(|e| FieldErrors::single("day", e.message))?;
    let from = date.days_since_epoch() * DAY_MS - EAT_OFFSET_MS;
    let to = from + DAY_MS;
    let pool = reg.db().pool();
    let settled: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT provider, COUNT(*), CAST(SUM(COALESCE(paid_cents, amount_cents)) AS BIGINT) \
         FROM reg_payment_attempts WHERE state = $1 AND answered_at >= $2 AND answered_at < $3 \
         GROUP BY provider ORDER BY provider",
    )
    .bind(A::Settled.as_str())
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?;
    let settled: Vec<ProviderTotal> = settled
        .into_iter()
        .map(|(provider, count, amount_cents)| ProviderTotal { provider, count, amount_cents })
        .collect();
    let flagged = flagged(reg, from, to).await?;
    let sum = |it: &mut dyn Iterator<Item = i64>| {
        it.fold(Total::default(), |t, c| Total { count: t.count + 1, amount_cents: t.amount_cents + c })
    };
    let settled_total = Total {
        count: settled.iter().map(|s| s.count).sum(),
        amount_cents: settled.iter().map(|s| s.amount_cents).sum(),
    };
    let refunds_due =
        sum(&mut flagged.iter().filter(|f| f.reason == AFTER_SETTLED).map(|f| f.amount_cents.unwrap_or(0)));
    let flagged_total = sum(&mut flagged.iter().map(|f| f.amount_cents.unwrap_or(0)));
    let received = Total {
        count: settled_total.count + flagged_total.count,
        amount_cents: settled_total.amount_cents + flagged_total.amount_cents,
    };
    Ok(DayReport {
        day: date.to_string(),
        from_ms: from,
        to_ms: to,
        settled,
        settled_total,
        flagged,
        refunds_due,
        received,
    })
}

/// The attempts flagged on the day, and the paybill payments that named no
/// transfer, oldest first.
async fn flagged(reg: &Registry, from: i64, to: i64) -> Result<Vec<FlaggedPayment>, Error> {
    let pool = reg.db().pool();
    type Attempt = (String, String, Option<String>, i64, Option<i64>, Option<i64>);
    let attempts: Vec<Attempt> = sqlx::query_as(
        "SELECT a.provider, t.reference, a.receipt, a.amount_cents, a.paid_cents, a.answered_at \
         FROM reg_payment_attempts a JOIN reg_transfers t ON t.id = a.transfer_id \
         WHERE a.state = $1 AND a.answered_at >= $2 AND a.answered_at < $3",
    )
    .bind(A::Flagged.as_str())
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?;
    let mut list: Vec<FlaggedPayment> = attempts
        .into_iter()
        .map(|(provider, reference, receipt, invoice, paid, at)| FlaggedPayment {
            reason: if paid.is_some_and(|p| p != invoice) { ANOTHER_AMOUNT } else { AFTER_SETTLED }.to_string(),
            provider,
            transfer_reference: Some(reference),
            account: None,
            receipt,
            amount_cents: paid.or(Some(invoice)),
            invoice_cents: Some(invoice),
            at_ms: at.unwrap_or(from),
        })
        .collect();
    let unmatched: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT trans_id, bill_ref, amount_cents, received_at FROM reg_paybill_payments \
         WHERE attempt_id IS NULL AND received_at >= $1 AND received_at < $2",
    )
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?;
    list.extend(unmatched.into_iter().map(|(trans_id, account, amount, at)| FlaggedPayment {
        reason: NO_SUCH_REFERENCE.to_string(),
        provider: super::c2b::PROVIDER.to_string(),
        transfer_reference: None,
        account: Some(account),
        receipt: Some(trans_id),
        amount_cents: Some(amount),
        invoice_cents: None,
        at_ms: at,
    }));
    list.sort_by_key(|f| f.at_ms);
    Ok(list)
}
