//! Step 5: the transfer fee. The one writer of `reg_payments`: a request is
//! claimed before the gateway is asked (so a double tap never charges
//! twice), the gateway's answer is recorded, and a settlement sends the
//! transfer to the officers' queue.

use db::WriteTx;
use domain::PaymentState;
use domain::transfer::{Command, Party as Role, State, Step};
use secure::new_id;
use texts::{Sms, StepTaker, Text as _, TransferRefusal};

use super::notify::tell;
use super::store::{self, Consenter, Line, Row, Val};
use super::view::{TransferView, view};
use super::{decide, lang, need, need_transactor, not_found, step};
use crate::payments::Charge;
use crate::signin::Actor;
use crate::{Error, Registry, parties};

/// A payment request that has had no answer for this long is taken to be
/// dead (the payer ignored the prompt, the gateway lost it), and another may
/// be started.
pub const PAYMENT_RETRY_AFTER_MS: i64 = 2 * 60 * 1000;

/// Record, in the caller's transaction, that the fee is about to be asked
/// for; there is one payment row per transfer, so this is what stops two
/// requests (a double tap, two devices) charging the buyer twice. False when
/// a request is already waiting for an answer or the fee is paid.
pub(super) async fn claim_payment(
    tx: &mut WriteTx,
    row: &Row,
    payer_id: &str,
    provider: &str,
    now: i64,
) -> Result<bool, Error> {
    let claimed = sqlx::query(
        "INSERT INTO reg_payments (id, transfer_id, amount_cents, payer_id, provider, provider_ref, state, created_at) \
         VALUES ($1, $2, $3, $4, $5, NULL, $8, $6) \
         ON CONFLICT (transfer_id) DO UPDATE SET amount_cents = excluded.amount_cents, payer_id = excluded.payer_id, \
         provider = excluded.provider, provider_ref = NULL, state = excluded.state, created_at = excluded.created_at \
         WHERE reg_payments.state = $9 OR (reg_payments.state IN ($8, $10) AND reg_payments.created_at <= $7)",
    )
    .bind(new_id())
    .bind(&row.id)
    .bind(row.fee_cents)
    .bind(payer_id)
    .bind(provider)
    .bind(now)
    .bind(now - PAYMENT_RETRY_AFTER_MS)
    .bind(PaymentState::Requested.as_str())
    .bind(PaymentState::Failed.as_str())
    .bind(PaymentState::Pending.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(claimed.rows_affected() == 1)
}

/// Charge the fee to the buyer (again, if an earlier try failed).
#[tracing::instrument(skip_all, fields(transfer = %id, vehicle = tracing::field::Empty, actor = %actor.person.id))]
pub async fn pay(reg: &Registry, actor: &Actor, id: &str) -> Result<TransferView, Error> {
    let (mut tx, row, cons, roles) = step(reg, actor, id).await?;
    need(actor, &roles, |r| *r == Role::Buyer, StepTaker::Buyer)?;
    need_transactor(actor)?;
    if row.state != State::AwaitingPayment {
        return Err(Error::Conflict(TransferRefusal::NothingToPay { state: row.state }.render(lang(actor))));
    }
    let claimed = claim_payment(&mut tx, &row, &actor.person.id, reg.adapters().payments.name(), reg.now_ms()).await?;
    tx.commit().await?;
    if !claimed {
        return Err(Error::Conflict(TransferRefusal::PaymentWaiting.render(lang(actor))));
    }
    charge(reg, actor, row, cons).await
}

/// Ask the gateway for the fee, once `claim_payment` has recorded the
/// request, and record what it said.
pub(super) async fn charge(
    reg: &Registry,
    actor: &Actor,
    row: Row,
    cons: Vec<Consenter>,
) -> Result<TransferView, Error> {
    let phone = actor.person.phone.clone().unwrap_or_default();
    let payments = &reg.adapters().payments;
    let row = match payments.charge(&phone, row.fee_cents, &row.reference).await {
        Ok(Charge::Settled { provider_ref }) => {
            settle(reg, &row.id, &actor.person.id, payments.name(), &provider_ref).await?.unwrap_or(row)
        }
        Ok(Charge::Pending { provider_ref }) => {
            tracing::info!(transfer = row.reference, provider_ref, "payment requested; waiting for the gateway");
            let pending = sqlx::query(
                "UPDATE reg_payments SET state = $3, provider_ref = $1 WHERE transfer_id = $2 AND state = $4",
            );
            let (to, from) = (PaymentState::Pending.as_str(), PaymentState::Requested.as_str());
            reg.db().execute_write(pending.bind(&provider_ref).bind(&row.id).bind(to).bind(from)).await?;
            row
        }
        Err(e) => {
            tracing::warn!(transfer = row.reference, error = %e, "payment could not be started");
            let failed = sqlx::query("UPDATE reg_payments SET state = $2 WHERE transfer_id = $1 AND state = $3");
            let (to, from) = (PaymentState::Failed.as_str(), PaymentState::Requested.as_str());
            reg.db().execute_write(failed.bind(&row.id).bind(to).bind(from)).await?;
            return Err(Error::Unavailable(TransferRefusal::PaymentNotStarted.render(lang(actor))));
        }
    };
    view(reg, actor, row, cons).await
}

/// The gateway says the fee is paid: the transfer enters the officers'
/// queue. Idempotent for the same transfer: returns the transfer as it now
/// stands, or `None` if it was not awaiting payment.
#[tracing::instrument(skip_all, fields(transfer = %id))]
pub async fn settle(
    reg: &Registry,
    id: &str,
    payer_id: &str,
    provider: &str,
    provider_ref: &str,
) -> Result<Option<Row>, Error> {
    let now = reg.now_ms();
    let mut tx = reg.db().begin_write().await?;
    let lang = parties::lang_in(&mut tx, payer_id).await?;
    let (row, cons) = store::load(&mut tx, id).await?.ok_or_else(|| not_found(lang))?;
    if row.state != State::AwaitingPayment {
        return Ok(None);
    }
    let t = decide(&row, &cons, Command::PaymentSettled, &Role::System, lang)?;
    let set = [("payment_ref", Val::Text(Some(provider_ref.to_string()))), ("queued_at", Val::Int(now))];
    let line = Line::system(Step::PaymentSettled).detail(Some(provider_ref));
    let after = store::advance(&mut tx, &row, t.to, now, &set, line).await?;
    // The row claim_payment made becomes the settled payment (a gateway
    // that settles without a request of ours makes one).
    sqlx::query(
        "INSERT INTO reg_payments (id, transfer_id, amount_cents, payer_id, provider, provider_ref, state, created_at, \
         settled_at) VALUES ($1, $2, $3, $4, $5, $6, $8, $7, $7) \
         ON CONFLICT (transfer_id) DO UPDATE SET amount_cents = excluded.amount_cents, payer_id = excluded.payer_id, \
         provider = excluded.provider, provider_ref = excluded.provider_ref, state = excluded.state, \
         settled_at = excluded.settled_at",
    )
    .bind(new_id())
    .bind(&row.id)
    .bind(row.fee_cents)
    .bind(payer_id)
    .bind(provider)
    .bind(provider_ref)
    .bind(now)
    .bind(PaymentState::Settled.as_str())
    .execute(&mut *tx)
    .await?;
    let sms = Sms::PaymentReceived { amount_cents: row.fee_cents, reference: &row.reference };
    tell(&mut tx, &row.buyer_id, &row, &sms, now).await?;
    tx.commit().await?;
    reg.wake_outbox();
    Ok(Some(after))
}
