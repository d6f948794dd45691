//! Payments whose callback never came: every minute, the gateway is asked
//! about each request that has waited longer than the configured time, and
//! its answer is applied as a callback's would be ([`attempt::apply`]). A
//! request no one can get an answer for is given up on once the configured
//! time has passed: it is marked abandoned (staff see it, the log says so,
//! `/metrics` counts it), and the payer may start another. A callback that
//! comes later still settles it.

use domain::AttemptState as A;

use super::attempt::{self, Applied};
use crate::payments::{Callback, Outcome};
use crate::{Error, Registry};

/// Requests looked at per run; the rest wait for the next minute.
const BATCH: i64 = 50;
/// A run stops asking once it has taken this long (a gateway that answers
/// each question only at its timeout must not keep a run past its lease);
/// the rest wait for the next minute.
const RUN_BUDGET: std::time::Duration = std::time::Duration::from_secs(4 * 60);

/// A request waiting for its answer.
#[derive(Debug, sqlx::FromRow)]
struct Waiting {
    id: String,
    transfer_id: String,
    attempt_no: i64,
    provider: String,
    provider_ref: Option<String>,
    created_at: i64,
    queries: i64,
}

/// Ask about, settle, fail or give up on the requests due; how many changed.
#[tracing::instrument(skip_all)]
pub async fn reconcile_due(reg: &Registry) -> Result<u64, Error> {
    let now = reg.now_ms();
    let cfg = reg.config();
    let ask_after = i64::from(cfg.payment_query_after_secs) * 1000;
    let give_up_at = now - i64::from(cfg.payment_give_up_secs) * 1000;
    let due: Vec<Waiting> = sqlx::query_as(
        "SELECT id, transfer_id, attempt_no, provider, provider_ref, created_at, queries FROM reg_payment_attempts \
         WHERE state IN ($1, $2, $3) AND created_at <= $4 AND (queried_at IS NULL OR queried_at <= $4) \
         ORDER BY created_at LIMIT $5",
    )
    .bind(A::Requested.as_str())
    .bind(A::Pending.as_str())
    .bind(A::Unknown.as_str())
    .bind(now - ask_after)
    .bind(BATCH)
    .fetch_all(reg.db().pool())
    .await?;
    let payments = &reg.adapters().payments;
    let mut changed = 0;
    let started = std::time::Instant::now();
    for w in due {
        if started.elapsed() > RUN_BUDGET {
            tracing::warn!("payment reconciliation ran out of time; the rest wait for the next run");
            break;
        }
        let asked = match w.provider_ref.as_deref() {
            Some(r) if w.provider == payments.name() => Some(payments.query(r).await),
            _ => None,
        };
        let outcome = match asked {
            Some(Ok(outcome)) if outcome != Outcome::Waiting => outcome,
            Some(Err(e)) => {
                tracing::warn!(attempt = w.id, error = %e, "the payment gateway could not say what became of a request");
                Outcome::Waiting
            }
            _ => Outcome::Waiting,
        };
        if outcome != Outcome::Waiting {
            let provider_ref = w.provider_ref.clone().unwrap_or_default();
            let applied = attempt::apply(reg, &w.id, &Callback { provider_ref, outcome }).await?;
            if applied.is_ok_and(|a| a != Applied::Unchanged) {
                changed += 1;
            }
            continue;
        }
        if w.created_at <= give_up_at {
            changed += give_up(reg, &w, now).await?;
        } else {
            let q = sqlx::query("UPDATE reg_payment_attempts SET queried_at = $2, queries = queries + 1 WHERE id = $1");
            reg.db().execute_write(q.bind(&w.id).bind(now)).await?;
        }
    }
    Ok(changed)
}

/// Give up on a request no one could get an answer for.
async fn give_up(reg: &Registry, w: &Waiting, now: i64) -> Result<u64, Error> {
    let mut tx = reg.db().begin_write().await?;
    let why = format!("no answer from the gateway after {} question(s); given up", w.queries + 1);
    let gave_up = sqlx::query(
        "UPDATE reg_payment_attempts SET state = $2, result_desc = $3, queried_at = $4, queries = queries + 1 \
         WHERE id = $1 AND state IN ($5, $6, $7)",
    )
    .bind(&w.id)
    .bind(A::Abandoned.as_str())
    .bind(&why)
    .bind(now)
    .bind(A::Requested.as_str())
    .bind(A::Pending.as_str())
    .bind(A::Unknown.as_str())
    .execute(&mut *tx)
    .await?;
    attempt::payment_failed_with(&mut tx, &w.transfer_id, w.attempt_no).await?;
    tx.commit().await?;
    if gave_up.rows_affected() == 1 {
        tracing::warn!(attempt = w.id, transfer = w.transfer_id, "a payment request was given up on");
        metrics::counter!("tims_payments_abandoned_total").increment(1);
        return Ok(1);
    }
    Ok(0)
}
