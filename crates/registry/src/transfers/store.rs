//! The transfer store: the one writer of a transfer's row, its consents and
//! its new logbook (`reg_transfers`, `reg_consents`, `reg_logbooks`), and
//! the one reader of them whole. Every change of a transfer's state goes
//! through [`advance`], a conditional update on the transfer's version (so
//! two people acting at once change it once) that writes the timeline's
//! journal entry in the same transaction.
//!
//! It decides nothing: the use cases and `domain::transfer` do. It knows no
//! HTTP.

use db::OnUnique as _;
use db::WriteTx;
use domain::fees::Payer;
use domain::transfer::{LogbookState, RejectReason, State, Step};
use domain::{BuyerType, ConsentDecision, ConsentRole, DocType, PartyKind};
use secure::new_id;
use serde::Serialize;
use texts::{Lang, Text as _, TransferRefusal};

use crate::journal::{self, Entry, Who};
use crate::reference::transfer_reference;
use crate::signin::Actor;
use crate::{Error, parties};

/// A party as a transfer shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PartySummary {
    pub name: String,
    #[schema(schema_with = PartyKind::schema)]
    pub kind: String,
    #[schema(schema_with = DocType::schema)]
    pub doc_type: String,
    pub doc_number: String,
}

/// A party whose consent a transfer needs, and their answer if any.
#[derive(Debug, Clone)]
pub struct Consenter {
    pub party_id: String,
    pub name: String,
    pub role: ConsentRole,
    pub decision: Option<ConsentDecision>,
}

/// The new logbook ordered on approval.
#[derive(Debug, Clone)]
pub struct Logbook {
    pub serial: String,
    pub state: LogbookState,
    pub office: String,
    pub ready_by: String,
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
    pub buyer_type: BuyerType,
    pub logbook_key: Option<String>,
    pub logbook_type: Option<String>,
    pub logbook_size: Option<i64>,
    pub fee_cents: i64,
    /// The platform's access fee, charged with the transfer fee.
    pub platform_fee_cents: i64,
    /// Who pays, as the schedule said when the transfer was opened.
    pub payer: Payer,
    /// The earlier transfer whose kept payment paid for this one.
    pub fee_kept_from: Option<String>,
    pub fee_schedule: String,
    pub fee_rule: String,
    pub payment_ref: Option<String>,
    pub postal_address: Option<String>,
    pub collection_office: Option<String>,
    pub reason: Option<String>,
    /// Why an officer rejected or returned it, from the list.
    pub reason_code: Option<RejectReason>,
    /// The scan an officer returned (its key), while the transfer waits for
    /// a new one.
    pub returned_scan: Option<String>,
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
    pub logbook: Option<Logbook>,
}

impl Row {
    /// What the payer is asked for: the transfer fee and the platform fee.
    pub fn invoice(&self) -> domain::fees::Invoice {
        domain::fees::Invoice { fee_cents: self.fee_cents, platform_fee_cents: self.platform_fee_cents }
    }

    /// The party who pays, the buyer or the seller, as the policy said.
    pub fn payer_id(&self) -> &str {
        match self.payer {
            Payer::BuyerAtAcceptance => &self.buyer_id,
            Payer::SellerAtSubmission => &self.seller_id,
        }
    }
}

fn stored<T>(what: &str, raw: &str, parsed: Result<T, domain::FieldError>) -> Result<T, Error> {
    parsed.map_err(|e| Error::Internal(format!("stored {what} {raw}: {}", e.message)))
}

fn party(r: &mut db::Record, prefix: &str) -> Result<PartySummary, Error> {
    Ok(PartySummary {
        name: r.col(&format!("{prefix}_name"))?,
        kind: r.col(&format!("{prefix}_kind"))?,
        doc_type: r.col(&format!("{prefix}_doc_type"))?,
        doc_number: r.col(&format!("{prefix}_doc_number"))?,
    })
}

fn from_record(r: &mut db::Record) -> Result<Row, Error> {
    let state: String = r.col("state")?;
    let buyer_type: String = r.col("buyer_type")?;
    let logbook = match r.col::<Option<String>>("lb_serial")? {
        Some(serial) => {
            let s: String = r.col("lb_state")?;
            Some(Logbook {
                serial,
                state: stored("logbook state", &s, LogbookState::parse(&s))?,
                office: r.col("lb_office")?,
                ready_by: r.col("lb_ready_by")?,
            })
        }
        None => None,
    };
    Ok(Row {
        id: r.col("id")?,
        reference: r.col("reference")?,
        vehicle_id: r.col("vehicle_id")?,
        state: stored("state", &state, State::parse(&state))?,
        seller_id: r.col("seller_id")?,
        created_by: r.col("created_by")?,
        buyer_id: r.col("buyer_id")?,
        buyer_type: stored("buyer type", &buyer_type, BuyerType::parse(&buyer_type))?,
        logbook_key: r.col("logbook_key")?,
        logbook_type: r.col("logbook_type")?,
        logbook_size: r.col("logbook_size")?,
        fee_cents: r.col("fee_cents")?,
        platform_fee_cents: r.col("platform_fee_cents")?,
        fee_kept_from: r.col("fee_kept_from")?,
        payer: {
            let p: String = r.col("payer")?;
            stored("payer", &p, Payer::parse(&p))?
        },
        fee_schedule: r.col("fee_schedule")?,
        fee_rule: r.col("fee_rule")?,
        payment_ref: r.col("payment_ref")?,
        postal_address: r.col("postal_address")?,
        collection_office: r.col("collection_office")?,
        reason: r.col("reason")?,
        reason_code: match r.col::<Option<String>>("reason_code")? {
            Some(c) => Some(stored("reason", &c, RejectReason::parse(&c))?),
            None => None,
        },
        returned_scan: r.col("returned_scan")?,
        created_at: r.col("created_at")?,
        expires_at: r.col("expires_at")?,
        queued_at: r.col("queued_at")?,
        decided_at: r.col("decided_at")?,
        version: r.col("version")?,
        reg_no: r.col("reg_no")?,
        vehicle: format!(
            "{} {} {} ({})",
            r.col::<String>("colour")?,
            r.col::<String>("make")?,
            r.col::<String>("model")?,
            r.col::<i64>("year")?
        ),
        seller: party(r, "s")?,
        buyer: party(r, "b")?,
        logbook,
    })
}

/// The transfer with its vehicle, parties, logbook and consents, in one
/// read: a row per consent (one row with NULL consent columns if none).
const LOAD: &str = "SELECT t.id, t.reference, t.vehicle_id, t.state, t.seller_id, t.created_by, t.buyer_id, \
     t.buyer_type, t.logbook_key, t.logbook_type, t.logbook_size, t.fee_cents, t.platform_fee_cents, t.payer, t.fee_kept_from, t.fee_schedule, \
     t.fee_rule, t.payment_ref, t.postal_address, t.collection_office, t.reason, t.reason_code, t.returned_scan, t.created_at, \
     t.expires_at, t.queued_at, t.decided_at, t.version, v.reg_no, v.colour, v.make, v.model, v.year, \
     s.name AS s_name, s.kind AS s_kind, s.doc_type AS s_doc_type, s.doc_number AS s_doc_number, \
     b.name AS b_name, b.kind AS b_kind, b.doc_type AS b_doc_type, b.doc_number AS b_doc_number, \
     l.serial AS lb_serial, l.state AS lb_state, l.office AS lb_office, l.ready_by AS lb_ready_by, \
     c.party_id AS c_party_id, cp.name AS c_name, c.role AS c_role, c.decision AS c_decision \
     FROM reg_transfers t JOIN reg_vehicles v ON v.id = t.vehicle_id \
     JOIN reg_parties s ON s.id = t.seller_id JOIN reg_parties b ON b.id = t.buyer_id \
     LEFT JOIN reg_logbooks l ON l.transfer_id = t.id \
     LEFT JOIN reg_consents c ON c.transfer_id = t.id LEFT JOIN reg_parties cp ON cp.id = c.party_id \
     WHERE t.id = $1 OR t.reference = $1 ORDER BY c.role, cp.name";

fn loaded(mut records: Vec<db::Record>) -> Result<Option<(Row, Vec<Consenter>)>, Error> {
    let mut cons = vec![];
    for r in &mut records {
        if let Some(party_id) = r.col::<Option<String>>("c_party_id")? {
            let role: String = r.col("c_role")?;
            let decision: Option<String> = r.col("c_decision")?;
            cons.push(Consenter {
                party_id,
                name: r.col("c_name")?,
                role: stored("consent role", &role, ConsentRole::parse(&role))?,
                decision: match decision {
                    Some(d) => Some(stored("decision", &d, ConsentDecision::parse(&d))?),
                    None => None,
                },
            });
        }
    }
    match records.first_mut() {
        Some(first) => Ok(Some((from_record(first)?, cons))),
        None => Ok(None),
    }
}

/// A transfer by id or reference with its consents, in a write transaction.
pub async fn load(tx: &mut WriteTx, id: &str) -> Result<Option<(Row, Vec<Consenter>)>, Error> {
    let rows = sqlx::query(LOAD).bind(id).fetch_all(&mut **tx).await?;
    loaded(rows.iter().map(db::Record::from_any_row).collect::<Result<_, _>>()?)
}

/// A transfer by id or reference with its consents, read outside a
/// transaction.
pub async fn read(db: &db::Db, id: &str) -> Result<Option<(Row, Vec<Consenter>)>, Error> {
    loaded(db.read(LOAD, &[id.into()]).await?)
}

/// Record that a payment kept from `from` paid for the transfer `id`.
pub async fn set_kept_from(tx: &mut WriteTx, id: &str, from: &str, provider_ref: Option<&str>) -> Result<(), Error> {
    sqlx::query("UPDATE reg_transfers SET fee_kept_from = $2, payment_ref = $3 WHERE id = $1")
        .bind(id)
        .bind(from)
        .bind(provider_ref)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Who an actor is, for the journal.
pub fn who(actor: &Actor) -> Who<'_> {
    Who { person: &actor.person.id, acting_for: actor.principal_id(), address: actor.address.as_deref() }
}

/// A transfer to open: the draft's columns.
#[derive(Debug)]
pub struct Draft<'a> {
    pub vehicle_id: &'a str,
    /// The vehicle's registration number, for the refusal when it already
    /// has an open transfer.
    pub reg_no: &'a str,
    pub seller_id: &'a str,
    pub buyer_id: &'a str,
    pub buyer_type: BuyerType,
    pub fee: &'a domain::Fee,
    pub invoice: domain::fees::Invoice,
    pub payer: Payer,
    /// Days within which a payment kept from an ended transfer pays for
    /// this one.
    pub keep_days: u32,
    pub expires_at: i64,
    /// Everyone whose consent it needs.
    pub consents: &'a [(String, ConsentRole)],
}

/// Open a draft with its consents and its first timeline line; refused
/// (a conflict) when the vehicle already has an open transfer.
pub async fn insert(tx: &mut WriteTx, d: &Draft<'_>, actor: &Actor, now: i64) -> Result<Row, Error> {
    let lang = parties::lang_of(&actor.person);
    let open_exists = || Error::Conflict(TransferRefusal::OpenTransferExists { reg_no: d.reg_no }.render(lang));
    let id = new_id();
    sqlx::query(
        "INSERT INTO reg_transfers (id, reference, vehicle_id, open_vehicle_id, state, seller_id, created_by, buyer_id, \
         buyer_type, fee_cents, fee_schedule, fee_rule, created_at, updated_at, expires_at, platform_fee_cents, payer) \
         VALUES ($1, $2, $3, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $14, $15)",
    )
    .bind(&id)
    .bind(transfer_reference())
    .bind(d.vehicle_id)
    .bind(State::Draft.as_str())
    .bind(d.seller_id)
    .bind(&actor.person.id)
    .bind(d.buyer_id)
    .bind(d.buyer_type.as_str())
    .bind(d.fee.amount_cents)
    .bind(&d.fee.schedule_version)
    .bind(&d.fee.description)
    .bind(now)
    .bind(d.expires_at)
    .bind(d.invoice.platform_fee_cents)
    .bind(d.payer.as_str())
    .execute(&mut **tx)
    .await
    .on_unique(open_exists)?;
    for (party, role) in d.consents {
        sqlx::query("INSERT INTO reg_consents (transfer_id, party_id, role) VALUES ($1, $2, $3)")
            .bind(&id)
            .bind(party)
            .bind(role.as_str())
            .execute(&mut **tx)
            .await?;
    }
    let (row, _) = load(tx, &id).await?.ok_or_else(|| Error::Internal("inserted transfer missing".into()))?;
    let line = Line { step: Step::Created, actor: Some(actor), detail: None };
    journal_step(tx, &row, 0, State::Draft, &line, now).await?;
    Ok(row)
}

/// A value for another column set by a move.
#[derive(Debug, Clone)]
pub enum Val {
    Text(Option<String>),
    Int(i64),
}

/// The timeline line a move writes: what happened, who did it (none for
/// the system) and any detail (a reason, a payment reference).
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    pub step: Step,
    pub actor: Option<&'a Actor>,
    pub detail: Option<&'a str>,
}

impl<'a> Line<'a> {
    pub fn by(step: Step, actor: &'a Actor) -> Self {
        Self { step, actor: Some(actor), detail: None }
    }

    pub fn system(step: Step) -> Self {
        Self { step, actor: None, detail: None }
    }

    pub fn detail(self, detail: Option<&'a str>) -> Self {
        Self { detail, ..self }
    }
}

async fn journal_step(
    tx: &mut WriteTx,
    row: &Row,
    seq: i64,
    to: State,
    line: &Line<'_>,
    now: i64,
) -> Result<(), Error> {
    let entry = Entry::TransferStep {
        transfer: row.id.clone(),
        seq,
        step: line.step,
        from: Some(row.state),
        to,
        detail: line.detail.map(str::to_string),
    };
    journal::write(tx, now, line.actor.map(who), Some(&row.vehicle_id), &entry).await
}

/// Move the transfer to `to` if nobody else moved it since it was read;
/// close it (free the vehicle) when `to` is final; set the columns in `set`
/// too; journal the move as `line`. Returns the transfer as it now stands
/// (its version numbers the timeline line), so the step can answer without
/// reading it again.
pub async fn advance(
    tx: &mut WriteTx,
    row: &Row,
    to: State,
    now: i64,
    set: &[(&str, Val)],
    line: Line<'_>,
) -> Result<Row, Error> {
    // A system move's refusal is read by no one.
    let lang = line.actor.map(|a| parties::lang_of(&a.person)).unwrap_or_default();
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
        return Err(Error::Conflict(TransferRefusal::TransferChanged.render(lang)));
    }
    journal_step(tx, row, row.version + 1, to, &line, now).await?;
    Ok(after(row, to, now, closing, set))
}

/// The row as `advance` left it.
fn after(row: &Row, to: State, now: i64, closing: bool, set: &[(&str, Val)]) -> Row {
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
            "reason_code" => after.reason_code = text().and_then(|c| RejectReason::parse(&c).ok()),
            "returned_scan" => after.returned_scan = text(),
            "expires_at" => after.expires_at = int().unwrap_or(after.expires_at),
            "queued_at" => after.queued_at = int(),
            _ => {}
        }
    }
    after
}

/// Record a consenter's answer (by the person `decided_by`).
pub async fn decide_consent(
    tx: &mut WriteTx,
    transfer_id: &str,
    party_id: &str,
    decision: ConsentDecision,
    decided_by: &str,
    now: i64,
) -> Result<(), Error> {
    sqlx::query(
        "UPDATE reg_consents SET decision = $1, decided_by = $2, decided_at = $3 WHERE transfer_id = $4 AND party_id = $5",
    )
    .bind(decision.as_str())
    .bind(decided_by)
    .bind(now)
    .bind(transfer_id)
    .bind(party_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Order the new logbook of an approved transfer, journalled.
pub async fn order_logbook(tx: &mut WriteTx, row: &Row, book: &Logbook, who: Who<'_>, now: i64) -> Result<(), Error> {
    sqlx::query(
        "INSERT INTO reg_logbooks (transfer_id, vehicle_id, serial, state, office, ready_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&row.id)
    .bind(&row.vehicle_id)
    .bind(&book.serial)
    .bind(book.state.as_str())
    .bind(&book.office)
    .bind(&book.ready_by)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    let ready_by = domain::Date::parse(&book.ready_by).map_err(|e| Error::Internal(e.message))?;
    let entry = Entry::LogbookOrdered {
        transfer: row.id.clone(),
        vehicle: row.vehicle_id.clone(),
        serial: book.serial.clone(),
        office: book.office.clone(),
        ready_by,
    };
    journal::write(tx, now, Some(who), None, &entry).await
}

/// The new logbook's state and office, in the transaction.
pub async fn logbook_in(tx: &mut WriteTx, transfer_id: &str) -> Result<Option<(LogbookState, String)>, Error> {
    let current: Option<(String, String)> =
        sqlx::query_as("SELECT state, office FROM reg_logbooks WHERE transfer_id = $1")
            .bind(transfer_id)
            .fetch_optional(&mut **tx)
            .await?;
    match current {
        Some((state, office)) => Ok(Some((stored("logbook state", &state, LogbookState::parse(&state))?, office))),
        None => Ok(None),
    }
}

/// Move the new logbook from `from` to `to`, if no one else moved it.
pub async fn move_logbook(
    tx: &mut WriteTx,
    transfer_id: &str,
    from: LogbookState,
    to: LogbookState,
    now: i64,
    lang: Lang,
) -> Result<(), Error> {
    let moved =
        sqlx::query("UPDATE reg_logbooks SET state = $1, updated_at = $2 WHERE transfer_id = $3 AND state = $4")
            .bind(to.as_str())
            .bind(now)
            .bind(transfer_id)
            .bind(from.as_str())
            .execute(&mut **tx)
            .await?;
    if moved.rows_affected() != 1 {
        return Err(Error::Conflict(TransferRefusal::LogbookChanged.render(lang)));
    }
    Ok(())
}

/// Open transfers whose time ran out, oldest first, at most 500.
pub async fn due_to_expire(db: &db::Db, now: i64) -> Result<Vec<String>, Error> {
    let open: Vec<&str> = State::ALL.iter().filter(|s| s.can_expire()).map(|s| s.as_str()).collect();
    let marks = (2..open.len() + 2).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "SELECT id FROM reg_transfers WHERE open_vehicle_id IS NOT NULL AND expires_at <= $1 \
         AND state IN ({marks}) ORDER BY expires_at LIMIT 500"
    );
    let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(now);
    for s in open {
        q = q.bind(s);
    }
    Ok(q.fetch_all(db.pool()).await?)
}
