//! Step 5: the transfer fee, once the buyer has accepted. The one writer of
//! `reg_payments`: a request is claimed before the gateway is asked (so a
//! double tap never charges twice), the gateway's answer is recorded, and a
//! settlement sends the transfer to the officers' queue. The buyer (or the
//! person acting for a buying organisation) chooses the number the gateway
//! prompts: their own by default, or any Kenyan mobile number (the
//! organisation's own). [`payment`] reads the payment back for the waiting
//! page and the receipt.

use db::WriteTx;
use domain::fees::Payer;
use domain::transfer::{Command, Party as Role, State, Step};
use domain::{AttemptState, PaymentState};
use secure::new_id;
use serde::Serialize;
use texts::{PayText, Sms, StepTaker, Text as _, TransferRefusal};

use super::attempt::{self, NewAttempt};
use super::notify::tell;
use super::store::{self, Consenter, Line, Row, Val};
use super::view::{TransferView, view};
use super::{decide, lang, need, need_transactor, not_found, step, visible};
use crate::payments::{Callback, Charge, ChargeRequest, Failure, Outcome, PaymentError};
use crate::signin::Actor;
use crate::{Error, FieldErrors, Registry, parties};

/// A payment request that has had no answer for this long is taken to be
/// dead (the payer ignored the prompt, the gateway lost it), and another may
/// be started.
pub const PAYMENT_RETRY_AFTER_MS: i64 = 2 * 60 * 1000;

/// What the gateway records the payment as being for (M-Pesa allows 13
/// characters; the payer's phone shows the invoice reference instead).
const GATEWAY_DESCRIPTION: &str = "Transfer fee";

/// Record, in the caller's transaction, that the fee is about to be asked
/// for; there is one payment row per transfer, so this is what stops two
/// requests (a double tap, two devices) charging the buyer twice. False when
/// a request is already waiting for an answer or the fee is paid.
pub(super) async fn claim_payment(
    tx: &mut WriteTx,
    row: &Row,
    payer: (&str, &domain::Phone),
    provider: &str,
    now: i64,
) -> Result<bool, Error> {
    let (payer_id, phone) = payer;
    let claimed = sqlx::query(
        "INSERT INTO reg_payments (id, transfer_id, amount_cents, payer_id, provider, provider_ref, state, created_at, \
         payer_phone) VALUES ($1, $2, $3, $4, $5, NULL, $8, $6, $11) \
         ON CONFLICT (transfer_id) DO UPDATE SET amount_cents = excluded.amount_cents, payer_id = excluded.payer_id, \
         provider = excluded.provider, provider_ref = NULL, state = excluded.state, created_at = excluded.created_at, \
         payer_phone = excluded.payer_phone WHERE reg_payments.state = $9 OR (reg_payments.state IN ($8, $10) AND reg_payments.created_at <= $7)",
    )
    .bind(new_id())
    .bind(&row.id)
    .bind(row.invoice().total_cents())
    .bind(payer_id)
    .bind(provider)
    .bind(now)
    .bind(now - PAYMENT_RETRY_AFTER_MS)
    .bind(PaymentState::Requested.as_str())
    .bind(PaymentState::Failed.as_str())
    .bind(PaymentState::Pending.as_str())
    .bind(phone.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(claimed.rows_affected() == 1)
}

/// The number to prompt: the one typed, or the person's own; refused by
/// the field's name (`phone`) when it is not a Kenyan mobile number.
pub(super) fn payer_phone(actor: &Actor, typed: Option<&str>) -> Result<domain::Phone, Error> {
    let raw = typed.map(str::trim).filter(|t| !t.is_empty()).or(actor.person.phone.as_deref()).unwrap_or_default();
    domain::Phone::parse(raw).map_err(|_| FieldErrors::single("phone", PayText::EnterMobileNumber.render(lang(actor))))
}

/// The buyer (or a transactor of the buying organisation) pays the fee
/// from `payer_phone` (their own number when `None`): the gateway prompts
/// that number (again, if an earlier try failed or went unanswered).
#[tracing::instrument(skip_all, fields(transfer = %id, vehicle = tracing::field::Empty, actor = %actor.person.id))]
pub async fn pay(reg: &Registry, actor: &Actor, id: &str, payer_phone: Option<&str>) -> Result<TransferView, Error> {
    let (mut tx, row, cons, roles) = step(reg, actor, id).await?;
    let (payer, only) = match row.payer {
        Payer::SellerAtSubmission => (Role::Seller, StepTaker::Seller),
        Payer::BuyerAtAcceptance => (Role::Buyer, StepTaker::Buyer),
    };
    need(actor, &roles, |r| *r == payer, only)?;
    need_transactor(actor)?;
    if !row.state.awaits_payment() {
        return Err(Error::Conflict(TransferRefusal::NothingToPay { state: row.state }.render(lang(actor))));
    }
    let phone = self::payer_phone(actor, payer_phone)?;
    prompt_budget(&mut tx, actor, &phone, reg.now_ms()).await?;
    let payer = (actor.person.id.as_str(), &phone);
    let attempt = claim(&mut tx, &row, payer, reg.adapters().payments.name(), reg.now_ms()).await?;
    tx.commit().await?;
    let Some(attempt) = attempt else {
        return Err(Error::Conflict(TransferRefusal::PaymentWaiting.render(lang(actor))));
    };
    charge(reg, actor, (row, cons), &phone, attempt).await
}

/// Refuse a prompt past the budget of unpaid ones (`domain::policy::prompts`):
/// to a number other than the person's own, and by the person.
async fn prompt_budget(tx: &mut WriteTx, actor: &Actor, phone: &domain::Phone, now: i64) -> Result<(), Error> {
    use domain::policy::prompts::{MAX_UNPAID_PER_NUMBER, MAX_UNPAID_PER_PERSON, may_prompt};
    let refuse = |to_number: bool, again_at_ms: i64| {
        let text = TransferRefusal::PromptsSpent { to_number, again_at_ms }.render(lang(actor));
        Err(FieldErrors::single("phone", text))
    };
    let own = actor.person.phone.as_deref() == Some(phone.as_str());
    let by_person = unpaid_prompts(tx, "payer_id", &actor.person.id, now).await?;
    if let Err(at) = may_prompt(&by_person, MAX_UNPAID_PER_PERSON, now) {
        return refuse(false, at);
    }
    if !own {
        let to_number = unpaid_prompts(tx, "payer_phone", phone.as_str(), now).await?;
        if let Err(at) = may_prompt(&to_number, MAX_UNPAID_PER_NUMBER, now) {
            return refuse(true, at);
        }
    }
    Ok(())
}

/// When the prompts not paid in the last hour whose `column` (the program's
/// own text) is `value` were sent.
async fn unpaid_prompts(tx: &mut WriteTx, column: &'static str, value: &str, now: i64) -> Result<Vec<i64>, Error> {
    let sql = format!(
        "SELECT created_at FROM reg_payment_attempts WHERE {column} = $1 AND created_at > $2 AND state NOT IN ($3, $4)"
    );
    let q = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql)).bind(value).bind(now - domain::policy::HOUR_MS);
    Ok(q.bind(AttemptState::Settled.as_str()).bind(AttemptState::Flagged.as_str()).fetch_all(&mut **tx).await?)
}

/// Claim the payment and record the attempt about to be made, in the
/// caller's transaction; `None` when a request is already waiting or the
/// fee is paid.
pub(super) async fn claim(
    tx: &mut WriteTx,
    row: &Row,
    payer: (&str, &domain::Phone),
    provider: &str,
    now: i64,
) -> Result<Option<NewAttempt>, Error> {
    if !claim_payment(tx, row, payer, provider, now).await? {
        return Ok(None);
    }
    Ok(Some(attempt::record(tx, row, payer, provider, now).await?))
}

/// Ask the gateway to prompt `phone` for the fee, once [`claim`] has
/// recorded the attempt, and record what it said. The attempt is written
/// before the gateway is asked, so a crash here leaves a request the
/// reconciliation job settles or gives up on, never a lost charge.
pub(super) async fn charge(
    reg: &Registry,
    actor: &Actor,
    (row, cons): (Row, Vec<Consenter>),
    phone: &domain::Phone,
    attempt: NewAttempt,
) -> Result<TransferView, Error> {
    adapters::crashpoint("payment.attempt_recorded");
    let payments = &reg.adapters().payments;
    let callback_url = attempt::callback_url(reg, &attempt.secret);
    let account_ref = row.reference.replace('-', "");
    let request = ChargeRequest {
        phone: phone.as_str(),
        amount_cents: row.invoice().total_cents(),
        account_ref: &account_ref,
        description: GATEWAY_DESCRIPTION,
        callback_url: &callback_url,
    };
    let row = match payments.charge(&request).await {
        Ok(Charge::Settled { provider_ref }) => {
            attempt::pending(reg, &attempt.id, &provider_ref).await?;
            let paid = Outcome::Paid {
                receipt: Some(provider_ref.clone()),
                amount_cents: Some(row.invoice().total_cents()),
                phone: Some(phone.as_str().to_string()),
                paid_at: None,
            };
            attempt::apply(reg, &attempt.id, &Callback { provider_ref, outcome: paid }).await?.ok();
            store::read(reg.db(), &row.id).await?.map_or(row, |(r, _)| r)
        }
        Ok(Charge::Pending { provider_ref }) => {
            tracing::info!(transfer = row.reference, provider_ref, "payment requested; waiting for the gateway");
            // The attempt's name at the gateway and the payment's state, in
            // one commit.
            let mut tx = reg.db().begin_write().await?;
            attempt::pending_in(&mut tx, &attempt.id, &provider_ref).await?;
            let pending = sqlx::query(
                "UPDATE reg_payments SET state = $3, provider_ref = $1 WHERE transfer_id = $2 AND state = $4",
            );
            let (to, from) = (PaymentState::Pending.as_str(), PaymentState::Requested.as_str());
            pending.bind(&provider_ref).bind(&row.id).bind(to).bind(from).execute(&mut *tx).await?;
            tx.commit().await?;
            row
        }
        Err(PaymentError::Unknown(e)) => {
            tracing::warn!(transfer = row.reference, error = %e, "payment request's outcome unknown; the callback or a query will tell");
            attempt::not_sent(reg, &attempt.id, false, &e).await?;
            return Err(Error::Unavailable(TransferRefusal::PaymentUnconfirmed.render(lang(actor))));
        }
        Err(PaymentError::NotStarted(e)) => {
            tracing::warn!(transfer = row.reference, error = %e, "payment could not be started");
            attempt::not_sent(reg, &attempt.id, true, &e).await?;
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
/// stands, or `None` if it was not awaiting payment. (Gateways' answers
/// come through [`attempt::apply`]; this is for a payment settled outside
/// one.)
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
    let (row, _) = store::load(&mut tx, id).await?.ok_or_else(|| not_found(lang))?;
    if !row.state.awaits_payment() {
        return Ok(None);
    }
    let after = settle_in(&mut tx, &row, payer_id, provider, provider_ref, now).await?;
    tx.commit().await?;
    reg.wake_outbox();
    Ok(Some(after))
}

/// Settle `row`'s fee in the caller's transaction: the transfer goes to the
/// officers' queue, the payment row records the receipt, the buyer is told.
/// `row` must be awaiting payment.
pub(super) async fn settle_in(
    tx: &mut WriteTx,
    row: &Row,
    payer_id: &str,
    provider: &str,
    provider_ref: &str,
    now: i64,
) -> Result<Row, Error> {
    let lang = parties::lang_in(tx, payer_id).await?;
    let cons = store::load(tx, &row.id).await?.map(|(_, c)| c).unwrap_or_default();
    let t = decide(row, &cons, Command::PaymentSettled, &Role::System, lang)?;
    let mut set = vec![("payment_ref", Val::Text(Some(provider_ref.to_string())))];
    if t.to == State::InReview {
        set.push(("queued_at", Val::Int(now)));
    }
    let line = Line::system(Step::PaymentSettled).detail(Some(provider_ref));
    let after = store::advance(tx, row, t.to, now, &set, line).await?;
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
    .bind(row.invoice().total_cents())
    .bind(payer_id)
    .bind(provider)
    .bind(provider_ref)
    .bind(now)
    .bind(PaymentState::Settled.as_str())
    .execute(&mut **tx)
    .await?;
    let (amount_cents, reference) = (row.invoice().total_cents(), row.reference.as_str());
    let sms = match t.from {
        State::AwaitingSellerPayment => Sms::SellerPaymentReceived { amount_cents, reference },
        _ => Sms::PaymentReceived { amount_cents, reference },
    };
    tell(tx, row.payer_id(), row, &sms, now).await?;
    if t.from == State::AwaitingSellerPayment {
        // The seller has paid: the consenters, or the buyer, are asked now.
        super::submit::ask_next(tx, row, &cons, t.to, now).await?;
    }
    Ok(after)
}

/// The gateway says a request it was given will not be paid (the payer
/// cancelled the prompt): another may be started at once. Nothing happens
/// to a request that is no longer waiting, or to another transfer's.
#[tracing::instrument(skip_all, fields(transfer = %id))]
pub async fn payment_failed(reg: &Registry, id: &str, provider_ref: &str) -> Result<bool, Error> {
    let provider = reg.adapters().payments.name();
    let Some(attempt) = attempt::by_provider_ref(reg, provider, provider_ref).await? else {
        return Ok(false);
    };
    let owner: Option<String> = sqlx::query_scalar("SELECT transfer_id FROM reg_payment_attempts WHERE id = $1")
        .bind(&attempt)
        .fetch_optional(reg.db().pool())
        .await?;
    let Some((row, _)) = store::read(reg.db(), id).await? else { return Ok(false) };
    if owner.as_deref() != Some(row.id.as_str()) {
        return Ok(false);
    }
    let outcome = Outcome::Failed { code: "1032".into(), description: "Request cancelled by user".into() };
    let applied = attempt::apply(reg, &attempt, &Callback { provider_ref: provider_ref.to_string(), outcome }).await?;
    Ok(applied.is_ok_and(|a| a == attempt::Applied::Failed))
}

/// Where the fee of a transfer stands, for the waiting page and the
/// receipt: what is paid for, how much, the number prompted (masked) and
/// the gateway's reference once it is paid.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PaymentView {
    pub transfer_id: String,
    pub reference: String,
    pub registration_number: String,
    pub vehicle: String,
    #[schema(schema_with = State::schema)]
    pub transfer_state: String,
    /// What the payer is asked for: the transfer fee and the platform fee.
    pub amount_cents: i64,
    pub amount: String,
    /// The transfer fee, by the schedule.
    pub fee_cents: i64,
    pub fee: String,
    /// The platform's access fee on this payment (0 when the schedule has
    /// none).
    pub platform_fee_cents: i64,
    pub platform_fee: String,
    /// Who pays: `buyer_at_acceptance` or `seller_at_submission`.
    #[schema(schema_with = Payer::schema)]
    pub payer: String,
    /// Where the payment stands; null before one was asked for.
    #[schema(schema_with = PaymentState::schema_or_null)]
    pub state: Option<String>,
    /// The number prompted, all but its first two and last three digits
    /// hidden (`07•• ••• 678`).
    pub phone_masked: Option<String>,
    /// The gateway's reference (the receipt number), once it gave one.
    pub provider_ref: Option<String>,
    pub requested_at_ms: Option<i64>,
    pub settled_at_ms: Option<i64>,
    /// Why the newest request failed, when it did: `cancelled`,
    /// `no_answer`, `wrong_pin`, `too_little_money` or `other`.
    pub failure: Option<String>,
    /// Whether the buyer may ask for the payment (again) now: the transfer
    /// awaits payment and no request is waiting for the payer's answer.
    pub can_pay: bool,
}

/// The payment of a transfer, for its parties and staff.
#[tracing::instrument(skip_all, fields(transfer = %id, vehicle = tracing::field::Empty, actor = %actor.person.id))]
pub async fn payment(reg: &Registry, actor: &Actor, id: &str) -> Result<PaymentView, Error> {
    let (row, _, _) = visible(reg, actor, id).await?;
    let paid: Option<(String, Option<String>, Option<String>, i64, Option<i64>)> = sqlx::query_as(
        "SELECT state, payer_phone, provider_ref, created_at, settled_at FROM reg_payments WHERE transfer_id = $1",
    )
    .bind(&row.id)
    .fetch_optional(reg.db().pool())
    .await?;
    let newest: Option<(String, Option<String>)> = sqlx::query_as(
        "SELECT state, result_code FROM reg_payment_attempts WHERE transfer_id = $1 ORDER BY attempt_no DESC LIMIT 1",
    )
    .bind(&row.id)
    .fetch_optional(reg.db().pool())
    .await?;
    let ended = [AttemptState::Failed.as_str(), AttemptState::Abandoned.as_str()];
    let failure = newest.filter(|(s, _)| ended.contains(&s.as_str())).map(|(state, code)| {
        // A request given up on had no answer from the phone either.
        let failure = match state == AttemptState::Abandoned.as_str() {
            true => Failure::NoAnswer,
            false => Failure::from_code(code.as_deref().unwrap_or_default()),
        };
        failure.as_str().to_string()
    });
    let now = reg.now_ms();
    let waiting = paid.as_ref().is_some_and(|(state, _, _, at, _)| {
        [PaymentState::Requested.as_str(), PaymentState::Pending.as_str()].contains(&state.as_str())
            && *at > now - PAYMENT_RETRY_AFTER_MS
    });
    let (state, phone, provider_ref, requested_at, settled_at) = match paid {
        Some((s, phone, r, at, settled)) => (Some(s), phone, r, Some(at), settled),
        None => (None, None, None, None, None),
    };
    let total = row.invoice().total_cents();
    Ok(PaymentView {
        transfer_id: row.id,
        reference: row.reference,
        registration_number: row.reg_no,
        vehicle: row.vehicle,
        transfer_state: row.state.as_str().to_string(),
        amount_cents: total,
        amount: domain::fees::format_kes(total),
        fee_cents: row.fee_cents,
        fee: domain::fees::format_kes(row.fee_cents),
        platform_fee_cents: row.platform_fee_cents,
        platform_fee: domain::fees::format_kes(row.platform_fee_cents),
        payer: row.payer.as_str().to_string(),
        can_pay: row.state.awaits_payment() && !waiting,
        failure,
        state,
        phone_masked: phone.as_deref().map(texts::format::phone_masked),
        provider_ref,
        requested_at_ms: requested_at,
        settled_at_ms: settled_at,
    })
}
