//! Requests to the payment gateway, one row each in `reg_payment_attempts`:
//! recorded before the gateway is asked (in the transaction that claims the
//! payment, so two taps make one request), reached by the gateway's
//! callback only through the attempt's own secret address, and settled,
//! failed or flagged for staff exactly once, however many times and in
//! whatever order the callback and our queries tell us.
//!
//! [`apply`] is the one place an outcome changes anything: the callback
//! route, the reconciliation job and the development payer's page all come
//! through it.

use db::WriteTx;
use domain::AttemptState as A;
use secure::{new_id, sha256_hex, token};

use crate::payments::{Callback, Outcome};
use crate::{Error, Registry};

use super::store::Row;

/// An attempt just recorded: its id, and the secret of its callback
/// address (kept only as a hash).
#[derive(Debug, Clone)]
pub struct NewAttempt {
    pub id: String,
    pub secret: String,
}

/// Record, in the caller's transaction (the one that claimed the payment),
/// that the gateway is about to be asked for `row`'s fee. Attempts are
/// numbered per transfer; two racing for the same number cannot both be
/// written.
pub(super) async fn record(
    tx: &mut WriteTx,
    row: &Row,
    payer: (&str, &domain::Phone),
    provider: &str,
    now: i64,
) -> Result<NewAttempt, Error> {
    let (payer_id, phone) = payer;
    let secret = token();
    let id = new_id();
    sqlx::query(
        "INSERT INTO reg_payment_attempts (id, transfer_id, attempt_no, amount_cents, payer_id, payer_phone, provider, \
         secret_hash, state, created_at) SELECT $1, $2, COALESCE(MAX(attempt_no), 0) + 1, $3, $4, $5, $6, $7, $8, $9 \
         FROM reg_payment_attempts WHERE transfer_id = $2",
    )
    .bind(&id)
    .bind(&row.id)
    .bind(row.invoice().total_cents())
    .bind(payer_id)
    .bind(phone.as_str())
    .bind(provider)
    .bind(sha256_hex(secret.as_bytes()))
    .bind(A::Requested.as_str())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(NewAttempt { id, secret })
}

/// Where the gateway sends its answer for an attempt.
pub(super) fn callback_url(reg: &Registry, secret: &str) -> String {
    format!("{}/payments/callback/{secret}", reg.config().public_url.trim_end_matches('/'))
}

/// The gateway took the request: remember its name for it (a callback that
/// came first has settled the attempt already; the name is still kept).
pub(super) async fn pending(reg: &Registry, attempt: &str, provider_ref: &str) -> Result<(), Error> {
    let mut tx = reg.db().begin_write().await?;
    pending_in(&mut tx, attempt, provider_ref).await?;
    tx.commit().await?;
    Ok(())
}

/// [`pending`] in the caller's transaction.
pub(super) async fn pending_in(tx: &mut WriteTx, attempt: &str, provider_ref: &str) -> Result<(), Error> {
    adapters::crashpoint("payment.pushed_unstored");
    let q = sqlx::query(
        "UPDATE reg_payment_attempts SET provider_ref = COALESCE(provider_ref, $2), \
         state = CASE WHEN state IN ($3, $4) THEN $5 ELSE state END WHERE id = $1",
    )
    .bind(attempt)
    .bind(provider_ref)
    .bind(A::Requested.as_str())
    .bind(A::Unknown.as_str())
    .bind(A::Pending.as_str());
    q.execute(&mut **tx).await?;
    Ok(())
}

/// The request surely never reached the payer (`failed`), or may have
/// (`unknown`: the callback or a query will tell).
pub(super) async fn not_sent(reg: &Registry, attempt: &str, failed: bool, detail: &str) -> Result<(), Error> {
    let to = if failed { A::Failed } else { A::Unknown };
    let q = sqlx::query("UPDATE reg_payment_attempts SET state = $2, result_desc = $3 WHERE id = $1 AND state = $4")
        .bind(attempt)
        .bind(to.as_str())
        .bind(detail)
        .bind(A::Requested.as_str());
    reg.db().execute_write(q).await?;
    Ok(())
}

/// An attempt as [`apply`] needs it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(super) struct Attempt {
    pub id: String,
    pub transfer_id: String,
    pub attempt_no: i64,
    pub amount_cents: i64,
    pub payer_id: String,
    pub provider: String,
    pub provider_ref: Option<String>,
    pub state: String,
    pub receipt: Option<String>,
}

const ATTEMPT: &str = "SELECT id, transfer_id, attempt_no, amount_cents, payer_id, provider, provider_ref, state, \
     receipt FROM reg_payment_attempts";

/// The attempt whose callback address carries `secret`.
pub async fn by_secret(reg: &Registry, secret: &str) -> Result<Option<String>, Error> {
    if secret.len() > 128 {
        return Ok(None);
    }
    let q = sqlx::query_scalar("SELECT id FROM reg_payment_attempts WHERE secret_hash = $1");
    Ok(q.bind(sha256_hex(secret.as_bytes())).fetch_optional(reg.db().pool()).await?)
}

/// The attempt the gateway `provider` knows as `provider_ref`.
pub async fn by_provider_ref(reg: &Registry, provider: &str, provider_ref: &str) -> Result<Option<String>, Error> {
    let q = sqlx::query_scalar("SELECT id FROM reg_payment_attempts WHERE provider = $1 AND provider_ref = $2");
    Ok(q.bind(provider).bind(provider_ref).fetch_optional(reg.db().pool()).await?)
}

/// What [`apply`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// The fee is paid: the transfer went to the officers' queue.
    Settled,
    /// The attempt failed; another may be started.
    Failed,
    /// Paid, but with another amount than asked, or after the fee had been
    /// paid or the transfer had ended: left for staff.
    Flagged,
    /// Nothing changed: the attempt had its answer already, or the gateway
    /// has none yet.
    Unchanged,
}

/// A callback names another request than the attempt's address does.
#[derive(Debug, thiserror::Error)]
#[error("the callback names another request than its address")]
pub struct Mismatch;

/// Apply what the gateway says of an attempt, in one transaction with what
/// it causes (the transfer's next state and its SMS). Idempotent: an
/// attempt is settled, failed or flagged once; a repeated or late answer
/// changes nothing (a receipt missing from an earlier answer is kept).
#[tracing::instrument(skip_all, fields(attempt = %attempt_id))]
pub async fn apply(reg: &Registry, attempt_id: &str, callback: &Callback) -> Result<Result<Applied, Mismatch>, Error> {
    adapters::crashpoint("payment.answer_unapplied");
    let mut tx = reg.db().begin_write().await?;
    let applied = match apply_in(&mut tx, attempt_id, callback, reg.now_ms()).await? {
        Ok(applied) => applied,
        Err(mismatch) => return Ok(Err(mismatch)),
    };
    tx.commit().await?;
    committed(reg, applied);
    Ok(Ok(applied))
}

/// Once the transaction that applied an answer has committed: a settled
/// fee's SMS go out at once, and the answer is counted.
pub(super) fn committed(reg: &Registry, applied: Applied) {
    if applied == Applied::Settled {
        reg.wake_outbox();
    }
    metrics::counter!("tims_payment_answers_total", "applied" => format!("{applied:?}").to_lowercase()).increment(1);
}

/// [`apply`] in the caller's transaction (one that recorded the attempt
/// with its answer, as a paybill payment is); the caller commits, then
/// calls [`committed`].
pub(super) async fn apply_in(
    tx: &mut WriteTx,
    attempt_id: &str,
    callback: &Callback,
    now: i64,
) -> Result<Result<Applied, Mismatch>, Error> {
    let q = format!("{ATTEMPT} WHERE id = $1");
    let Some(first) =
        sqlx::query_as::<_, Attempt>(sqlx::AssertSqlSafe(q.clone())).bind(attempt_id).fetch_optional(&mut **tx).await?
    else {
        return Ok(Ok(Applied::Unchanged));
    };
    // Serialise the answers about one transfer; then read the attempt again.
    tx.lock_row("reg_transfers", &first.transfer_id).await?;
    let a: Attempt = sqlx::query_as(sqlx::AssertSqlSafe(q)).bind(attempt_id).fetch_one(&mut **tx).await?;
    if a.provider_ref.as_deref().is_some_and(|r| r != callback.provider_ref) {
        return Ok(Err(Mismatch));
    }
    let done = [A::Settled.as_str(), A::Flagged.as_str()].contains(&a.state.as_str());
    let applied = match &callback.outcome {
        Outcome::Waiting => Applied::Unchanged,
        Outcome::Paid { receipt, .. } if done => {
            if let (Some(had), Some(new)) = (a.receipt.as_deref(), receipt.as_deref())
                && had != new
            {
                // Another payment than the one counted for this request:
                // staff must find it (the statement shows both receipts).
                tracing::warn!(attempt = a.id, had, new, "a second receipt for one payment request: check it");
                metrics::counter!("tims_payments_flagged_total").increment(1);
            }
            keep_receipt(tx, &a, receipt.as_deref()).await?;
            Applied::Unchanged
        }
        Outcome::Failed { .. } if done => Applied::Unchanged,
        Outcome::Failed { code, description } => {
            fail(tx, &a, &callback.provider_ref, code, description, now).await?;
            Applied::Failed
        }
        Outcome::Paid { receipt: Some(r), .. } if held_elsewhere(tx, &a, r).await? => {
            same_payment(tx, &a, &callback.provider_ref, r, now).await?;
            Applied::Flagged
        }
        Outcome::Paid { receipt, amount_cents, phone, .. } => {
            let paid = Paid { receipt: receipt.as_deref(), amount_cents: *amount_cents, phone: phone.as_deref() };
            paid_in(tx, &a, &callback.provider_ref, paid, now).await?
        }
    };
    Ok(Ok(applied))
}

/// Whether another attempt holds the receipt `receipt`: the same money,
/// heard of twice (a paybill confirmation or a statement line, and then
/// the STK push's late callback).
async fn held_elsewhere(tx: &mut WriteTx, a: &Attempt, receipt: &str) -> Result<bool, Error> {
    let q = sqlx::query_scalar::<_, String>("SELECT id FROM reg_payment_attempts WHERE receipt = $1 AND id != $2");
    Ok(q.bind(receipt).bind(&a.id).fetch_optional(&mut **tx).await?.is_some())
}

/// `a` was answered with a payment another attempt has counted: flagged,
/// so that staff see it, and counted once (never settled, never refunded).
async fn same_payment(tx: &mut WriteTx, a: &Attempt, provider_ref: &str, receipt: &str, now: i64) -> Result<(), Error> {
    sqlx::query(
        "UPDATE reg_payment_attempts SET state = $2, provider_ref = COALESCE(provider_ref, NULLIF($3, '')), \
         result_code = '0', result_desc = $4, answered_at = $5, receipt = $6 WHERE id = $1",
    )
    .bind(&a.id)
    .bind(A::Flagged.as_str())
    .bind(provider_ref)
    .bind(format!("the same payment ({receipt}) came in on another attempt: counted once, nothing to refund"))
    .bind(now)
    .bind(receipt)
    .execute(&mut **tx)
    .await?;
    tracing::warn!(attempt = a.id, receipt, "a payment heard of twice was counted once");
    Ok(())
}

/// What a payment's answer says was paid.
#[derive(Debug, Clone, Copy)]
struct Paid<'a> {
    receipt: Option<&'a str>,
    amount_cents: Option<i64>,
    phone: Option<&'a str>,
}

async fn keep_receipt(tx: &mut WriteTx, a: &Attempt, receipt: Option<&str>) -> Result<(), Error> {
    if a.receipt.is_none()
        && let Some(r) = receipt
    {
        let q = sqlx::query("UPDATE reg_payment_attempts SET receipt = $2 WHERE id = $1 AND receipt IS NULL");
        q.bind(&a.id).bind(r).execute(&mut **tx).await?;
        if a.state == A::Settled.as_str() {
            let q =
                sqlx::query("UPDATE reg_payments SET provider_ref = $2 WHERE transfer_id = $1 AND provider_ref = $3");
            q.bind(&a.transfer_id)
                .bind(r)
                .bind(a.provider_ref.as_deref().unwrap_or_default())
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

async fn fail(
    tx: &mut WriteTx,
    a: &Attempt,
    provider_ref: &str,
    code: &str,
    description: &str,
    now: i64,
) -> Result<(), Error> {
    sqlx::query(
        "UPDATE reg_payment_attempts SET state = $2, provider_ref = COALESCE(provider_ref, $3), result_code = $4, \
         result_desc = $5, answered_at = $6 WHERE id = $1",
    )
    .bind(&a.id)
    .bind(A::Failed.as_str())
    .bind(provider_ref)
    .bind(code)
    .bind(description.chars().take(500).collect::<String>())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    payment_failed_with(tx, &a.transfer_id, a.attempt_no).await
}

/// The transfer's payment fails with its newest attempt only (so the payer
/// may ask again at once): an older attempt's late answer does not undo a
/// newer request.
pub(super) async fn payment_failed_with(tx: &mut WriteTx, transfer_id: &str, attempt_no: i64) -> Result<(), Error> {
    sqlx::query(
        "UPDATE reg_payments SET state = $2 WHERE transfer_id = $1 AND state IN ($3, $4) AND NOT EXISTS (\
         SELECT 1 FROM reg_payment_attempts n WHERE n.transfer_id = $1 AND n.attempt_no > $5)",
    )
    .bind(transfer_id)
    .bind(domain::PaymentState::Failed.as_str())
    .bind(domain::PaymentState::Requested.as_str())
    .bind(domain::PaymentState::Pending.as_str())
    .bind(attempt_no)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A payment came in for `a`: settle the fee, or flag it for staff when it
/// is not the amount asked for or the fee no longer waits for it.
async fn paid_in(
    tx: &mut WriteTx,
    a: &Attempt,
    provider_ref: &str,
    paid: Paid<'_>,
    now: i64,
) -> Result<Applied, Error> {
    let wrong_amount = paid.amount_cents.is_some_and(|c| c != a.amount_cents);
    let row = super::store::load(tx, &a.transfer_id).await?.map(|(row, _)| row);
    let awaiting = row.as_ref().is_some_and(|r| r.state.awaits_payment());
    let (state, note) = match (wrong_amount, awaiting) {
        (true, _) => (A::Flagged, Some("paid another amount than the invoice's")),
        (false, false) => (A::Flagged, Some("paid after the fee was settled or the transfer ended: refund due")),
        (false, true) => (A::Settled, None),
    };
    sqlx::query(
        "UPDATE reg_payment_attempts SET state = $2, provider_ref = COALESCE(provider_ref, NULLIF($3, '')), result_code = '0', \
         result_desc = COALESCE($4, result_desc), receipt = COALESCE($5, receipt), paid_cents = $6, paid_phone = $7, \
         answered_at = $8 WHERE id = $1",
    )
    .bind(&a.id)
    .bind(state.as_str())
    .bind(provider_ref)
    .bind(note)
    .bind(paid.receipt)
    .bind(paid.amount_cents)
    .bind(paid.phone)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    match (state, row) {
        (A::Settled, Some(row)) => {
            let receipt = paid.receipt.unwrap_or(provider_ref);
            super::payment::settle_in(tx, &row, &a.payer_id, &a.provider, receipt, now).await?;
            Ok(Applied::Settled)
        }
        _ => {
            tracing::warn!(attempt = a.id, transfer = a.transfer_id, note, "a payment was flagged for staff");
            metrics::counter!("tims_payments_flagged_total").increment(1);
            Ok(Applied::Flagged)
        }
    }
}

/// A developer answers a prompt the development payer holds, as the payer's
/// phone would: the answer is applied as the gateway's callback would be.
/// `None` when there is no development payer, no such prompt, or it was
/// answered already.
pub async fn answer_dev_prompt(
    reg: &Registry,
    provider_ref: &str,
    answer: crate::payments::DevAnswer,
) -> Result<Option<Applied>, Error> {
    let payments = &reg.adapters().payments;
    let Some((_, callback)) = payments.as_dev().and_then(|dev| dev.answer(provider_ref, answer)) else {
        return Ok(None);
    };
    let Some(attempt) = by_provider_ref(reg, payments.name(), provider_ref).await? else {
        return Ok(None);
    };
    Ok(apply(reg, &attempt, &callback).await?.ok())
}
