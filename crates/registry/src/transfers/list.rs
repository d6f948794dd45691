//! Lists of transfers: the actor's own, and the officers' review queue,
//! a page at a time, either searched by registration number or reference;
//! what waits for the actor to act on ("needs your action"); and the
//! queue's backlog for the operator's metrics. Reads only.

use domain::policy::DAY_MS;
use domain::transfer::{StaffAction, State};
use serde::Serialize;
use sqlx::Row as _;
use texts::{RegistryPage, StepRefusal, Text as _, TransferRefusal};

use super::view::API_LANG;
use super::{REVIEW_WORKING_DAYS, lang, today_eat};
use crate::paging::{Page, PageRequest, bad_cursor};
use crate::signin::Actor;
use crate::vehicles::{Search, own};
use crate::{Error, Registry};

/// A line in a list of transfers.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ListItem {
    pub id: String,
    pub reference: String,
    pub registration_number: String,
    #[schema(schema_with = State::schema)]
    pub state: String,
    pub state_label: String,
    pub created_at_ms: i64,
    pub queued_at_ms: Option<i64>,
    pub age_days: i64,
    pub review_deadline: Option<String>,
    /// In the review queue, on a transfer the officer is a party to: why
    /// another officer must review it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false, nullable = false)]
    pub conflict_of_interest: Option<String>,
}

/// A transfer as a list reads it, by column name.
struct Line {
    id: String,
    reference: String,
    reg_no: String,
    state: String,
    created_at: i64,
    queued_at: Option<i64>,
}

impl Line {
    fn from_row(r: &sqlx::any::AnyRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            id: r.try_get("id")?,
            reference: r.try_get("reference")?,
            reg_no: r.try_get("reg_no")?,
            state: r.try_get("state")?,
            created_at: r.try_get("created_at")?,
            queued_at: r.try_get("queued_at")?,
        })
    }
}

const COLUMNS: &str = "t.id, t.reference, v.reg_no, t.state, t.created_at, t.queued_at";

/// The transfers the actor's principal is a party to, newest first, a page
/// at a time.
#[tracing::instrument(skip_all, fields(actor = %actor.person.id))]
pub async fn list_mine(
    reg: &Registry,
    actor: &Actor,
    page: &PageRequest,
    search: &Search,
) -> Result<Page<ListItem>, Error> {
    let (before_at, before_id) = match page.after::<2>("transfers")? {
        Some([at, id]) => (at.parse::<i64>().map_err(|_| bad_cursor())?, id),
        None => (i64::MAX, String::new()),
    };
    // The party's transfers come by the indexes on seller, buyer and
    // consenting party; a search narrows those rows, never the whole table.
    let sql = format!(
        "SELECT {COLUMNS} FROM reg_transfers t JOIN reg_vehicles v ON v.id = t.vehicle_id \
         WHERE t.id IN (SELECT id FROM reg_transfers WHERE seller_id = $1 UNION SELECT id FROM reg_transfers \
                WHERE buyer_id = $1 UNION SELECT transfer_id FROM reg_consents WHERE party_id = $1) \
           AND (t.created_at < $2 OR (t.created_at = $2 AND t.id < $3)) {} \
         ORDER BY t.created_at DESC, t.id DESC LIMIT $4",
        search.condition(5)
    );
    let rows = search
        .bind(
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(actor.principal_id())
                .bind(before_at)
                .bind(before_id)
                .bind(page.fetch()),
        )
        .fetch_all(reg.db().pool())
        .await?;
    let lines = rows.iter().map(Line::from_row).collect::<Result<Vec<_>, _>>()?;
    Ok(page.page("transfers", list_items(reg, lines).await?, |t| [t.created_at_ms.to_string(), t.id.clone()]))
}

async fn list_items(reg: &Registry, lines: Vec<Line>) -> Result<Vec<ListItem>, Error> {
    let now = reg.now_ms();
    let (_, calendar) = reg.rules().await?;
    Ok(lines
        .into_iter()
        .map(|l| {
            let s = State::parse(&l.state).ok();
            let since = l.queued_at.unwrap_or(l.created_at);
            ListItem {
                id: l.id,
                reference: l.reference,
                registration_number: l.reg_no,
                state_label: s.map_or(l.state.clone(), |state| RegistryPage::StateLabel { state }.render(API_LANG)),
                review_deadline: l
                    .queued_at
                    .filter(|_| s == Some(State::InReview))
                    .map(|q| calendar.add_working_days(today_eat(q), REVIEW_WORKING_DAYS).to_string()),
                state: l.state,
                created_at_ms: l.created_at,
                queued_at_ms: l.queued_at,
                age_days: (now - since).max(0) / DAY_MS,
                conflict_of_interest: None,
            }
        })
        .collect())
}

/// A queued transfer and everyone it names but its consenters.
struct Queued {
    line: Line,
    named: [String; 3],
}

/// The officers' queue: transfers in review, oldest first, a page at a time.
#[tracing::instrument(skip_all, fields(actor = %actor.person.id))]
pub async fn queue(
    reg: &Registry,
    actor: &Actor,
    page: &PageRequest,
    search: &Search,
) -> Result<Page<ListItem>, Error> {
    if !actor.is_staff() {
        return Err(Error::Forbidden(TransferRefusal::OfficersOnlyQueue.render(lang(actor))));
    }
    let (after_at, after_id) = match page.after::<2>("queue")? {
        Some([at, id]) => (at.parse::<i64>().map_err(|_| bad_cursor())?, id),
        None => (i64::MIN, String::new()),
    };
    let sql = format!(
        "SELECT {COLUMNS}, t.seller_id, t.buyer_id, t.created_by FROM reg_transfers t \
         JOIN reg_vehicles v ON v.id = t.vehicle_id WHERE t.state = $4 \
           AND (t.queued_at > $1 OR (t.queued_at = $1 AND t.id > $2)) {} \
         ORDER BY t.queued_at, t.id LIMIT $3",
        search.condition(5)
    );
    let rows = search
        .bind(
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(after_at)
                .bind(after_id)
                .bind(page.fetch())
                .bind(State::InReview.as_str()),
        )
        .fetch_all(reg.db().pool())
        .await?;
    let queued = rows
        .iter()
        .map(|r| {
            Ok(Queued {
                line: Line::from_row(r)?,
                named: [r.try_get("seller_id")?, r.try_get("buyer_id")?, r.try_get("created_by")?],
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let theirs = officer_is_party(reg, actor, &queued).await?;
    let mut items = list_items(reg, queued.into_iter().map(|q| q.line).collect()).await?;
    for (item, theirs) in items.iter_mut().zip(theirs) {
        item.conflict_of_interest =
            theirs.then(|| StepRefusal::OwnCase { action: StaffAction::Review }.render(lang(actor)));
    }
    Ok(page.page("queue", items, |t| [t.queued_at_ms.unwrap_or_default().to_string(), t.id.clone()]))
}

/// For each queued transfer, whether the officer is a party to it (to mark
/// those another officer must review).
async fn officer_is_party(reg: &Registry, actor: &Actor, queued: &[Queued]) -> Result<Vec<bool>, Error> {
    let consenters: Vec<(String, String)> = if queued.is_empty() {
        vec![]
    } else {
        let marks = (1..=queued.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
        let ids: Vec<db::Param<'_>> = queued.iter().map(|q| q.line.id.as_str().into()).collect();
        let sql = format!("SELECT transfer_id, party_id FROM reg_consents WHERE transfer_id IN ({marks})");
        reg.db().read_all(&sql, &ids).await?
    };
    let own = own(actor);
    Ok(queued
        .iter()
        .map(|q| {
            let mut named: Vec<&str> = q.named.iter().map(String::as_str).collect();
            named.extend(consenters.iter().filter(|(t, _)| *t == q.line.id).map(|(_, p)| p.as_str()));
            domain::transfer::party_to_case(&own, &named)
        })
        .collect())
}

/// How many transfers wait in the officers' queue, and since when the
/// oldest has: for the operator's metrics.
pub async fn review_backlog(reg: &Registry) -> Result<(i64, Option<i64>), Error> {
    Ok(sqlx::query_as("SELECT COUNT(*), MIN(queued_at) FROM reg_transfers WHERE state = $1")
        .bind(State::InReview.as_str())
        .fetch_one(reg.db().pool())
        .await?)
}

/// What the actor must do on a transfer for it to go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NeedsAction {
    /// The seller: upload the scan and submit the draft.
    Submit,
    /// A joint owner or the financier: approve or refuse.
    Approve,
    /// The buyer: accept or decline.
    Answer,
    /// The buyer: pay the fee.
    Pay,
    /// The seller: a new scan, and the transfer sent back to review.
    Resubmit,
}

impl NeedsAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Approve => "approve",
            Self::Answer => "answer",
            Self::Pay => "pay",
            Self::Resubmit => "resubmit",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "submit" => Self::Submit,
            "approve" => Self::Approve,
            "answer" => Self::Answer,
            "pay" => Self::Pay,
            "resubmit" => Self::Resubmit,
            _ => return None,
        })
    }
}

/// A transfer waiting for the actor, and by when.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ActionItem {
    pub action: NeedsAction,
    pub id: String,
    pub reference: String,
    pub registration_number: String,
    /// The transfer fee; for a fee to pay, what the payer is asked for
    /// (with the platform fee).
    pub fee_cents: i64,
    pub fee: String,
    /// When the transfer expires if nobody acts.
    pub expires_at_ms: i64,
    /// The day it expires (East Africa Time), YYYY-MM-DD.
    pub deadline: String,
}

/// What waits for the actor's principal (themselves, or the organisation
/// they act for): drafts to submit, consents to give, transfers to accept
/// or decline and fees to pay (the buyer's, or the seller's where the
/// seller pays on submitting), the soonest to expire first, a page at a
/// time. One read, each part by its index (seller, consenting party,
/// buyer).
#[tracing::instrument(skip_all, fields(actor = %actor.person.id))]
pub async fn needs_action(reg: &Registry, actor: &Actor, page: &PageRequest) -> Result<Page<ActionItem>, Error> {
    let (after_at, after_key) = match page.after::<2>("actions")? {
        Some([at, key]) => (at.parse::<i64>().map_err(|_| bad_cursor())?, key),
        None => (i64::MIN, String::new()),
    };
    const PICK: &str = "SELECT t.id, t.reference, v.reg_no, t.fee_cents, t.platform_fee_cents, t.expires_at";
    const FROM: &str = "FROM reg_transfers t JOIN reg_vehicles v ON v.id = t.vehicle_id";
    let sql = format!(
        "SELECT * FROM ( \
           {PICK}, CASE WHEN t.state = $2 THEN 'submit' WHEN t.state = $10 THEN 'pay' ELSE 'resubmit' END \
             AS action {FROM} WHERE t.seller_id = $1 AND t.state IN ($2, $9, $10) \
           UNION ALL {PICK}, 'approve' AS action {FROM} JOIN reg_consents c ON c.transfer_id = t.id \
             WHERE c.party_id = $1 AND c.decision IS NULL AND t.state = $3 \
           UNION ALL {PICK}, CASE WHEN t.state = $4 THEN 'answer' ELSE 'pay' END AS action {FROM} \
             WHERE t.buyer_id = $1 AND t.state IN ($4, $5) \
         ) a WHERE a.expires_at > $6 OR (a.expires_at = $6 AND a.id || a.action > $7) \
         ORDER BY a.expires_at, a.id || a.action LIMIT $8"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(actor.principal_id())
        .bind(State::Draft.as_str())
        .bind(State::AwaitingConsents.as_str())
        .bind(State::AwaitingBuyer.as_str())
        .bind(State::AwaitingPayment.as_str())
        .bind(after_at)
        .bind(after_key)
        .bind(page.fetch())
        .bind(State::ReturnedForScan.as_str())
        .bind(State::AwaitingSellerPayment.as_str())
        .fetch_all(reg.db().pool())
        .await?;
    let mut items = vec![];
    for r in rows {
        let action: String = r.try_get("action")?;
        let Some(action) = NeedsAction::parse(&action) else { continue };
        let (fee_cents, expires_at_ms): (i64, i64) = (r.try_get("fee_cents")?, r.try_get("expires_at")?);
        // What the payer is asked for: the fee with the platform fee.
        let fee_cents =
            if action == NeedsAction::Pay { fee_cents + r.try_get::<i64, _>("platform_fee_cents")? } else { fee_cents };
        items.push(ActionItem {
            action,
            id: r.try_get("id")?,
            reference: r.try_get("reference")?,
            registration_number: r.try_get("reg_no")?,
            fee: domain::fees::format_kes(fee_cents),
            fee_cents,
            deadline: today_eat(expires_at_ms).to_string(),
            expires_at_ms,
        });
    }
    let key = |a: &ActionItem| [a.expires_at_ms.to_string(), format!("{}{}", a.id, a.action.as_str())];
    Ok(page.page("actions", items, key))
}
