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
                reports: vec![],
            });
        }
    }
    all.sort_by_key(|m| std::cmp::Reverse(m.created_at));
    all.truncate(limit.max(0) as usize);
    add_reports(db, &mut all).await?;
    Ok(all)
}

/// The reports about every message in `all` that has a gateway id, in one
/// query, put beside their messages.
async fn add_reports(db: &Db, all: &mut [MessageHistory]) -> Result<(), db::Error> {
    let ids: Vec<&str> = all.iter().filter_map(|m| m.gateway_id.as_deref()).collect();
    if ids.is_empty() {
        return Ok(());
    }
    let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    // The placeholders are numbered here; the ids are bound, never spliced.
    let sql = format!(
        "SELECT gateway_id, received_at, status, failure_reason, network_code FROM sms_reports \
         WHERE gateway_id IN ({}) ORDER BY id",
        marks.join(", ")
    );
    let mut q = sqlx::query_as::<_, (String, i64, String, Option<String>, Option<String>)>(sqlx::AssertSqlSafe(sql));
    for id in &ids {
        q = q.bind(*id);
    }
    for (gateway_id, at, status, failure_reason, network_code) in q.fetch_all(db.pool()).await? {
        if let Some(m) = all.iter_mut().find(|m| m.gateway_id.as_deref() == Some(gateway_id.as_str())) {
            m.reports.push(StatusEvent { at, status, failure_reason, network_code });
        }
    }
    Ok(())
}
