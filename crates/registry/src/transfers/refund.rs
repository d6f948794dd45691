//! What becomes of a paid fee when its transfer ends without a change of
//! owner (declined, cancelled, refused by a consenter, expired, rejected):
//! the rule of the fee schedule the transfer was priced by
//! (`domain::fees::OnEnd`), never silence. `refund_by_staff` makes the
//! payment `refund_due` until staff record the refund with its reference
//! ([`refund`]); `keep_for_resubmission` makes it `kept`, for a new
//! transfer of the vehicle by the same seller. The payer is told by SMS,
//! in the ending's transaction.

use db::WriteTx;
use domain::PaymentState;
use domain::fees::EndRule;
use domain::transfer::{StaffAction, State};
use texts::{Sms, StepRefusal, Text as _};

use super::notify::tell;
use super::payment::{PaymentView, payment};
use super::store::Row;
use super::{lang, not_found, officiate, store};
use crate::signin::Actor;
use crate::{Error, FieldErrors, Registry, parties};

/// In the transaction that ended `row` in `ended`: apply the schedule's
/// rule to a settled payment and tell its payer. Nothing when nothing was
/// paid.
pub(super) async fn on_end(reg: &Registry, tx: &mut WriteTx, row: &Row, ended: State, now: i64) -> Result<(), Error> {
    let Some(ending) = ended.ending() else { return Ok(()) };
    let paid: Option<(i64, String)> =
        sqlx::query_as("SELECT amount_cents, payer_id FROM reg_payments WHERE transfer_id = $1 AND state = $2")
            .bind(&row.id)
            .bind(PaymentState::Settled.as_str())
            .fetch_optional(&mut **tx)
            .await?;
    let Some((amount_cents, payer_id)) = paid else { return Ok(()) };
    let (fees, _) = reg.rules().await?;
    // The schedule the transfer was priced by; one since removed leaves the
    // safest rule, a refund.
    let policy = fees.all().iter().find(|s| s.version == row.fee_schedule).map(|s| s.policy.clone());
    let policy = policy.unwrap_or_default();
    let rule = policy.on_end.rule(ending);
    let to = match rule {
        EndRule::RefundByStaff => PaymentState::RefundDue,
        EndRule::KeepForResubmission => PaymentState::Kept,
    };
    sqlx::query("UPDATE reg_payments SET state = $2 WHERE transfer_id = $1 AND state = $3")
        .bind(&row.id)
        .bind(to.as_str())
        .bind(PaymentState::Settled.as_str())
        .execute(&mut **tx)
        .await?;
    let reference = row.reference.as_str();
    let sms = match rule {
        EndRule::RefundByStaff => Sms::RefundDue { amount_cents, reference },
        EndRule::KeepForResubmission => {
            Sms::PaymentKept { amount_cents, reference, reg_no: &row.reg_no, days: policy.keep_days }
        }
    };
    tell(tx, &payer_id, row, &sms, now).await
}

/// In the transaction that opens `row`: a payment kept from a transfer of
/// the same vehicle between the same seller and buyer, paid by whoever
/// pays this one, that ended within `keep_days`, pays for this one when it
/// is this one's invoice. When the fee has changed since (a new schedule,
/// another platform fee) it cannot: it becomes a refund due, the payer is
/// told, and this transfer asks for its own fee.
pub(super) async fn carry_kept(tx: &mut WriteTx, mut row: Row, keep_days: u32, now: i64) -> Result<Row, Error> {
    let since = now - i64::from(keep_days) * domain::policy::DAY_MS;
    let kept: Option<(String, Option<String>, String, i64)> = sqlx::query_as(
        "SELECT t.id, p.provider_ref, t.reference, p.amount_cents FROM reg_transfers t \
         JOIN reg_payments p ON p.transfer_id = t.id \
         WHERE t.vehicle_id = $1 AND t.seller_id = $2 AND t.buyer_id = $3 AND p.payer_id = $4 AND p.state = $5 \
         AND t.updated_at >= $6 ORDER BY t.updated_at DESC LIMIT 1",
    )
    .bind(&row.vehicle_id)
    .bind(&row.seller_id)
    .bind(&row.buyer_id)
    .bind(row.payer_id())
    .bind(PaymentState::Kept.as_str())
    .bind(since)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((from, provider_ref, from_reference, amount_cents)) = kept else { return Ok(row) };
    if amount_cents != row.invoice().total_cents() {
        sqlx::query("UPDATE reg_payments SET state = $2 WHERE transfer_id = $1 AND state = $3")
            .bind(&from)
            .bind(PaymentState::RefundDue.as_str())
            .bind(PaymentState::Kept.as_str())
            .execute(&mut **tx)
            .await?;
        let payer = row.payer_id().to_string();
        let text =
            Sms::RefundDue { amount_cents, reference: &from_reference }.render(parties::lang_in(tx, &payer).await?);
        crate::outbox::alert(tx, &payer, &text, &from_reference, now).await?;
        tracing::info!(
            transfer = row.reference,
            kept_from = from_reference,
            "a kept payment no longer matches the fee: refund due"
        );
        return Ok(row);
    }
    sqlx::query("UPDATE reg_payments SET transfer_id = $1, state = $2 WHERE transfer_id = $3 AND state = $4")
        .bind(&row.id)
        .bind(PaymentState::Settled.as_str())
        .bind(&from)
        .bind(PaymentState::Kept.as_str())
        .execute(&mut **tx)
        .await?;
    store::set_kept_from(tx, &row.id, &from, provider_ref.as_deref()).await?;
    row.payment_ref = provider_ref;
    row.fee_kept_from = Some(from);
    Ok(row)
}

/// A refund's reference as staff type it: 1 to 40 letters and digits
/// (dashes allowed), upper case.
fn refund_reference(raw: &str, actor: &Actor) -> Result<String, Error> {
    let r = raw.trim().to_ascii_uppercase();
    let fits = (1..=40).contains(&r.len()) && r.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if fits {
        Ok(r)
    } else {
        Err(FieldErrors::single("reference", StepRefusal::EnterRefundReference.render(lang(actor))))
    }
}

/// Staff record that a fee due back was refunded, with the refund's
/// reference; the payer is told. Only staff with no part in the transfer
/// may, and only when a refund is due.
#[tracing::instrument(skip_all, fields(transfer = %id, actor = %actor.person.id))]
pub async fn refund(reg: &Registry, actor: &Actor, id: &str, reference: &str) -> Result<PaymentView, Error> {
    if !actor.is_staff() {
        return Err(Error::Forbidden(StepRefusal::StaffOnlyRefund.render(lang(actor))));
    }
    let refund_ref = refund_reference(reference, actor)?;
    let now = reg.now_ms();
    let mut tx = reg.db().begin_write().await?;
    let (row, cons) = store::load(&mut tx, id).await?.ok_or_else(|| not_found(lang(actor)))?;
    officiate(actor, &row, &cons, StaffAction::Refund)?;
    let due: Option<(i64, String)> =
        sqlx::query_as("SELECT amount_cents, payer_id FROM reg_payments WHERE transfer_id = $1 AND state = $2")
            .bind(&row.id)
            .bind(PaymentState::RefundDue.as_str())
            .fetch_optional(&mut *tx)
            .await?;
    let Some((amount_cents, payer_id)) = due else {
        return Err(Error::Conflict(StepRefusal::NoRefundDue.render(lang(actor))));
    };
    sqlx::query(
        "UPDATE reg_payments SET state = $2, refund_ref = $3, refunded_at = $4, refunded_by = $5 \
         WHERE transfer_id = $1 AND state = $6",
    )
    .bind(&row.id)
    .bind(PaymentState::Refunded.as_str())
    .bind(&refund_ref)
    .bind(now)
    .bind(&actor.person.id)
    .bind(PaymentState::RefundDue.as_str())
    .execute(&mut *tx)
    .await?;
    let sms = Sms::Refunded { amount_cents, reference: &row.reference, refund_ref: &refund_ref };
    tell(&mut tx, &payer_id, &row, &sms, now).await?;
    tx.commit().await?;
    reg.wake_outbox();
    payment(reg, actor, &row.id).await
}
