//! The online logbook transfer, step by step as the seed describes it. Each
//! step is one use case and one database transaction, together with the
//! timeline row and the SMS it causes; the state machine in
//! `domain::transfer` decides what may happen. Every transition is a
//! conditional update on the transfer's version, so two people acting at
//! once change it once.

use std::collections::BTreeSet;

use db::WriteTx;
use domain::org::OrgKind;
use domain::policy::DAY_MS;
use domain::transfer::{
    Command, LogbookState, OwnCase, Party as Role, StaffAction, State, Transfer as Machine, logbook_ready_on,
};
use domain::{AccountType, Date, IdNumber, KraPin};
use serde::{Deserialize, Serialize};

use crate::auth::Actor;
use crate::paging::{Page, PageRequest, bad_cursor};
use crate::parties;
use crate::payments::Charge;
use crate::reference::{new_id, transfer_reference};
use crate::{Error, FieldErrors, Registry, codes, outbox, store, uploads, vehicles};

/// East Africa Time, in which dates are reckoned and shown.
pub const EAT_OFFSET_MS: i64 = 3 * 60 * 60 * 1000;
/// Working days an officer has to review a transfer once it is queued.
pub const REVIEW_WORKING_DAYS: u32 = 2;

pub fn today_eat(now_ms: i64) -> Date {
    Date::from_utc_ms(now_ms + EAT_OFFSET_MS)
}

/// A transfer as stored.
#[derive(Debug, Clone)]
pub struct Row {
    pub id: String,
    pub reference: String,
    pub vehicle_id: String,
    pub state: State,
    pub seller_id: String,
    pub created_by: String,
    pub buyer_id: String,
    pub buyer_type: String,
    pub logbook_key: Option<String>,
    pub logbook_type: Option<String>,
    pub logbook_size: Option<i64>,
    pub fee_cents: i64,
    pub fee_schedule: String,
    pub fee_rule: String,
    pub payment_ref: Option<String>,
    pub postal_address: Option<String>,
    pub collection_office: Option<String>,
    pub reason: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
    pub queued_at: Option<i64>,
    pub decided_at: Option<i64>,
    pub version: i64,
    /// Read with the transfer, for messages and views.
    pub reg_no: String,
    pub vehicle: String,
    pub seller: PartySummary,
    pub buyer: PartySummary,
    /// The new logbook: serial, state, office, ready by.
    pub logbook: Option<(String, String, String, String)>,
}

fn from_record(mut r: db::Record) -> Result<Row, Error> {
    let state: String = r.take(3)?;
    Ok(Row {
        id: r.take(0)?,
        reference: r.take(1)?,
        vehicle_id: r.take(2)?,
        state: State::parse(&state).map_err(|e| Error::Internal(format!("stored state {state}: {}", e.message)))?,
        seller_id: r.take(4)?,
        created_by: r.take(5)?,
        buyer_id: r.take(6)?,
        buyer_type: r.take(7)?,
        logbook_key: r.take(8)?,
        logbook_type: r.take(9)?,
        logbook_size: r.take(10)?,
        fee_cents: r.take(11)?,
        fee_schedule: r.take(12)?,
        fee_rule: r.take(13)?,
        payment_ref: r.take(14)?,
        postal_address: r.take(15)?,
        collection_office: r.take(16)?,
        reason: r.take(17)?,
        created_at: r.take(18)?,
        expires_at: r.take(19)?,
        queued_at: r.take(20)?,
        decided_at: r.take(21)?,
        version: r.take(22)?,
        reg_no: r.take(23)?,
        vehicle: format!(
            "{} {} {} ({})",
            r.take::<String>(24)?,
            r.take::<String>(25)?,
            r.take::<String>(26)?,
            r.take::<i64>(27)?
        ),
        seller: PartySummary { name: r.take(28)?, kind: r.take(29)?, doc_type: r.take(30)?, doc_number: r.take(31)? },
        buyer: PartySummary { name: r.take(32)?, kind: r.take(33)?, doc_type: r.take(34)?, doc_number: r.take(35)? },
        logbook: match r.take::<Option<String>>(36)? {
            Some(serial) => Some((serial, r.take(37)?, r.take(38)?, r.take(39)?)),
            None => None,
        },
    })
}

/// The transfer with its vehicle, parties, logbook and consents, in one
/// read: a row per consent (one row with NULL consent columns if none).
const LOAD: &str = concat!(
    "SELECT t.id, t.reference, t.vehicle_id, t.state, t.seller_id, t.created_by, t.buyer_id, \
     t.buyer_type, t.logbook_key, t.logbook_type, t.logbook_size, t.fee_cents, t.fee_schedule, \
     t.fee_rule, t.payment_ref, t.postal_address, t.collection_office, t.reason, t.created_at, \
     t.expires_at, t.queued_at, t.decided_at, t.version, v.reg_no, v.colour, v.make, v.model, v.year, \
     s.name, s.kind, s.doc_type, s.doc_number, b.name, b.kind, b.doc_type, b.doc_number, \
     l.serial, l.state, l.office, l.ready_by, c.party_id, cp.name, c.role, c.decision \
     FROM reg_transfers t JOIN reg_vehicles v ON v.id = t.vehicle_id \
     JOIN reg_parties s ON s.id = t.seller_id JOIN reg_parties b ON b.id = t.buyer_id \
     LEFT JOIN reg_logbooks l ON l.transfer_id = t.id \
     LEFT JOIN reg_consents c ON c.transfer_id = t.id LEFT JOIN reg_parties cp ON cp.id = c.party_id",
    " WHERE t.id = $1 OR t.reference = $1 ORDER BY c.role, cp.name"
);

/// Where the consent columns of `LOAD` start.
const CONSENT_AT: usize = 40;

fn loaded(mut records: Vec<db::Record>) -> Result<Option<(Row, Vec<Consent>)>, Error> {
    let mut cons = vec![];
    for r in &mut records {
        if let Some(party_id) = r.take::<Option<String>>(CONSENT_AT)? {
            cons.push(Consent {
                party_id,
                name: r.take(CONSENT_AT + 1)?,
                role: r.take(CONSENT_AT + 2)?,
                decision: r.take(CONSENT_AT + 3)?,
            });
        }
    }
    match records.into_iter().next() {
        Some(first) => Ok(Some((from_record(first)?, cons))),
        None => Ok(None),
    }
}

/// A transfer by id or reference with its consents, in a write transaction.
async fn load(tx: &mut WriteTx, id: &str) -> Result<Option<(Row, Vec<Consent>)>, Error> {
    let rows = sqlx::query(LOAD).bind(id).fetch_all(&mut **tx).await?;
    loaded(rows.iter().map(db::Record::from_any_row).collect::<Result<_, _>>()?)
}

/// A transfer by id or reference with its consents, read outside a
/// transaction.
async fn read(reg: &Registry, id: &str) -> Result<Option<(Row, Vec<Consent>)>, Error> {
    loaded(reg.db().read(LOAD, &[id.into()]).await?)
}

/// A consent needed for a transfer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Consent {
    pub party_id: String,
    pub name: String,
    #[schema(schema_with = crate::api::schema::consent_role)]
    pub role: String,
    /// None yet while null.
    #[schema(schema_with = crate::api::schema::consent_decision)]
    pub decision: Option<String>,
}

fn machine(row: &Row, consents: &[Consent]) -> Result<Machine, Error> {
    let required: BTreeSet<String> = consents.iter().map(|c| c.party_id.clone()).collect();
    let approved: BTreeSet<String> =
        consents.iter().filter(|c| c.decision.as_deref() == Some("approved")).map(|c| c.party_id.clone()).collect();
    Machine::restore(row.state, required, approved).map_err(|e| Error::Internal(e.to_string()))
}

/// Everyone the transfer names: the seller, the buyer, each consenter, and
/// the person who keyed it in.
fn named<'a>(row: &'a Row, consents: &'a [Consent]) -> Vec<&'a str> {
    let mut n = vec![row.seller_id.as_str(), row.buyer_id.as_str(), row.created_by.as_str()];
    n.extend(consents.iter().map(|c| c.party_id.as_str()));
    n
}

/// Whether the actor is a party to the transfer: themselves, or through any
/// organisation they belong to, whomever they act for just now.
fn party_to(actor: &Actor, row: &Row, consents: &[Consent]) -> bool {
    domain::transfer::party_to_case(&own(actor), &named(row, consents))
}

/// Everyone the actor is: themselves and every organisation they belong to.
fn own(actor: &Actor) -> Vec<&str> {
    let mut own = vec![actor.person.id.as_str()];
    own.extend(actor.memberships.iter().map(|m| m.org_id.as_str()));
    own
}

/// Staff may not act on a transfer they are a party to (see
/// [`domain::transfer::officiate`]).
fn officiate(actor: &Actor, row: &Row, consents: &[Consent], action: StaffAction) -> Result<(), Error> {
    if party_to(actor, row, consents) { Err(OwnCase(action).into()) } else { Ok(()) }
}

/// The roles the actor holds on this transfer (a person may be several).
/// Staff hold the officer's role only on transfers they are no party to; on
/// their own they hold a party's roles, like anyone else.
pub fn roles(actor: &Actor, row: &Row, consents: &[Consent]) -> Vec<Role> {
    let p = actor.principal_id();
    let mut r = vec![];
    if row.seller_id == p {
        r.push(Role::Seller);
    }
    if row.buyer_id == p {
        r.push(Role::Buyer);
    }
    for c in consents.iter().filter(|c| c.party_id == p) {
        r.push(if c.role == "financier" { Role::Financier(p.to_string()) } else { Role::CoOwner(p.to_string()) });
    }
    if actor.is_staff() && !party_to(actor, row, consents) {
        r.push(Role::Officer);
    }
    r
}

fn not_found() -> Error {
    Error::NotFound("No such transfer, or it is not yours to see".into())
}

/// Load a transfer the actor may see, with its consents and the actor's roles.
async fn visible(reg: &Registry, actor: &Actor, id: &str) -> Result<(Row, Vec<Consent>, Vec<Role>), Error> {
    let (row, cons) = read(reg, id).await?.ok_or_else(not_found)?;
    let r = roles(actor, &row, &cons);
    // Someone with no part in a transfer learns nothing, not even that it
    // exists. Staff see every transfer.
    if r.is_empty() && !actor.is_staff() {
        return Err(not_found());
    }
    Ok((row, cons, r))
}

/// Begin a step: take the write transaction, then read the transfer and its
/// consents in it and check the actor has a part in it (the same rule as
/// `visible`). Everything the step decides is decided on this read.
async fn step(reg: &Registry, actor: &Actor, id: &str) -> Result<(WriteTx, Row, Vec<Consent>, Vec<Role>), Error> {
    let mut tx = reg.db().begin_write().await?;
    let (row, cons) = load(&mut tx, id).await?.ok_or_else(not_found)?;
    let r = roles(actor, &row, &cons);
    if r.is_empty() && !actor.is_staff() {
        return Err(not_found());
    }
    Ok((tx, row, cons, r))
}

fn need(roles: &[Role], wanted: impl Fn(&Role) -> bool, what: &str) -> Result<Role, Error> {
    roles.iter().find(|r| wanted(r)).cloned().ok_or_else(|| Error::Forbidden(format!("Only {what} can do this")))
}

fn need_transactor(actor: &Actor) -> Result<(), Error> {
    if actor.may_transact() {
        Ok(())
    } else {
        Err(Error::Forbidden(
            "You are a viewer for this organisation: only its admins and transactors can act on its transfers".into(),
        ))
    }
}

/// Record a move in the timeline (sequence = the transfer's new version).
#[allow(clippy::too_many_arguments)]
async fn event(
    tx: &mut WriteTx,
    row: &Row,
    seq: i64,
    action: &str,
    to: State,
    actor: Option<&Actor>,
    detail: Option<&str>,
    now: i64,
) -> Result<(), Error> {
    sqlx::query(
        "INSERT INTO reg_transfer_events (id, transfer_id, seq, at, action, from_state, to_state, actor_id, acting_for, \
         address, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(new_id())
    .bind(&row.id)
    .bind(seq)
    .bind(now)
    .bind(action)
    .bind(row.state.as_str())
    .bind(to.as_str())
    .bind(actor.map(|a| a.person.id.clone()))
    .bind(actor.map(|a| a.principal_id().to_string()))
    .bind(actor.and_then(|a| a.address.clone()))
    .bind(detail)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A value for another column set by a move.
#[derive(Debug, Clone)]
enum Val {
    Text(Option<String>),
    Int(i64),
}

/// Move the transfer to `to` if nobody else moved it since it was read;
/// close it (free the vehicle) when `to` is final; set the columns in `set`
/// too. Returns the transfer as it now stands (its version numbers the
/// timeline row), so the step can answer without reading it again.
async fn advance(tx: &mut WriteTx, row: &Row, to: State, now: i64, set: &[(&str, Val)]) -> Result<Row, Error> {
    let mut sql = String::from("UPDATE reg_transfers SET state = $1, version = version + 1, updated_at = $2");
    // Closing sets when it was decided; moves after that (the logbook's)
    // leave it as it was.
    let closing = row.state.is_open() && !to.is_open();
    if closing {
        sql.push_str(", open_vehicle_id = NULL, decided_at = $2");
    }
    for (i, (col, _)) in set.iter().enumerate() {
        sql.push_str(&format!(", {col} = ${}", i + 5));
    }
    sql.push_str(" WHERE id = $3 AND version = $4");
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(to.as_str()).bind(now).bind(&row.id).bind(row.version);
    for (_, v) in set {
        q = match v {
            Val::Text(t) => q.bind(t.clone()),
            Val::Int(i) => q.bind(*i),
        };
    }
    let done = q.execute(&mut **tx).await?;
    if done.rows_affected() != 1 {
        return Err(Error::Conflict(
            "The transfer changed while you were working on it: reload it to see where it stands".into(),
        ));
    }
    let mut after = Row { state: to, version: row.version + 1, ..row.clone() };
    if closing {
        after.decided_at = Some(now);
    }
    for (col, v) in set {
        let text = || match v {
            Val::Text(t) => t.clone(),
            Val::Int(i) => Some(i.to_string()),
        };
        let int = || match v {
            Val::Int(i) => Some(*i),
            Val::Text(_) => None,
        };
        match *col {
            "logbook_key" => after.logbook_key = text(),
            "logbook_type" => after.logbook_type = text(),
            "logbook_size" => after.logbook_size = int(),
            "payment_ref" => after.payment_ref = text(),
            "postal_address" => after.postal_address = text(),
            "collection_office" => after.collection_office = text(),
            "reason" => after.reason = text(),
            "queued_at" => after.queued_at = int(),
            _ => {}
        }
    }
    Ok(after)
}

// ---- views ------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PartySummary {
    pub name: String,
    #[schema(schema_with = crate::api::schema::party_kind)]
    pub kind: String,
    #[schema(schema_with = crate::api::schema::doc_type)]
    pub doc_type: String,
    pub doc_number: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FeeView {
    pub amount_cents: i64,
    pub amount: String,
    pub rule: String,
    pub schedule: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Event {
    pub seq: i64,
    pub at_ms: i64,
    pub action: String,
    #[schema(schema_with = crate::api::schema::transfer_state_or_null)]
    pub from_state: Option<String>,
    #[schema(schema_with = crate::api::schema::transfer_state)]
    pub to_state: String,
    pub actor: Option<String>,
    pub acting_for: Option<String>,
    pub address: Option<String>,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LogbookView {
    pub serial: String,
    #[schema(schema_with = crate::api::schema::logbook_state)]
    pub state: String,
    pub state_label: String,
    pub office: String,
    pub ready_by: String,
    pub next_step: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TransferView {
    pub id: String,
    pub reference: String,
    #[schema(schema_with = crate::api::schema::transfer_state)]
    pub state: String,
    pub state_label: String,
    pub next_step: String,
    #[schema(schema_with = crate::api::schema::transfer_roles)]
    pub your_roles: Vec<String>,
    pub registration_number: String,
    pub vehicle: String,
    pub seller: PartySummary,
    pub buyer: PartySummary,
    #[schema(schema_with = crate::api::schema::buyer_type)]
    pub buyer_type: String,
    pub fee: FeeView,
    pub consents: Vec<Consent>,
    pub logbook_scan: Option<String>,
    pub postal_address: Option<String>,
    pub collection_office: Option<String>,
    pub reason: Option<String>,
    pub payment_ref: Option<String>,
    pub created_at_ms: i64,
    pub expires_at_ms: Option<i64>,
    pub queued_at_ms: Option<i64>,
    pub review_deadline: Option<String>,
    pub logbook: Option<LogbookView>,
    pub timeline: Vec<Event>,
    /// For staff who are a party to this transfer (themselves or through
    /// an organisation they belong to): why another officer must act on it.
    pub conflict_of_interest: Option<String>,
}

/// The transfer as the actor sees it.
async fn view(reg: &Registry, actor: &Actor, row: Row, cons: Vec<Consent>) -> Result<TransferView, Error> {
    let roles = roles(actor, &row, &cons);
    // What staff would do next to the transfer, if anything.
    let staff_next = match row.state {
        State::Approved => Some(StaffAction::Logbook),
        s if s.is_open() => Some(StaffAction::Review),
        _ => None,
    };
    let conflict_of_interest = staff_next
        .filter(|_| actor.is_staff() && party_to(actor, &row, &cons))
        .map(|action| OwnCase(action).to_string());
    type EventRow =
        (i64, i64, String, Option<String>, String, Option<String>, Option<String>, Option<String>, Option<String>);
    let events: Vec<EventRow> = reg
        .db()
        .read_all(
            "SELECT e.seq, e.at, e.action, e.from_state, e.to_state, a.name, f.name, e.address, e.detail \
             FROM reg_transfer_events e LEFT JOIN reg_parties a ON a.id = e.actor_id \
             LEFT JOIN reg_parties f ON f.id = e.acting_for WHERE e.transfer_id = $1 ORDER BY e.seq",
            &[row.id.as_str().into()],
        )
        .await?;
    let officer = roles.contains(&Role::Officer);
    let timeline = events
        .into_iter()
        .map(|(seq, at_ms, action, from_state, to_state, actor, acting_for, address, detail)| Event {
            seq,
            at_ms,
            action,
            from_state,
            to_state,
            actor,
            acting_for,
            // Where a request came from is for the agency's eyes.
            address: address.filter(|_| officer),
            detail,
        })
        .collect();
    let logbook = row.logbook.clone().map(|(serial, state, office, ready_by)| {
        let s = LogbookState::parse(&state).ok();
        LogbookView {
            serial,
            state_label: s.map_or(state.clone(), |s| s.label().to_string()),
            next_step: s.map_or("", |s| s.next_step()).to_string(),
            state,
            office,
            ready_by,
        }
    });
    let review_deadline = match row.queued_at {
        Some(q) if row.state == State::InReview => {
            let (_, calendar) = reg.rules().await?;
            Some(calendar.add_working_days(today_eat(q), REVIEW_WORKING_DAYS).to_string())
        }
        _ => None,
    };
    Ok(TransferView {
        state_label: row.state.label().to_string(),
        next_step: row.state.next_step().to_string(),
        state: row.state.as_str().to_string(),
        your_roles: roles.iter().map(|r| r.role().to_string()).collect(),
        registration_number: row.reg_no.clone(),
        vehicle: row.vehicle.clone(),
        seller: row.seller.clone(),
        buyer: row.buyer.clone(),
        buyer_type: row.buyer_type.clone(),
        fee: FeeView {
            amount_cents: row.fee_cents,
            amount: domain::fees::format_kes(row.fee_cents),
            rule: row.fee_rule.clone(),
            schedule: row.fee_schedule.clone(),
        },
        consents: cons,
        logbook_scan: row.logbook_type.clone(),
        postal_address: row.postal_address.clone(),
        collection_office: row.collection_office.clone(),
        reason: row.reason.clone(),
        payment_ref: row.payment_ref.clone(),
        created_at_ms: row.created_at,
        expires_at_ms: row.state.can_expire().then_some(row.expires_at),
        queued_at_ms: row.queued_at,
        review_deadline,
        logbook,
        timeline,
        conflict_of_interest,
        id: row.id,
        reference: row.reference,
    })
}

/// One transfer, for a party to it or staff.
pub async fn get(reg: &Registry, actor: &Actor, id: &str) -> Result<TransferView, Error> {
    let (row, cons, _) = visible(reg, actor, id).await?;
    view(reg, actor, row, cons).await
}

/// A line in a list of transfers.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ListItem {
    pub id: String,
    pub reference: String,
    pub registration_number: String,
    #[schema(schema_with = crate::api::schema::transfer_state)]
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

/// The transfers the actor's principal is a party to, newest first, a page
/// at a time.
pub async fn list_mine(reg: &Registry, actor: &Actor, page: &PageRequest) -> Result<Page<ListItem>, Error> {
    let (before_at, before_id) = match page.after::<2>("transfers")? {
        Some([at, id]) => (at.parse::<i64>().map_err(|_| bad_cursor())?, id),
        None => (i64::MAX, String::new()),
    };
    let rows: Vec<(String, String, String, String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT t.id, t.reference, v.reg_no, t.state, t.created_at, t.queued_at FROM reg_transfers t \
         JOIN reg_vehicles v ON v.id = t.vehicle_id \
         WHERE (t.seller_id = $1 OR t.buyer_id = $1 \
                OR t.id IN (SELECT transfer_id FROM reg_consents WHERE party_id = $1)) \
           AND (t.created_at < $2 OR (t.created_at = $2 AND t.id < $3)) \
         ORDER BY t.created_at DESC, t.id DESC LIMIT $4",
    )
    .bind(actor.principal_id())
    .bind(before_at)
    .bind(before_id)
    .bind(page.fetch())
    .fetch_all(reg.db().pool())
    .await?;
    Ok(page.page("transfers", list_items(reg, rows).await?, |t| [t.created_at_ms.to_string(), t.id.clone()]))
}

async fn list_items(
    reg: &Registry,
    rows: Vec<(String, String, String, String, i64, Option<i64>)>,
) -> Result<Vec<ListItem>, Error> {
    let now = reg.now_ms();
    let (_, calendar) = reg.rules().await?;
    Ok(rows
        .into_iter()
        .map(|(id, reference, reg_no, state, created_at, queued_at)| {
            let s = State::parse(&state).ok();
            let since = queued_at.unwrap_or(created_at);
            ListItem {
                id,
                reference,
                registration_number: reg_no,
                state_label: s.map_or(state.clone(), |s| s.label().to_string()),
                review_deadline: queued_at
                    .filter(|_| s == Some(State::InReview))
                    .map(|q| calendar.add_working_days(today_eat(q), REVIEW_WORKING_DAYS).to_string()),
                state,
                created_at_ms: created_at,
                queued_at_ms: queued_at,
                age_days: (now - since).max(0) / DAY_MS,
                conflict_of_interest: None,
            }
        })
        .collect())
}

/// The officers' queue: transfers in review, oldest first, a page at a time.
pub async fn queue(reg: &Registry, actor: &Actor, page: &PageRequest) -> Result<Page<ListItem>, Error> {
    if !actor.is_staff() {
        return Err(Error::Forbidden("Only the agency's officers can see the review queue".into()));
    }
    let (after_at, after_id) = match page.after::<2>("queue")? {
        Some([at, id]) => (at.parse::<i64>().map_err(|_| bad_cursor())?, id),
        None => (i64::MIN, String::new()),
    };
    type QueueRow = (String, String, String, String, i64, Option<i64>, String, String, String);
    let rows: Vec<QueueRow> = sqlx::query_as(
        "SELECT t.id, t.reference, v.reg_no, t.state, t.created_at, t.queued_at, t.seller_id, t.buyer_id, \
         t.created_by FROM reg_transfers t \
         JOIN reg_vehicles v ON v.id = t.vehicle_id WHERE t.state = 'in_review' \
           AND (t.queued_at > $1 OR (t.queued_at = $1 AND t.id > $2)) \
         ORDER BY t.queued_at, t.id LIMIT $3",
    )
    .bind(after_at)
    .bind(after_id)
    .bind(page.fetch())
    .fetch_all(reg.db().pool())
    .await?;
    // Everyone each transfer names, to mark those the officer is a party to.
    let consenters: Vec<(String, String)> = if rows.is_empty() {
        vec![]
    } else {
        let marks = (1..=rows.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
        let ids: Vec<db::Param<'_>> = rows.iter().map(|r| r.0.as_str().into()).collect();
        let sql = format!("SELECT transfer_id, party_id FROM reg_consents WHERE transfer_id IN ({marks})");
        reg.db().read_all(&sql, &ids).await?
    };
    let own = own(actor);
    let theirs: Vec<bool> = rows
        .iter()
        .map(|(id, .., seller, buyer, created_by)| {
            let mut named = vec![seller.as_str(), buyer.as_str(), created_by.as_str()];
            named.extend(consenters.iter().filter(|(t, _)| t == id).map(|(_, p)| p.as_str()));
            domain::transfer::party_to_case(&own, &named)
        })
        .collect();
    let rows = rows.into_iter().map(|(id, r, n, s, c, q, ..)| (id, r, n, s, c, q)).collect();
    let mut items = list_items(reg, rows).await?;
    for (item, theirs) in items.iter_mut().zip(theirs) {
        item.conflict_of_interest = theirs.then(|| OwnCase(StaffAction::Review).to_string());
    }
    Ok(page.page("queue", items, |t| [t.queued_at_ms.unwrap_or_default().to_string(), t.id.clone()]))
}

/// How many transfers wait in the officers' queue, and since when the
/// oldest has: for the operator's metrics.
pub async fn review_backlog(reg: &Registry) -> Result<(i64, Option<i64>), Error> {
    Ok(sqlx::query_as("SELECT COUNT(*), MIN(queued_at) FROM reg_transfers WHERE state = 'in_review'")
        .fetch_one(reg.db().pool())
        .await?)
}

// ---- the steps --------------------------------------------------------------

/// What the seller keys in to start a transfer. (Its OpenAPI schema is in
/// `api::schema`: which ID goes with which buyer type.)
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTransfer {
    #[serde(default)]
    pub registration_number: String,
    /// individual, or an organisation kind (company, car_dealer, ...).
    #[serde(default)]
    pub buyer_type: String,
    /// For an individual: citizen (national ID), resident (alien ID) or
    /// foreigner (passport). Default citizen.
    #[serde(default)]
    pub buyer_id_type: Option<String>,
    /// The buyer's ID number (individual) or KRA PIN (organisation).
    #[serde(default)]
    pub buyer_id_number: String,
}

/// Step 1: the seller (or a transactor for the owning organisation) opens a
/// transfer of a vehicle to a buyer named by ID number or KRA PIN.
pub async fn create(reg: &Registry, actor: &Actor, input: &NewTransfer) -> Result<TransferView, Error> {
    need_transactor(actor)?;
    let now = reg.now_ms();
    let mut errors = FieldErrors::new();
    let reg_no = errors.check("registration_number", domain::RegistrationNumber::parse(&input.registration_number));
    let buyer_type = input.buyer_type.trim().to_ascii_lowercase();
    let buyer_doc: Option<(String, String)> = if buyer_type == "individual" {
        match AccountType::parse(input.buyer_id_type.as_deref().unwrap_or("citizen")) {
            Ok(kind) => errors
                .check("buyer_id_number", IdNumber::parse(kind, &input.buyer_id_number))
                .map(|id| (kind.as_str().to_string(), id.as_str().to_string())),
            Err(e) => {
                errors.add("buyer_id_type", e.message);
                None
            }
        }
    } else {
        match OrgKind::parse(&buyer_type) {
            Ok(_) => errors
                .check("buyer_id_number", KraPin::parse(&input.buyer_id_number))
                .map(|pin| ("kra_pin".to_string(), pin.as_str().to_string())),
            Err(_) => {
                errors.add(
                    "buyer_type",
                    format!(
                        "Choose individual or an organisation kind: {}",
                        OrgKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                );
                None
            }
        }
    };
    errors.into_result()?;
    let (Some(reg_no), Some((doc_type, doc_number))) = (reg_no, buyer_doc) else {
        return Err(Error::Internal("checked above".into()));
    };
    let (vehicle, owners) = vehicles::with_owners(reg, &reg_no).await?.ok_or_else(|| {
        FieldErrors::single(
            "registration_number",
            format!("No vehicle with registration number {reg_no} is registered"),
        )
    })?;
    let seller_id = actor.principal_id().to_string();
    if !owners.iter().any(|o| o.party_id == seller_id && o.role == "owner") {
        return Err(Error::Forbidden(format!(
            "Only an owner of {reg_no} (or someone acting for an owning organisation) can transfer it"
        )));
    }
    let buyer = parties::by_document(reg, &doc_type, &doc_number).await?.filter(|p| p.is_org() || p.phone.is_some());
    let Some(buyer) = buyer else {
        return Err(FieldErrors::single(
            "buyer_id_number",
            "No one with this ID number or KRA PIN has signed in to tims yet: both parties need an account. \
             Ask the buyer to sign in once, then try again",
        ));
    };
    if buyer.is_org() != (buyer_type != "individual") {
        return Err(FieldErrors::single("buyer_type", "The buyer type does not match the ID number or KRA PIN given"));
    }
    if owners.iter().any(|o| o.party_id == buyer.id) {
        return Err(FieldErrors::single("buyer_id_number", "The buyer is already an owner of this vehicle"));
    }
    let (fees, _) = reg.rules().await?;
    let fee = fees
        .quote_on(today_eat(now), &vehicle.fee_query()?)
        .map_err(|e| FieldErrors::single("registration_number", format!("This vehicle cannot be priced: {e}")))?;
    let id = new_id();
    let expires_at = now + i64::from(reg.config().transfer_expiry_days) * DAY_MS;
    let mut tx = reg.db().begin_write().await?;
    // The owners were read before the transaction: hold the vehicle's row
    // (an approval changing its owners updates it too) and check they are
    // still the same, so a transfer is never opened on an old owner list.
    tx.lock_row("reg_vehicles", &vehicle.id).await?;
    let mut now_owners: Vec<(String, String)> =
        sqlx::query_as("SELECT party_id, role FROM reg_vehicle_owners WHERE vehicle_id = $1")
            .bind(&vehicle.id)
            .fetch_all(&mut *tx)
            .await?;
    let mut read_owners: Vec<(String, String)> = owners.iter().map(|o| (o.party_id.clone(), o.role.clone())).collect();
    now_owners.sort();
    read_owners.sort();
    if now_owners != read_owners {
        return Err(Error::Conflict(format!("The owners of {reg_no} changed just now: look the vehicle up again")));
    }
    let inserted = sqlx::query(
        "INSERT INTO reg_transfers (id, reference, vehicle_id, open_vehicle_id, state, seller_id, created_by, buyer_id, \
         buyer_type, fee_cents, fee_schedule, fee_rule, created_at, updated_at, expires_at) \
         VALUES ($1, $2, $3, $3, 'draft', $4, $5, $6, $7, $8, $9, $10, $11, $11, $12)",
    )
    .bind(&id)
    .bind(transfer_reference())
    .bind(&vehicle.id)
    .bind(&seller_id)
    .bind(&actor.person.id)
    .bind(&buyer.id)
    .bind(&buyer_type)
    .bind(fee.amount_cents)
    .bind(&fee.schedule_version)
    .bind(&fee.description)
    .bind(now)
    .bind(expires_at)
    .execute(&mut *tx)
    .await;
    if let Err(e) = inserted {
        if db::is_unique_violation(&e) {
            return Err(Error::Conflict(format!(
                "{reg_no} already has an open transfer: finish or cancel it before starting another"
            )));
        }
        return Err(e.into());
    }
    for o in owners.iter().filter(|o| o.party_id != seller_id) {
        let role = if o.role == "financier" { "financier" } else { "co_owner" };
        sqlx::query("INSERT INTO reg_consents (transfer_id, party_id, role) VALUES ($1, $2, $3)")
            .bind(&id)
            .bind(&o.party_id)
            .bind(role)
            .execute(&mut *tx)
            .await?;
    }
    let (row, _) = load(&mut tx, &id).await?.ok_or_else(|| Error::Internal("inserted transfer missing".into()))?;
    event(&mut tx, &row, 0, "created", State::Draft, Some(actor), None, now).await?;
    tx.commit().await?;
    metrics::counter!("tims_transfers_created_total").increment(1);
    // The consents just written, in the order `consents` reads them.
    let mut cons: Vec<Consent> = owners
        .iter()
        .filter(|o| o.party_id != seller_id)
        .map(|o| Consent {
            party_id: o.party_id.clone(),
            name: o.name.clone(),
            role: if o.role == "financier" { "financier" } else { "co_owner" }.to_string(),
            decision: None,
        })
        .collect();
    cons.sort_by(|a, b| (&a.role, &a.name).cmp(&(&b.role, &b.name)));
    view(reg, actor, row, cons).await
}

/// The seller uploads the scanned logbook (PDF, JPEG or PNG, at most 10 MB,
/// recognised by content) while the transfer is a draft.
pub async fn upload_logbook(reg: &Registry, actor: &Actor, id: &str, bytes: &[u8]) -> Result<TransferView, Error> {
    let (row, cons, roles) = visible(reg, actor, id).await?;
    need(&roles, |r| *r == Role::Seller, "the seller")?;
    need_transactor(actor)?;
    if row.state != State::Draft {
        return Err(Error::Conflict("The scanned logbook can only be changed before the seller submits".into()));
    }
    let content_type = store::sniff_scan(bytes).map_err(|m| FieldErrors::single("logbook", m))?;
    let key = format!("logbooks/{}-{}", row.id, &new_id()[..8]);
    // The row first, then the file: no file is ever stored that no row
    // accounts for (see `uploads`).
    uploads::begin(reg, &row.id, &key).await?;
    if let Err(e) = reg.adapters().store.put(&key, bytes).await {
        uploads::discard(reg, &key).await;
        return Err(uploads::unreadable(e));
    }
    let now = reg.now_ms();
    let sha = crate::reference::sha256_hex(bytes);
    let committed = async {
        let mut tx = reg.db().begin_write().await?;
        let set = [
            ("logbook_key", Val::Text(Some(key.clone()))),
            ("logbook_type", Val::Text(Some(content_type.to_string()))),
            ("logbook_sha256", Val::Text(Some(sha))),
            ("logbook_size", Val::Int(bytes.len() as i64)),
        ];
        let after = advance(&mut tx, &row, State::Draft, now, &set).await?;
        uploads::make_live(&mut tx, &key, row.logbook_key.as_deref(), now).await?;
        event(&mut tx, &row, after.version, "logbook_uploaded", State::Draft, Some(actor), Some(content_type), now)
            .await?;
        tx.commit().await?;
        Ok::<_, Error>(after)
    }
    .await;
    let after = match committed {
        Ok(after) => after,
        Err(e) => {
            uploads::discard(reg, &key).await;
            return Err(e);
        }
    };
    if let Some(old) = &row.logbook_key {
        uploads::discard(reg, old).await;
    }
    view(reg, actor, after, cons).await
}

/// The scanned logbook, for the seller and for officers with no part in the
/// transfer.
pub async fn logbook_scan(reg: &Registry, actor: &Actor, id: &str) -> Result<(String, Vec<u8>), Error> {
    let (row, cons, roles) = visible(reg, actor, id).await?;
    if actor.is_staff() && !roles.contains(&Role::Seller) {
        officiate(actor, &row, &cons, StaffAction::Scan)?;
    }
    need(&roles, |r| matches!(r, Role::Seller | Role::Officer), "the seller or an officer")?;
    let (Some(key), Some(ct)) = (row.logbook_key, row.logbook_type) else {
        return Err(Error::NotFound("No scanned logbook has been uploaded for this transfer".into()));
    };
    Ok((ct, uploads::read(reg, &key).await?))
}

/// The steps that need an SMS code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CodeStep {
    Submit,
    Consent,
    Answer,
}

impl CodeStep {
    pub fn parse(raw: &str) -> Result<Self, Error> {
        match raw.trim() {
            "submit" => Ok(Self::Submit),
            "consent" => Ok(Self::Consent),
            "answer" => Ok(Self::Answer),
            _ => Err(FieldErrors::single(
                "step",
                "Choose submit (the seller), consent (a joint owner or financier) or answer (the buyer)",
            )),
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Consent => "consent",
            Self::Answer => "answer",
        }
    }

    fn purpose(self, transfer_id: &str) -> String {
        format!("transfer:{transfer_id}:{}", self.as_str())
    }

    /// What the SMS with the code is for: `transfer_submit`, and so on.
    fn sms_tag(self, reference: &str) -> outbox::SmsTag {
        outbox::SmsTag::new(&format!("transfer_{}", self.as_str()), Some(reference))
    }
}

/// Security verification: send an SMS code for one step of one transfer to
/// the phone of the person taking it.
pub async fn send_code(reg: &Registry, actor: &Actor, id: &str, step: CodeStep) -> Result<String, Error> {
    let (row, cons, roles) = visible(reg, actor, id).await?;
    need_transactor(actor)?;
    let (ok, what) = match step {
        CodeStep::Submit => (roles.contains(&Role::Seller) && row.state == State::Draft, "submit the transfer"),
        CodeStep::Consent => (
            row.state == State::AwaitingConsents
                && cons.iter().any(|c| c.party_id == actor.principal_id() && c.decision.is_none()),
            "answer the transfer",
        ),
        CodeStep::Answer => (roles.contains(&Role::Buyer) && row.state == State::AwaitingBuyer, "answer the transfer"),
    };
    if !ok {
        return Err(Error::Conflict(format!(
            "No code is needed from you for this transfer now: it is {}",
            row.state.label().to_lowercase()
        )));
    }
    if step == CodeStep::Submit && row.logbook_key.is_none() {
        // Not worth an SMS (nor one of the person's few codes) yet.
        return Err(FieldErrors::single("logbook", "Upload the scanned logbook before you ask for the code to submit"));
    }
    let mut tx = reg.db().begin_write().await?;
    let (purpose, tag) = (step.purpose(&row.id), step.sms_tag(&row.reference));
    codes::issue(reg, &mut tx, &actor.person, &purpose, &format!("{what} {}", row.reference), &tag).await?;
    tx.commit().await?;
    reg.wake_outbox();
    let phone = actor.person.phone.as_deref().unwrap_or_default();
    Ok(domain::Phone::parse(phone).map(|p| p.masked()).unwrap_or_default())
}

/// Check the code for `step` inside `tx`; on a wrong code, commit the
/// counted failure and return the refusal. Callers check first that the
/// step is allowed now, so that a code typed at the wrong moment is not
/// counted against the person and the answer says why.
async fn check_code(
    reg: &Registry,
    mut tx: WriteTx,
    actor: &Actor,
    row: &Row,
    step: CodeStep,
    code: &str,
) -> Result<WriteTx, Error> {
    match codes::consume(reg, &mut tx, &actor.person.id, &step.purpose(&row.id), code).await? {
        Ok(()) => Ok(tx),
        Err(refusal) => {
            tx.commit().await?;
            Err(refusal)
        }
    }
}

/// Step 2: the seller submits with the SMS code. Joint owners and the
/// financier are asked next, or the buyer when there are none.
pub async fn submit(reg: &Registry, actor: &Actor, id: &str, code: &str) -> Result<TransferView, Error> {
    let (tx, row, cons, roles) = step(reg, actor, id).await?;
    need(&roles, |r| *r == Role::Seller, "the seller")?;
    need_transactor(actor)?;
    if row.logbook_key.is_none() {
        return Err(FieldErrors::single("logbook", "Upload the scanned logbook before you submit"));
    }
    let now = reg.now_ms();
    let t = machine(&row, &cons)?.apply(Command::SellerSubmit, &Role::Seller)?;
    let mut tx = check_code(reg, tx, actor, &row, CodeStep::Submit, code).await?;
    let after = advance(&mut tx, &row, t.to, now, &[("submitted_at", Val::Int(now))]).await?;
    event(&mut tx, &row, after.version, "seller_submit", t.to, Some(actor), None, now).await?;
    let reg_no = row.reg_no.clone();
    if t.to == State::AwaitingBuyer {
        tell_buyer(&mut tx, &row, &reg_no, now).await?;
    } else {
        for c in &cons {
            let p = &c.party_id;
            let text = format!(
                "tims: the transfer {} of {reg_no} needs your consent as {}. Sign in to approve or refuse it.",
                row.reference,
                if c.role == "financier" { "financier" } else { "joint owner" }
            );
            outbox::alert(&mut tx, p, &text, &row.reference, now).await?;
        }
    }
    tx.commit().await?;
    reg.wake_outbox();
    view(reg, actor, after, cons).await
}

async fn tell_buyer(tx: &mut WriteTx, row: &Row, reg_no: &str, now: i64) -> Result<(), Error> {
    let buyer = &row.buyer_id;
    let text = format!(
        "tims: {reg_no} is being transferred to you (reference {}). Sign in to view it, then accept or decline.",
        row.reference
    );
    outbox::alert(tx, buyer, &text, &row.reference, now).await
}

/// Step 3: a joint owner or the financier approves or refuses with a code.
pub async fn consent(
    reg: &Registry,
    actor: &Actor,
    id: &str,
    approve: bool,
    code: &str,
) -> Result<TransferView, Error> {
    let (tx, row, mut cons, roles) = step(reg, actor, id).await?;
    let role = need(&roles, |r| matches!(r, Role::CoOwner(_) | Role::Financier(_)), "a joint owner or the financier")?;
    need_transactor(actor)?;
    let now = reg.now_ms();
    let party_id = actor.principal_id().to_string();
    let t = machine(&row, &cons)?.apply(Command::Consent { party_id: party_id.clone(), approve }, &role)?;
    let mut tx = check_code(reg, tx, actor, &row, CodeStep::Consent, code).await?;
    let after = advance(&mut tx, &row, t.to, now, &[]).await?;
    sqlx::query(
        "UPDATE reg_consents SET decision = $1, decided_by = $2, decided_at = $3 WHERE transfer_id = $4 AND party_id = $5",
    )
    .bind(if approve { "approved" } else { "refused" })
    .bind(&actor.person.id)
    .bind(now)
    .bind(&row.id)
    .bind(&party_id)
    .execute(&mut *tx)
    .await?;
    let action = if approve { "consent_approve" } else { "consent_refuse" };
    event(&mut tx, &row, after.version, action, t.to, Some(actor), None, now).await?;
    for c in cons.iter_mut().filter(|c| c.party_id == party_id) {
        c.decision = Some(if approve { "approved" } else { "refused" }.into());
    }
    let reg_no = row.reg_no.clone();
    match t.to {
        State::AwaitingBuyer => tell_buyer(&mut tx, &row, &reg_no, now).await?,
        State::ConsentRefused => {
            let seller = &row.seller_id;
            let text = format!(
                "tims: a joint owner or the financier refused the transfer {} of {reg_no}. The vehicle stays with you.",
                row.reference
            );
            outbox::alert(&mut tx, seller, &text, &row.reference, now).await?;
        }
        _ => {}
    }
    tx.commit().await?;
    reg.wake_outbox();
    view(reg, actor, after, cons).await
}

/// What the buyer fills in on accepting.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "123456", "postal_address": "P.O. Box 100-00100 Nairobi", "collection_office": "Nairobi (Likoni Road)"}))]
pub struct Acceptance {
    /// The SMS code of the `answer` step.
    #[serde(default)]
    #[schema(required = true, pattern = "^[0-9]{6}$")]
    pub code: String,
    /// Where the new logbook's owner gets post, e.g. P.O. Box 12345-00100 Nairobi.
    #[serde(default)]
    #[schema(required = true, min_length = 5, max_length = 200, pattern = "^[!-~]+( [!-~]+)*$")]
    pub postal_address: String,
    /// The office where the buyer will collect the new logbook: one of the
    /// agency's offices (the enum lists this server's).
    #[serde(default)]
    #[schema(required = true)]
    pub collection_office: String,
}

/// Step 4: the buyer accepts with a code and the details the record needs,
/// then (step 5) pays the fee. With a gateway that settles at once the
/// transfer goes straight to the officers' queue.
pub async fn accept(reg: &Registry, actor: &Actor, id: &str, input: &Acceptance) -> Result<TransferView, Error> {
    let (tx, row, cons, roles) = step(reg, actor, id).await?;
    need(&roles, |r| *r == Role::Buyer, "the buyer")?;
    need_transactor(actor)?;
    let mut errors = FieldErrors::new();
    let address = input.postal_address.split_whitespace().collect::<Vec<_>>().join(" ");
    if address.len() < 5 || address.len() > 200 {
        errors.add(
            "postal_address",
            "Enter your postal address, for example P.O. Box 12345-00100 Nairobi (5 to 200 characters)",
        );
    }
    let offices = &reg.config().offices;
    let office = offices.iter().find(|o| o.eq_ignore_ascii_case(input.collection_office.trim())).cloned();
    if office.is_none() {
        errors.add(
            "collection_office",
            format!("Choose the office where you will collect the logbook: {}", offices.join(", ")),
        );
    }
    if let Err(e) = domain::policy::code::parse_entry(&input.code) {
        errors.add("code", e.message);
    }
    errors.into_result()?;
    let now = reg.now_ms();
    let t = machine(&row, &cons)?.apply(Command::BuyerAccept, &Role::Buyer)?;
    let mut tx = check_code(reg, tx, actor, &row, CodeStep::Answer, &input.code).await?;
    let set = [("postal_address", Val::Text(Some(address))), ("collection_office", Val::Text(office))];
    let after = advance(&mut tx, &row, t.to, now, &set).await?;
    event(&mut tx, &row, after.version, "buyer_accept", t.to, Some(actor), None, now).await?;
    let reg_no = row.reg_no.clone();
    let seller = &row.seller_id;
    let text = format!(
        "tims: the buyer accepted the transfer {} of {reg_no}. It goes to the agency once the fee is paid.",
        row.reference
    );
    outbox::alert(&mut tx, seller, &text, &row.reference, now).await?;
    claim_payment(&mut tx, &after, &actor.person.id, reg.adapters().payments.name(), now).await?;
    tx.commit().await?;
    reg.wake_outbox();
    charge(reg, actor, after, cons).await
}

/// A payment request that has had no answer for this long is taken to be
/// dead (the payer ignored the prompt, the gateway lost it), and another may
/// be started.
pub const PAYMENT_RETRY_AFTER_MS: i64 = 2 * 60 * 1000;

/// Record, in the caller's transaction, that the fee is about to be asked
/// for; there is one payment row per transfer, so this is what stops two
/// requests (a double tap, two devices) charging the buyer twice. False when
/// a request is already waiting for an answer or the fee is paid.
async fn claim_payment(tx: &mut WriteTx, row: &Row, payer_id: &str, provider: &str, now: i64) -> Result<bool, Error> {
    let claimed = sqlx::query(
        "INSERT INTO reg_payments (id, transfer_id, amount_cents, payer_id, provider, provider_ref, state, created_at) \
         VALUES ($1, $2, $3, $4, $5, NULL, 'requested', $6) \
         ON CONFLICT (transfer_id) DO UPDATE SET amount_cents = excluded.amount_cents, payer_id = excluded.payer_id, \
         provider = excluded.provider, provider_ref = NULL, state = 'requested', created_at = excluded.created_at \
         WHERE reg_payments.state = 'failed' OR (reg_payments.state IN ('requested', 'pending') \
         AND reg_payments.created_at <= $7)",
    )
    .bind(new_id())
    .bind(&row.id)
    .bind(row.fee_cents)
    .bind(payer_id)
    .bind(provider)
    .bind(now)
    .bind(now - PAYMENT_RETRY_AFTER_MS)
    .execute(&mut **tx)
    .await?;
    Ok(claimed.rows_affected() == 1)
}

/// Step 5: charge the fee to the buyer (again, if an earlier try failed).
pub async fn pay(reg: &Registry, actor: &Actor, id: &str) -> Result<TransferView, Error> {
    let (mut tx, row, cons, roles) = step(reg, actor, id).await?;
    need(&roles, |r| *r == Role::Buyer, "the buyer")?;
    need_transactor(actor)?;
    if row.state != State::AwaitingPayment {
        return Err(Error::Conflict(format!(
            "The transfer is {}, so there is nothing to pay",
            row.state.label().to_lowercase()
        )));
    }
    let claimed = claim_payment(&mut tx, &row, &actor.person.id, reg.adapters().payments.name(), reg.now_ms()).await?;
    tx.commit().await?;
    if !claimed {
        return Err(Error::Conflict(
            "A payment request for this transfer is already waiting for your answer on your phone: approve it there, \
             or try again in two minutes"
                .into(),
        ));
    }
    charge(reg, actor, row, cons).await
}

/// Ask the gateway for the fee, once `claim_payment` has recorded the
/// request, and record what it said.
async fn charge(reg: &Registry, actor: &Actor, row: Row, cons: Vec<Consent>) -> Result<TransferView, Error> {
    let phone = actor.person.phone.clone().unwrap_or_default();
    let payments = &reg.adapters().payments;
    let row = match payments.charge(&phone, row.fee_cents, &row.reference).await {
        Ok(Charge::Settled { provider_ref }) => {
            settle(reg, &row.id, &actor.person.id, payments.name(), &provider_ref).await?.unwrap_or(row)
        }
        Ok(Charge::Pending { provider_ref }) => {
            tracing::info!(transfer = row.reference, provider_ref, "payment requested; waiting for the gateway");
            reg.db()
                .execute_write(
                    sqlx::query(
                        "UPDATE reg_payments SET state = 'pending', provider_ref = $1 \
                         WHERE transfer_id = $2 AND state = 'requested'",
                    )
                    .bind(&provider_ref)
                    .bind(&row.id),
                )
                .await?;
            row
        }
        Err(e) => {
            tracing::warn!(transfer = row.reference, error = %e, "payment could not be started");
            reg.db()
                .execute_write(
                    sqlx::query(
                        "UPDATE reg_payments SET state = 'failed' WHERE transfer_id = $1 AND state = 'requested'",
                    )
                    .bind(&row.id),
                )
                .await?;
            return Err(Error::Unavailable(
                "The payment could not be started just now. Your acceptance is kept: try paying again in a few minutes"
                    .into(),
            ));
        }
    };
    view(reg, actor, row, cons).await
}

/// The gateway says the fee is paid: the transfer enters the officers'
/// queue. Idempotent for the same transfer: returns the transfer as it now
/// stands, or `None` if it was not awaiting payment.
pub async fn settle(
    reg: &Registry,
    id: &str,
    payer_id: &str,
    provider: &str,
    provider_ref: &str,
) -> Result<Option<Row>, Error> {
    let now = reg.now_ms();
    let mut tx = reg.db().begin_write().await?;
    let (row, cons) = load(&mut tx, id).await?.ok_or_else(not_found)?;
    if row.state != State::AwaitingPayment {
        return Ok(None);
    }
    let t = machine(&row, &cons)?.apply(Command::PaymentSettled, &Role::System)?;
    let set = [("payment_ref", Val::Text(Some(provider_ref.to_string()))), ("queued_at", Val::Int(now))];
    let after = advance(&mut tx, &row, t.to, now, &set).await?;
    // The row claim_payment made becomes the settled payment (a gateway
    // that settles without a request of ours makes one).
    sqlx::query(
        "INSERT INTO reg_payments (id, transfer_id, amount_cents, payer_id, provider, provider_ref, state, created_at, \
         settled_at) VALUES ($1, $2, $3, $4, $5, $6, 'settled', $7, $7) \
         ON CONFLICT (transfer_id) DO UPDATE SET amount_cents = excluded.amount_cents, payer_id = excluded.payer_id, \
         provider = excluded.provider, provider_ref = excluded.provider_ref, state = 'settled', \
         settled_at = excluded.settled_at",
    )
    .bind(new_id())
    .bind(&row.id)
    .bind(row.fee_cents)
    .bind(payer_id)
    .bind(provider)
    .bind(provider_ref)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    event(&mut tx, &row, after.version, "payment_settled", t.to, None, Some(provider_ref), now).await?;
    let buyer = &row.buyer_id;
    let text = format!(
        "tims: payment of {} for transfer {} received. The agency will now review it.",
        domain::fees::format_kes(row.fee_cents),
        row.reference
    );
    outbox::alert(&mut tx, buyer, &text, &row.reference, now).await?;
    tx.commit().await?;
    reg.wake_outbox();
    Ok(Some(after))
}

/// The buyer declines with a code: the vehicle stays with its owner.
pub async fn decline(reg: &Registry, actor: &Actor, id: &str, code: &str) -> Result<TransferView, Error> {
    let (tx, row, cons, roles) = step(reg, actor, id).await?;
    need(&roles, |r| *r == Role::Buyer, "the buyer")?;
    need_transactor(actor)?;
    let now = reg.now_ms();
    let t = machine(&row, &cons)?.apply(Command::BuyerDecline, &Role::Buyer)?;
    let mut tx = check_code(reg, tx, actor, &row, CodeStep::Answer, code).await?;
    let after = advance(&mut tx, &row, t.to, now, &[]).await?;
    event(&mut tx, &row, after.version, "buyer_decline", t.to, Some(actor), None, now).await?;
    let reg_no = row.reg_no.clone();
    let seller = &row.seller_id;
    let text =
        format!("tims: the buyer declined the transfer {} of {reg_no}. The vehicle stays with you.", row.reference);
    outbox::alert(&mut tx, seller, &text, &row.reference, now).await?;
    tx.commit().await?;
    reg.wake_outbox();
    view(reg, actor, after, cons).await
}

/// The seller cancels, until the buyer accepts.
pub async fn cancel(reg: &Registry, actor: &Actor, id: &str) -> Result<TransferView, Error> {
    let (mut tx, row, cons, roles) = step(reg, actor, id).await?;
    need(&roles, |r| *r == Role::Seller, "the seller")?;
    need_transactor(actor)?;
    let now = reg.now_ms();
    let t = machine(&row, &cons)?.apply(Command::SellerCancel, &Role::Seller)?;
    let after = advance(&mut tx, &row, t.to, now, &[]).await?;
    event(&mut tx, &row, after.version, "seller_cancel", t.to, Some(actor), None, now).await?;
    if row.state != State::Draft {
        let reg_no = row.reg_no.clone();
        let text = format!("tims: the seller cancelled the transfer {} of {reg_no}.", row.reference);
        tell_all(&mut tx, &row, &cons, &text, now, false).await?;
    }
    tx.commit().await?;
    reg.wake_outbox();
    view(reg, actor, after, cons).await
}

async fn tell_all(
    tx: &mut WriteTx,
    row: &Row,
    cons: &[Consent],
    text: &str,
    now: i64,
    seller_too: bool,
) -> Result<(), Error> {
    let mut ids: Vec<&str> = vec![&row.buyer_id];
    if seller_too {
        ids.push(&row.seller_id);
    }
    ids.extend(cons.iter().map(|c| c.party_id.as_str()));
    for id in ids {
        let p = id;
        outbox::alert(tx, p, text, &row.reference, now).await?;
    }
    Ok(())
}

/// Expire open transfers no one completed in time. Returns how many.
pub async fn expire_due(reg: &Registry) -> Result<usize, Error> {
    let now = reg.now_ms();
    let due: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM reg_transfers WHERE open_vehicle_id IS NOT NULL AND expires_at <= $1 \
         AND state IN ('draft', 'awaiting_consents', 'awaiting_buyer', 'awaiting_payment') ORDER BY expires_at LIMIT 500",
    )
    .bind(now)
    .fetch_all(reg.db().pool())
    .await?;
    let mut n = 0;
    for id in due {
        let mut tx = reg.db().begin_write().await?;
        let Some((row, cons)) = load(&mut tx, &id).await? else { continue };
        let Ok(t) = machine(&row, &cons)?.apply(Command::Expire, &Role::System) else { continue };
        let after = match advance(&mut tx, &row, t.to, now, &[]).await {
            Ok(a) => a,
            Err(Error::Conflict(_)) => continue,
            Err(e) => return Err(e),
        };
        event(&mut tx, &row, after.version, "expire", t.to, None, None, now).await?;
        let reg_no = row.reg_no.clone();
        let text = format!(
            "tims: the transfer {} of {reg_no} expired because it was not completed in time. The vehicle stays with its owner.",
            row.reference
        );
        tell_all(&mut tx, &row, &cons, &text, now, true).await?;
        tx.commit().await?;
        n += 1;
    }
    if n > 0 {
        reg.wake_outbox();
    }
    Ok(n)
}

/// Step 6: an officer approves (ownership changes, the new logbook is
/// ordered, ready by approval + 7 working days) or rejects with a reason.
pub async fn review(
    reg: &Registry,
    actor: &Actor,
    id: &str,
    approve: bool,
    reason: Option<&str>,
) -> Result<TransferView, Error> {
    if !actor.is_staff() {
        return Err(Error::Forbidden("Only the agency's officers can review transfers".into()));
    }
    if approve {
        // An officer approves only what they could check: the scan must open.
        uploads::scan_opens(reg, id).await?;
    }
    let (mut tx, row, cons, _) = step(reg, actor, id).await?;
    officiate(actor, &row, &cons, StaffAction::Review)?;
    let reason = reason.map(str::trim).filter(|r| !r.is_empty()).map(str::to_string);
    if reason.as_ref().is_some_and(|r| r.len() > 500) {
        return Err(FieldErrors::single("reason", "Keep the reason to 500 characters"));
    }
    let now = reg.now_ms();
    let (_, calendar) = reg.rules().await?;
    let cmd = if approve {
        Command::OfficerApprove
    } else {
        Command::OfficerReject { reason: reason.clone().unwrap_or_default() }
    };
    let t = machine(&row, &cons)?.apply(cmd, &Role::Officer)?;
    let mut after = advance(&mut tx, &row, t.to, now, &[("reason", Val::Text(reason.clone()))]).await?;
    event(
        &mut tx,
        &row,
        after.version,
        if approve { "officer_approve" } else { "officer_reject" },
        t.to,
        Some(actor),
        reason.as_deref(),
        now,
    )
    .await?;
    let reg_no = row.reg_no.clone();
    let text = if approve {
        let (serial, office, ready) = hand_over(&mut tx, &row, &calendar, now).await?;
        after.logbook = Some((serial.clone(), "printing".into(), office.clone(), ready.to_string()));
        format!(
            "tims: the transfer {} of {reg_no} is approved. The new logbook will be ready for collection at {office} by {ready}.",
            row.reference
        )
    } else {
        format!(
            "tims: the transfer {} of {reg_no} was rejected by the agency: {}. The vehicle stays with its owner.",
            row.reference,
            reason.unwrap_or_default()
        )
    };
    for id in [&row.seller_id, &row.buyer_id] {
        let p = id;
        outbox::alert(&mut tx, p, &text, &row.reference, now).await?;
    }
    tx.commit().await?;
    reg.wake_outbox();
    metrics::counter!("tims_transfers_decided_total", "decision" => if approve { "approved" } else { "rejected" })
        .increment(1);
    view(reg, actor, after, cons).await
}

/// In an approval's transaction: the buyer becomes the vehicle's only owner
/// (a financier who consented has released it) and the new logbook is
/// ordered. Returns its serial, collection office and ready-by date.
async fn hand_over(
    tx: &mut WriteTx,
    row: &Row,
    calendar: &domain::workdays::Calendar,
    now: i64,
) -> Result<(String, String, domain::Date), Error> {
    sqlx::query("DELETE FROM reg_vehicle_owners WHERE vehicle_id = $1")
        .bind(&row.vehicle_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("INSERT INTO reg_vehicle_owners (vehicle_id, party_id, role, since) VALUES ($1, $2, 'owner', $3)")
        .bind(&row.vehicle_id)
        .bind(&row.buyer_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    let serial = format!("LB{}", &new_id()[..10].to_ascii_uppercase());
    let changed = sqlx::query(
        "UPDATE reg_vehicles SET logbook_serial = $1, version = version + 1, updated_at = $2 WHERE id = $3",
    )
    .bind(&serial)
    .bind(now)
    .bind(&row.vehicle_id)
    .execute(&mut **tx)
    .await?;
    if changed.rows_affected() != 1 {
        return Err(Error::Internal("vehicle missing at approval".into()));
    }
    let ready = logbook_ready_on(calendar, today_eat(now));
    let office = row.collection_office.clone().unwrap_or_default();
    sqlx::query(
        "INSERT INTO reg_logbooks (transfer_id, vehicle_id, serial, state, office, ready_by, updated_at) \
         VALUES ($1, $2, $3, 'printing', $4, $5, $6)",
    )
    .bind(&row.id)
    .bind(&row.vehicle_id)
    .bind(&serial)
    .bind(&office)
    .bind(ready.to_string())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok((serial, office, ready))
}

/// Step 7: staff move the new logbook on: printing → ready for collection →
/// collected. The buyer is told when it is ready.
pub async fn advance_logbook(reg: &Registry, actor: &Actor, id: &str, to: &str) -> Result<TransferView, Error> {
    if !actor.is_staff() {
        return Err(Error::Forbidden("Only the agency's staff can update a logbook".into()));
    }
    let to = LogbookState::parse(to).map_err(|e| FieldErrors::single("state", e.message))?;
    let (row, cons, _) = visible(reg, actor, id).await?;
    officiate(actor, &row, &cons, StaffAction::Logbook)?;
    let now = reg.now_ms();
    let mut tx = reg.db().begin_write().await?;
    let current: Option<(String, String)> =
        sqlx::query_as("SELECT state, office FROM reg_logbooks WHERE transfer_id = $1")
            .bind(&row.id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((current, office)) = current else {
        return Err(Error::Conflict("This transfer has no logbook yet: it is ordered when an officer approves".into()));
    };
    let from = LogbookState::parse(&current).map_err(|e| Error::Internal(e.message))?;
    from.advance(to).map_err(|e| Error::Conflict(e.to_string()))?;
    let moved =
        sqlx::query("UPDATE reg_logbooks SET state = $1, updated_at = $2 WHERE transfer_id = $3 AND state = $4")
            .bind(to.as_str())
            .bind(now)
            .bind(&row.id)
            .bind(from.as_str())
            .execute(&mut *tx)
            .await?;
    if moved.rows_affected() != 1 {
        return Err(Error::Conflict("The logbook changed while you were working on it: reload it".into()));
    }
    let after = advance(&mut tx, &row, row.state, now, &[]).await?;
    event(&mut tx, &row, after.version, &format!("logbook_{}", to.as_str()), row.state, Some(actor), None, now).await?;
    if to == LogbookState::ReadyForCollection {
        let buyer = &row.buyer_id;
        let text = format!("tims: the new logbook for transfer {} is ready for collection at {office}.", row.reference);
        outbox::alert(&mut tx, buyer, &text, &row.reference, now).await?;
    }
    tx.commit().await?;
    reg.wake_outbox();
    get(reg, actor, &row.id).await
}
