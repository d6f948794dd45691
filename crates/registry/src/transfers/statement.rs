//! Reconciling the agency's M-Pesa statement, keyed on the receipt number:
//! the last word on what came in. A payment tims never heard of is applied
//! from it, once, through the attempts' rules (`attempt::apply_in`): the
//! STK push whose answer was lost while tims was down before it stored the
//! request's name (no query can ask about it, and M-Pesa does not promise
//! to call back again), or a paybill payment whose confirmation never came.
//!
//! Each line paid in is, by its receipt number:
//! - `known`: an attempt or a paybill payment has the receipt already, or
//!   a prompt of its transfer for its amount was answered as paid without
//!   one (an STK query's answer has none), which now gets it;
//! - `settled` or `flagged`: applied to an STK attempt of the transfer its
//!   account number names that waits for an answer with the same amount
//!   (requested, unknown, pending or given up on; one whose request name
//!   was never stored first, then the oldest), or else kept as a paybill
//!   payment would be (`c2b::confirm`), which settles the invoice or flags
//!   the payment;
//! - `kept_for_staff`: its account number names no transfer: kept as a
//!   paybill payment with a note, for staff to find its owner or refund;
//! - `own_case`: the transfer is one the uploader is a party to; another
//!   member of staff must upload it. Nothing changes.
//!
//! A payment the statement shows reversed is never applied from it; one
//! tims had counted already is listed for staff (its fee was taken back).
//!
//! Uploading the same statement again changes nothing. Staff only.

use domain::AttemptState as A;
use domain::statement::{self, StatementError, StatementLine};
use texts::{PaymentsText, Text as _};

use super::attempt::{self, Applied};
use super::{c2b, lang, party_to, store};
use crate::payments::{Callback, Outcome};
use crate::signin::Actor;
use crate::{Error, FieldErrors, Registry};
use adapters::mpesa::C2bPayment;

/// What became of one line paid in.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct StatementEntry {
    /// Its line in the file.
    pub line: usize,
    pub receipt: String,
    pub amount_cents: i64,
    /// The account number as the statement has it.
    pub account: String,
    /// The transfer it named, if any.
    pub reference: Option<String>,
    /// `settled`, `flagged`, `kept_for_staff` or `own_case`.
    pub outcome: &'static str,
}

/// What a statement changed.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct StatementReport {
    /// Lines paid in.
    pub paid_in: usize,
    /// Lines that paid nothing in or did not complete.
    pub skipped: usize,
    /// Lines whose receipt tims had already.
    pub known: usize,
    /// The lines tims had not heard of, and what became of each.
    pub new: Vec<StatementEntry>,
    /// Payments the statement shows reversed: never applied from it, and
    /// where tims had counted one already, for staff to look into.
    pub reversed: Vec<Reversed>,
}

/// A payment the statement shows reversed.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Reversed {
    pub receipt: String,
    /// Whether tims had counted it (for this transfer, if one): its fee was
    /// taken back, and staff must see to it.
    pub counted: bool,
    pub reference: Option<String>,
}

/// Read `text`, an M-Pesa statement, and apply what tims had not heard of.
#[tracing::instrument(skip_all, fields(actor = %actor.person.id))]
pub async fn reconcile(reg: &Registry, actor: &Actor, text: String) -> Result<StatementReport, Error> {
    let l = lang(actor);
    if !actor.is_staff() {
        return Err(Error::Forbidden(PaymentsText::StaffOnly.render(l)));
    }
    // Reading up to a statement's worth of CSV is work for a thread of its own.
    let parsed = tokio::task::spawn_blocking(move || statement::parse(&text))
        .await
        .map_err(|e| Error::Internal(format!("reading a statement stopped: {e}")))?;
    let parsed = parsed.map_err(|e| {
        let message = match e {
            StatementError::NoHeader => PaymentsText::StatementNoHeader,
            StatementError::MissingColumn(column) => PaymentsText::StatementNoColumn { column },
            StatementError::BadReceipt { line, value } => PaymentsText::StatementBadReceipt { line, value },
            StatementError::BadAmount { line, value } => PaymentsText::StatementBadAmount { line, value },
            StatementError::TooLong => PaymentsText::StatementTooLong { max: statement::MAX_LINES },
        };
        FieldErrors::single("statement", message.render(l))
    })?;
    let mut report = StatementReport {
        paid_in: parsed.lines.len(),
        skipped: parsed.skipped,
        known: 0,
        new: vec![],
        reversed: vec![],
    };
    for receipt in &parsed.reversed {
        report.reversed.push(reversed(reg, receipt).await?);
    }
    for line in &parsed.lines {
        match one(reg, actor, line).await? {
            None => report.known += 1,
            Some(entry) => report.new.push(entry),
        }
    }
    tracing::info!(
        paid_in = report.paid_in,
        known = report.known,
        new = report.new.len(),
        "M-Pesa statement reconciled"
    );
    Ok(report)
}

/// What tims knows of a receipt the statement shows reversed.
async fn reversed(reg: &Registry, receipt: &str) -> Result<Reversed, Error> {
    let counted: Option<(String,)> = sqlx::query_as(
        "SELECT t.reference FROM reg_payment_attempts a JOIN reg_transfers t ON t.id = a.transfer_id \
         WHERE a.receipt = $1 LIMIT 1",
    )
    .bind(receipt)
    .fetch_optional(reg.db().pool())
    .await?;
    if let Some((reference,)) = &counted {
        tracing::warn!(receipt, transfer = reference, "a payment tims counted was reversed: staff must see to it");
        metrics::counter!("tims_payments_flagged_total").increment(1);
    }
    Ok(Reversed { receipt: receipt.to_string(), counted: counted.is_some(), reference: counted.map(|(r,)| r) })
}

/// Apply one line; `None` when its receipt is known.
async fn one(reg: &Registry, actor: &Actor, line: &StatementLine) -> Result<Option<StatementEntry>, Error> {
    let receipt = line.receipt.as_str();
    let known: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM reg_payment_attempts WHERE receipt = $1 UNION ALL \
         SELECT 1 FROM reg_paybill_payments WHERE trans_id = $1",
    )
    .bind(receipt)
    .fetch_optional(reg.db().pool())
    .await?;
    if known.is_some() {
        return Ok(None);
    }
    let found = match c2b::reference_of(&line.account) {
        Some(reference) => store::read(reg.db(), &reference).await?,
        None => None,
    };
    let entry = |reference: Option<&str>, outcome| StatementEntry {
        line: line.line,
        receipt: receipt.to_string(),
        amount_cents: line.paid_in_cents,
        account: line.account.clone(),
        reference: reference.map(str::to_string),
        outcome,
    };
    let Some((row, cons)) = found else {
        c2b::confirm(reg, &as_paybill(line)).await?;
        return Ok(Some(entry(None, "kept_for_staff")));
    };
    if party_to(actor, &row, &cons) {
        return Ok(Some(entry(Some(&row.reference), "own_case")));
    }
    let applied = match to_waiting_attempt(reg, actor, &row.id, line).await? {
        // The receipt of a payment already counted, filled in.
        Some(Applied::Unchanged) => return Ok(None),
        Some(applied) => applied,
        None => match c2b::confirm(reg, &as_paybill(line)).await? {
            c2b::Confirmed::Applied(applied) => applied,
            // Kept by a confirmation that came meanwhile, or matching nothing.
            c2b::Confirmed::Repeat => return Ok(None),
            c2b::Confirmed::Unmatched => Applied::Flagged,
        },
    };
    let outcome = if applied == Applied::Settled { "settled" } else { "flagged" };
    Ok(Some(entry(Some(&row.reference), outcome)))
}

/// Apply `line` to a prompt (an STK push, not a paybill payment) of the
/// transfer for its amount: one answered as paid without a receipt gets
/// it (`Unchanged`: counted already); else the oldest still waiting is
/// paid. `None` when there is neither.
async fn to_waiting_attempt(
    reg: &Registry,
    actor: &Actor,
    transfer_id: &str,
    line: &StatementLine,
) -> Result<Option<Applied>, Error> {
    let now = reg.now_ms();
    let mut tx = reg.db().begin_write().await?;
    tx.lock_row("reg_transfers", transfer_id).await?;
    // A callback or another upload may have brought the receipt since it
    // was looked up: then it is counted already.
    let known: Option<String> = sqlx::query_scalar("SELECT id FROM reg_payment_attempts WHERE receipt = $1")
        .bind(&line.receipt)
        .fetch_optional(&mut *tx)
        .await?;
    if known.is_some() {
        return Ok(Some(Applied::Unchanged));
    }
    // A prompt answered as paid without its receipt (an STK query's answer
    // has none) is this payment, first; else one still waiting, those whose
    // request name was never stored (no query can ask about them) before
    // the others, the oldest first. A prompt that failed is not one.
    let waiting: Option<(String, Option<String>)> = sqlx::query_as(
        "SELECT id, provider_ref FROM reg_payment_attempts WHERE transfer_id = $1 AND provider != $2 \
         AND receipt IS NULL AND amount_cents = $3 AND state IN ($4, $5, $6, $7, $8, $9) \
         ORDER BY CASE state WHEN $8 THEN 0 WHEN $9 THEN 1 ELSE 2 END, \
         CASE WHEN provider_ref IS NULL THEN 0 ELSE 1 END, attempt_no LIMIT 1",
    )
    .bind(transfer_id)
    .bind(c2b::PROVIDER)
    .bind(line.paid_in_cents)
    .bind(A::Requested.as_str())
    .bind(A::Unknown.as_str())
    .bind(A::Pending.as_str())
    .bind(A::Abandoned.as_str())
    .bind(A::Settled.as_str())
    .bind(A::Flagged.as_str())
    .fetch_optional(&mut *tx)
    .await?;
    let Some((attempt_id, provider_ref)) = waiting else { return Ok(None) };
    let outcome = Outcome::Paid {
        receipt: Some(line.receipt.clone()),
        amount_cents: Some(line.paid_in_cents),
        phone: None,
        paid_at: None,
    };
    let callback = Callback { provider_ref: provider_ref.unwrap_or_default(), outcome };
    let applied = attempt::apply_in(&mut tx, &attempt_id, &callback, now)
        .await?
        .map_err(|_| Error::Internal("an attempt's own name did not match it".into()))?;
    if applied == Applied::Settled {
        // Who brought it, for staff reading the attempts.
        let note = format!("{FROM_STATEMENT}, uploaded by staff {}", actor.person.id);
        let q = sqlx::query("UPDATE reg_payment_attempts SET result_desc = $2 WHERE id = $1");
        q.bind(&attempt_id).bind(note).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    attempt::committed(reg, applied);
    tracing::info!(
        attempt = attempt_id,
        receipt = line.receipt,
        ?applied,
        by = actor.person.id,
        "a payment was applied from the M-Pesa statement"
    );
    Ok(Some(applied))
}

/// The note on an attempt the statement answered.
const FROM_STATEMENT: &str = "paid: found in the M-Pesa statement (no answer had come)";

/// A line as the paybill confirmation it stands for.
fn as_paybill(line: &StatementLine) -> C2bPayment {
    C2bPayment {
        transaction_type: "Statement".into(),
        trans_id: line.receipt.clone(),
        trans_time: line.completed.clone(),
        paid_at: None,
        amount_cents: line.paid_in_cents,
        business_shortcode: String::new(),
        bill_ref: line.account.clone(),
        msisdn: line.other_party.clone(),
        phone: None,
        first_name: String::new(),
        middle_name: String::new(),
        last_name: String::new(),
    }
}
