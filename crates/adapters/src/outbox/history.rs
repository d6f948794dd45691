//! A number's messages as staff see them: what each was for, its status
//! and every delivery report about it, and what it cost. The text of a
//! message that carries a code is never shown, sent or not.

use db::Db;
use serde::Serialize;

use super::Outbox;
use crate::sms::Cost;

/// One message to the number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessageHistory {
    /// The outbox (`sso_outbox`, `reg_outbox`) and its row.
    pub outbox: &'static str,
    pub id: i64,
    pub purpose: Option<String>,
    pub reference: Option<String>,
    /// The text, unless it carries a code.
    pub body: Option<String>,
    /// `queued`, `sent`, `delivered`, `failed` or `dead`, and since when.
    pub status: String,
    pub status_at: Option<i64>,
    pub failure_reason: Option<String>,
    pub created_at: i64,
    /// When the gateway took it.
    pub sent_at: Option<i64>,
    pub attempts: i64,
    pub gateway_id: Option<String>,
    pub cost: Option<Cost>,
    /// The delivery reports about it, oldest first.
    pub reports: Vec<StatusEvent>,
}

/// One delivery report, as it came.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusEvent {
    pub at: i64,
    pub status: String,
    pub failure_reason: Option<String>,
    pub network_code: Option<String>,
}

type Row = (
    i64,
    Option<String>,
    Option<String>,
    String,
    i64,
    String,
    Option<i64>,
    Option<String>,
    i64,
    Option<i64>,
    i64,
    Option<String>,
    Option<String>,
    Option<i64>,
);

/// The newest `limit` messages to `phone` (E.164) in each of `outboxes`,
/// newest first.
pub async fn history_for_number(
    db: &Db,
    outboxes: &[Outbox],
    phone: &str,
    limit: i64,
) -> Result<Vec<MessageHistory>, db::Error> {
    let mut all = vec![];
    for outbox in outboxes {
        let table = outbox.table();
        let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT id, purpose, reference, body, secret, status, status_at, failure_reason, created_at, sent_at, \
             attempts, gateway_id, cost_currency, cost_micros FROM {table} WHERE to_phone = $1 \
             ORDER BY created_at DESC, id DESC LIMIT $2"
        )))
        .bind(phone)
        .bind(limit)
        .fetch_all(db.pool())
        .await?;
        for r in rows {
            let reports = match &r.11 {
                Some(gateway_id) => reports_of(db, gateway_id).await?,
                None => vec![],
            };
            all.push(MessageHistory {
                outbox: table,
                id: r.0,
                purpose: r.1,
                reference: r.2,
                body: (r.4 == 0).then_some(r.3),
                status: r.5,
                status_at: r.6,
                failure_reason: r.7,
                created_at: r.8,
                sent_at: r.9,
                attempts: r.10,
                gateway_id: r.11,
                cost: r.12.zip(r.13).map(|(currency, micros)| Cost { currency, micros }),
                reports,
            });
        }
    }
    all.sort_by_key(|m| std::cmp::Reverse(m.created_at));
    all.truncate(limit.max(0) as usize);
    Ok(all)
}

async fn reports_of(db: &Db, gateway_id: &str) -> Result<Vec<StatusEvent>, db::Error> {
    let rows: Vec<(i64, String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT received_at, status, failure_reason, network_code FROM sms_reports WHERE gateway_id = $1 ORDER BY id",
    )
    .bind(gateway_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(at, status, failure_reason, network_code)| StatusEvent { at, status, failure_reason, network_code })
        .collect())
}
