//! Paying the fee by paybill: a payer types the agency's business number
//! and, as the account number, the transfer's invoice reference (its
//! reference without dashes, `TR2RTYKCNRWY`, the one the STK prompt shows),
//! from any phone. M-Pesa asks first whether to take the payment
//! ([`validate`]: an unknown reference or another amount is turned away, so
//! the money does not move) and then says it was taken ([`confirm`]).
//!
//! A confirmation is kept once per M-Pesa transaction id in
//! `reg_paybill_payments`, whatever it names. One that matches a transfer
//! becomes a payment attempt (provider [`PROVIDER`], the transaction id as
//! its gateway reference and receipt), recorded and answered in one
//! transaction through [`attempt::apply_in`], so the attempts' rules hold
//! as for an STK push: the fee is settled once, another amount or a
//! payment after the fee was settled is flagged for staff. One that matches
//! no transfer is kept with a note for staff, never lost. A repeat changes
//! nothing.

use domain::AttemptState as A;
use secure::{new_id, sha256_hex, token};

use super::attempt::{self, Applied};
use super::store;
use crate::payments::{Callback, Outcome};
use crate::{Error, Registry};
use adapters::mpesa::C2bPayment;

/// The provider of the attempts that paybill payments make.
pub const PROVIDER: &str = "mpesa_c2b";

/// Why a paybill payment matched no transfer (kept for staff).
const NO_SUCH_REFERENCE: &str = "no transfer has this account number: find whose it is, or refund it";

/// A transfer's invoice reference: what a payer types as the account number
/// (its reference without dashes, 12 letters and digits).
pub fn invoice_reference(reference: &str) -> String {
    reference.replace('-', "")
}

/// The transfer reference an account number names, as typed: in any case,
/// with or without spaces and dashes. `None` for one that cannot be a
/// reference.
pub fn reference_of(typed: &str) -> Option<String> {
    let s: String = typed.chars().filter(|c| !c.is_whitespace() && *c != '-').collect::<String>().to_ascii_uppercase();
    if s.len() != 12 || !s.starts_with("TR") || !s.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    Some(format!("TR-{}-{}", &s[2..7], &s[7..]))
}

/// The business number payers can pay an invoice to by paybill, when
/// paybill payments are taken (M-Pesa's paybill with the C2B addresses'
/// secret configured, or the development payer), and whether it is the
/// development payer's.
pub fn paybill_number(reg: &Registry) -> Option<(String, bool)> {
    let payments = &reg.adapters().payments;
    let number = payments.paybill()?;
    let taken = payments.is_development() || reg.config().c2b_secret.is_some();
    taken.then(|| (number.to_string(), payments.is_development()))
}

/// What to answer M-Pesa's validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validation {
    Accept,
    /// No transfer awaits payment under this account number (none has it,
    /// or its fee is paid or it has ended): the payer would only need a
    /// refund.
    UnknownReference,
    /// Not the invoice's amount.
    WrongAmount,
}

/// Whether to take a paybill payment M-Pesa asks about. Reads only.
#[tracing::instrument(skip_all, fields(trans_id = %p.trans_id))]
pub async fn validate(reg: &Registry, p: &C2bPayment) -> Result<Validation, Error> {
    let Some(reference) = reference_of(&p.bill_ref) else { return Ok(Validation::UnknownReference) };
    let Some((row, _)) = store::read(reg.db(), &reference).await? else {
        return Ok(Validation::UnknownReference);
    };
    Ok(match row {
        r if !r.state.awaits_payment() => Validation::UnknownReference,
        r if r.invoice().total_cents() != p.amount_cents => Validation::WrongAmount,
        _ => Validation::Accept,
    })
}

/// What became of a confirmed paybill payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmed {
    /// It matched a transfer: what its attempt's answer did (settled, or
    /// flagged for staff).
    Applied(Applied),
    /// It matched no transfer: kept, flagged for staff.
    Unmatched,
    /// It was confirmed before: nothing changed.
    Repeat,
}

/// Keep a paybill payment M-Pesa confirms and settle the invoice it names,
/// exactly once, in one transaction.
#[tracing::instrument(skip_all, fields(trans_id = %p.trans_id))]
pub async fn confirm(reg: &Registry, p: &C2bPayment) -> Result<Confirmed, Error> {
    let now = reg.now_ms();
    let mut tx = reg.db().begin_write().await?;
    let row = match reference_of(&p.bill_ref) {
        Some(reference) => store::load(&mut tx, &reference).await?.map(|(row, _)| row),
        None => None,
    };
    let name = [&p.first_name, &p.middle_name, &p.last_name]
        .iter()
        .filter(|n| !n.trim().is_empty())
        .map(|n| n.trim())
        .collect::<Vec<_>>()
        .join(" ");
    let kept = sqlx::query(
        "INSERT INTO reg_paybill_payments (trans_id, bill_ref, amount_cents, shortcode, msisdn, payer_name, \
         trans_time, transfer_id, note, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (trans_id) DO NOTHING",
    )
    .bind(&p.trans_id)
    .bind(p.bill_ref.chars().take(40).collect::<String>())
    .bind(p.amount_cents)
    .bind(&p.business_shortcode)
    .bind(p.msisdn.chars().take(128).collect::<String>())
    .bind(name.chars().take(200).collect::<String>())
    .bind(&p.trans_time)
    .bind(row.as_ref().map(|r| &r.id))
    .bind(row.is_none().then_some(NO_SUCH_REFERENCE))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if kept.rows_affected() == 0 {
        return Ok(Confirmed::Repeat);
    }
    let Some(row) = row else {
        tx.commit().await?;
        tracing::warn!(bill_ref = p.bill_ref, "a paybill payment named no transfer; kept for staff");
        metrics::counter!("tims_payments_flagged_total").increment(1);
        return Ok(Confirmed::Unmatched);
    };
    // Numbering the attempt needs the transfer's answers serialised.
    tx.lock_row("reg_transfers", &row.id).await?;
    let attempt_id = new_id();
    sqlx::query(
        "INSERT INTO reg_payment_attempts (id, transfer_id, attempt_no, amount_cents, payer_id, payer_phone, provider, \
         secret_hash, provider_ref, state, created_at) SELECT $1, $2, COALESCE(MAX(attempt_no), 0) + 1, $3, $4, $5, \
         $6, $7, $8, $9, $10 FROM reg_payment_attempts WHERE transfer_id = $2",
    )
    .bind(&attempt_id)
    .bind(&row.id)
    .bind(row.invoice().total_cents())
    .bind(row.payer_id())
    .bind(p.phone.as_deref().unwrap_or(&p.msisdn))
    .bind(PROVIDER)
    // No callback comes to a paybill payment's attempt: an address no one knows.
    .bind(sha256_hex(token().as_bytes()))
    .bind(&p.trans_id)
    .bind(A::Pending.as_str())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let q = sqlx::query("UPDATE reg_paybill_payments SET attempt_id = $2 WHERE trans_id = $1");
    q.bind(&p.trans_id).bind(&attempt_id).execute(&mut *tx).await?;
    let outcome = Outcome::Paid {
        receipt: Some(p.trans_id.clone()),
        amount_cents: Some(p.amount_cents),
        phone: p.phone.clone(),
        paid_at: p.paid_at.clone(),
    };
    let callback = Callback { provider_ref: p.trans_id.clone(), outcome };
    let applied = attempt::apply_in(&mut tx, &attempt_id, &callback, now)
        .await?
        .map_err(|_| Error::Internal("a paybill payment's attempt names another payment".into()))?;
    tx.commit().await?;
    attempt::committed(reg, applied);
    tracing::info!(transfer = row.reference, ?applied, "a paybill payment was applied");
    Ok(Confirmed::Applied(applied))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_number_is_read_in_any_case_with_spaces_and_dashes() {
        for typed in ["TR2RTYKCNRWY", "tr2rtykcnrwy", " TR-2RTYK-CNRWY ", "tr 2rtyk cnrwy"] {
            assert_eq!(reference_of(typed).as_deref(), Some("TR-2RTYK-CNRWY"), "{typed}");
        }
        assert_eq!(invoice_reference("TR-2RTYK-CNRWY"), "TR2RTYKCNRWY");
    }

    #[test]
    fn what_cannot_be_a_reference_is_none() {
        for typed in ["", "TR2RTYKCNRW", "TR2RTYKCNRWYZ", "XX2RTYKCNRWY", "TR2RTYKCNRW!", "TR2RTYKCNRWÉ"] {
            assert_eq!(reference_of(typed), None, "{typed}");
        }
    }
}
