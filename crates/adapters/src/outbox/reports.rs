//! Delivery reports: what the gateway says later about a message it took,
//! matched by its id to a row of either outbox.
//!
//! Every report is kept in `sms_reports` (this module is that table's one
//! writer): it is the message's status history. A report whose id no
//! outbox holds yet waits there, unapplied, because the gateway may report
//! before the worker has written the id it was answered: each delivery
//! pass applies the waiting reports whose id has since been written. One
//! that never matches is forgotten after [`WAIT_MS`].

use db::{Db, WriteTx};

use super::Outbox;

/// How long a report for an id no outbox holds is kept.
pub const WAIT_MS: i64 = 7 * 24 * 60 * 60 * 1000;

/// What a report says of the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportStatus {
    /// On its way (`Sent`, `Submitted`, `Buffered`).
    Sent,
    /// On the phone (`Success`).
    Delivered,
    /// Never to arrive (`Failed`, `Rejected`).
    Failed,
}

impl ReportStatus {
    /// The gateway's word for it; `None` for a word it has not used before.
    pub fn parse(word: &str) -> Option<Self> {
        match word {
            "Sent" | "Submitted" | "Buffered" => Some(Self::Sent),
            "Success" => Some(Self::Delivered),
            "Failed" | "Rejected" => Some(Self::Failed),
            _ => None,
        }
    }
}

/// One delivery report, as the gateway sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The gateway's id for the message.
    pub gateway_id: String,
    /// Its word (`Success`, `Failed`, …), kept as it came.
    pub status: String,
    pub failure_reason: Option<String>,
    pub network_code: Option<String>,
    pub retry_count: Option<i64>,
}

/// What became of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportOutcome {
    /// Its message was found and its status brought up to date.
    Applied,
    /// No outbox holds its id (yet): kept, and applied if the id comes.
    Waiting,
}

/// Keep `report` and apply it to its message in whichever of `outboxes`
/// holds it.
pub async fn record_report(
    db: &Db,
    outboxes: &[Outbox],
    report: &Report,
    now: i64,
) -> Result<ReportOutcome, db::Error> {
    let mut tx = db.begin_write().await?;
    let mut found = false;
    let mut changed = vec![];
    for outbox in outboxes {
        let table = outbox.table();
        let held: Option<i64> =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT id FROM {table} WHERE gateway_id = $1 LIMIT 1")))
                .bind(&report.gateway_id)
                .fetch_optional(&mut *tx)
                .await?;
        if held.is_some() {
            found = true;
            if apply(&mut tx, table, report, now).await? {
                changed.push(table);
            }
        }
    }
    sqlx::query(
        "INSERT INTO sms_reports (gateway_id, status, failure_reason, network_code, retry_count, received_at, applied) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&report.gateway_id)
    .bind(&report.status)
    .bind(report.failure_reason.as_deref())
    .bind(report.network_code.as_deref())
    .bind(report.retry_count)
    .bind(now)
    .bind(i64::from(found))
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM sms_reports WHERE applied = 0 AND received_at < $1")
        .bind(now - WAIT_MS)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    for table in changed {
        counted(table, report);
    }
    Ok(if found { ReportOutcome::Applied } else { ReportOutcome::Waiting })
}

/// Bring the message with the report's id in `table` up to date: a final
/// word (delivered, failed) stands once said. Whether its status changed.
async fn apply(tx: &mut WriteTx, table: &str, report: &Report, now: i64) -> Result<bool, sqlx::Error> {
    let q = match ReportStatus::parse(&report.status) {
        None => return Ok(false),
        Some(ReportStatus::Sent) => sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {table} SET status_at = $1 WHERE gateway_id = $2 AND status = 'sent'"
        )))
        .bind(now)
        .bind(&report.gateway_id),
        Some(final_word) => {
            let (status, reason) = match final_word {
                ReportStatus::Delivered => ("delivered", None),
                _ => ("failed", Some(report.failure_reason.clone().unwrap_or_else(|| report.status.clone()))),
            };
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE {table} SET status = $1, status_at = $2, failure_reason = $3 \
                 WHERE gateway_id = $4 AND status IN ('queued', 'sent')"
            )))
            .bind(status)
            .bind(now)
            .bind(reason)
            .bind(&report.gateway_id)
        }
    };
    let changed = q.execute(&mut **tx).await?.rows_affected() > 0;
    Ok(changed && ReportStatus::parse(&report.status) != Some(ReportStatus::Sent))
}

fn counted(table: &'static str, report: &Report) {
    match ReportStatus::parse(&report.status) {
        Some(ReportStatus::Delivered) => metrics::counter!("tims_sms_delivered_total", "outbox" => table).increment(1),
        Some(ReportStatus::Failed) => metrics::counter!("tims_sms_failed_total", "outbox" => table).increment(1),
        _ => {}
    }
}

/// Apply the reports that wait for an id `outbox` now holds. Reads only,
/// unless there is one.
pub(super) async fn apply_waiting(db: &Db, outbox: Outbox, now: i64) -> Result<(), db::Error> {
    let table = outbox.table();
    let select = format!(
        "SELECT r.id, r.gateway_id, r.status, r.failure_reason, r.received_at FROM sms_reports r \
         JOIN {table} o ON o.gateway_id = r.gateway_id WHERE r.applied = 0 ORDER BY r.id"
    );
    type Row = (i64, String, String, Option<String>, i64);
    let waiting: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(select)).fetch_all(db.pool()).await?;
    if waiting.is_empty() {
        return Ok(());
    }
    let mut tx = db.begin_write().await?;
    let mut changed = vec![];
    for (id, gateway_id, status, failure_reason, received_at) in waiting {
        // Another worker may have applied it since it was read.
        let took = sqlx::query("UPDATE sms_reports SET applied = 1 WHERE id = $1 AND applied = 0")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if took.rows_affected() == 0 {
            continue;
        }
        let report = Report { gateway_id, status, failure_reason, network_code: None, retry_count: None };
        tracing::info!(outbox = table, gateway_id = %report.gateway_id, "delivery report applied after its message's id came");
        // The status changed when the gateway said so, not when it was
        // matched.
        if apply(&mut tx, table, &report, received_at.min(now)).await? {
            changed.push(report);
        }
    }
    tx.commit().await?;
    for report in changed {
        counted(table, &report);
    }
    Ok(())
}
