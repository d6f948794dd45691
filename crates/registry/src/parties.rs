//! The people and organisations the registry knows (`reg_parties`,
//! `reg_org_members`, `reg_staff`). People arrive through the provider's
//! claims at sign-in (or are named as owners and buyers by their ID number
//! first); organisations by KRA PIN. The claims also say which
//! organisations a person may act for, and in which role. It also keeps
//! and decides which language tims writes in to each of them ([`lang_of`],
//! [`lang_in`], [`set_lang`]): the `locale` the provider gives at each
//! sign-in, or the person's choice on the registry's pages.
//!
//! It knows nothing of vehicles or transfers, of HTTP, or of how sign-in
//! works: it is handed the claims.

use db::WriteTx;
use domain::org::{OrgKind, OrgRole};
use domain::{AccountType, DocType, IdNumber, KraPin, PartyKind};
use secure::new_id;
use serde::Serialize;
use serde_json::{Map, Value};
use sqlx::Row as _;
use texts::{Claim, Lang, Refusal, Text as _, TransferRefusal};

use crate::journal::{self, Entry};
use crate::{Error, Registry};

/// The language tims writes in to a person or organisation: the SMS it
/// sends them and the refusals they read. Their own (see [`Party::lang`]),
/// English for one who never chose; this is the one place that decides it.
pub fn lang_of(party: &Party) -> Lang {
    party.lang.unwrap_or(NO_PARTY_LANG)
}

/// The language of the party `id` (see [`lang_of`]), read in `tx` (the
/// transaction queuing their SMS); English for a party not found.
pub async fn lang_in(tx: &mut WriteTx, id: &str) -> Result<Lang, Error> {
    let tag: Option<Option<String>> =
        sqlx::query_scalar("SELECT lang FROM reg_parties WHERE id = $1").bind(id).fetch_optional(&mut **tx).await?;
    Ok(tag.flatten().as_deref().and_then(Lang::from_tag).unwrap_or(NO_PARTY_LANG))
}

/// Keep `lang` as the language of the party `id` (a person's choice on the
/// registry's pages while signed in).
pub async fn set_lang(reg: &Registry, id: &str, lang: Lang) -> Result<(), Error> {
    let mut tx = reg.db().begin_write().await?;
    sqlx::query("UPDATE reg_parties SET lang = $1 WHERE id = $2").bind(lang.tag()).bind(id).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

/// The language of refusals read by someone who is not (yet) a party: a
/// sign-in's claims, a query's paging, the demonstration seed.
pub const NO_PARTY_LANG: Lang = Lang::En;

/// A person or an organisation on the registry's books.
#[derive(Debug, Clone, Serialize)]
pub struct Party {
    pub id: String,
    pub kind: PartyKind,
    pub doc_type: String,
    pub doc_number: String,
    pub name: String,
    pub org_kind: Option<OrgKind>,
    #[serde(skip)]
    pub phone: Option<String>,
    #[serde(skip)]
    pub sms_alerts: bool,
    #[serde(skip)]
    pub subject: Option<String>,
    /// The language they chose (the provider's `locale`, or their choice on
    /// the registry's pages); `None` if they never did.
    #[serde(skip)]
    pub lang: Option<Lang>,
}

impl Party {
    pub fn is_org(&self) -> bool {
        self.kind == PartyKind::Organisation
    }
}

pub(crate) const COLUMNS: &str = "id, kind, doc_type, doc_number, name, org_kind, phone, sms_alerts, subject, lang";

/// A party from the columns `COLUMNS` names, read by name.
pub(crate) fn from_row(r: &sqlx::any::AnyRow) -> Result<Party, Error> {
    let kind: String = r.try_get("kind")?;
    let org_kind: Option<String> = r.try_get("org_kind")?;
    Ok(Party {
        id: r.try_get("id")?,
        kind: PartyKind::parse(&kind).map_err(|e| Error::Internal(format!("stored party kind: {}", e.message)))?,
        doc_type: r.try_get("doc_type")?,
        doc_number: r.try_get("doc_number")?,
        name: r.try_get("name")?,
        // A kind this registry does not know reads as none, as the
        // provider's unknown kinds do.
        org_kind: org_kind.and_then(|k| OrgKind::parse(&k).ok()),
        phone: r.try_get("phone")?,
        sms_alerts: r.try_get::<i64, _>("sms_alerts")? != 0,
        subject: r.try_get("subject")?,
        lang: r.try_get::<Option<String>, _>("lang")?.as_deref().and_then(Lang::from_tag),
    })
}

pub async fn get(reg: &Registry, id: &str) -> Result<Option<Party>, Error> {
    get_in(&mut *reg.db().acquire().await?, id).await
}

pub async fn get_in(conn: &mut sqlx::AnyConnection, id: &str) -> Result<Option<Party>, Error> {
    let sql = format!("SELECT {COLUMNS} FROM reg_parties WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(conn).await?;
    row.as_ref().map(from_row).transpose()
}

/// The party with this document, read in `conn` (a buyer's lookup reads
/// it in the transaction that writes its audit line).
pub async fn by_document(
    conn: &mut sqlx::AnyConnection,
    doc_type: &str,
    doc_number: &str,
) -> Result<Option<Party>, Error> {
    let sql = format!("SELECT {COLUMNS} FROM reg_parties WHERE doc_type = $1 AND doc_number = $2");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(doc_type).bind(doc_number).fetch_optional(conn).await?;
    row.as_ref().map(from_row).transpose()
}

/// An organisation a person may act for, with their role in it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Membership {
    pub org_id: String,
    pub kra_pin: String,
    pub name: String,
    #[schema(schema_with = OrgKind::schema_or_null)]
    pub kind: Option<String>,
    #[schema(schema_with = OrgRole::schema)]
    pub role: OrgRole,
}

pub async fn memberships(reg: &Registry, person_id: &str) -> Result<Vec<Membership>, Error> {
    let rows = sqlx::query(
        "SELECT o.id, o.doc_number, o.name, o.org_kind, m.role FROM reg_org_members m \
         JOIN reg_parties o ON o.id = m.org_id WHERE m.person_id = $1 ORDER BY o.name",
    )
    .bind(person_id)
    .fetch_all(reg.db().pool())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let role: String = r.try_get("role")?;
        let Ok(role) = OrgRole::parse(&role) else { continue };
        out.push(Membership {
            org_id: r.try_get("id")?,
            kra_pin: r.try_get("doc_number")?,
            name: r.try_get("name")?,
            kind: r.try_get("org_kind")?,
            role,
        });
    }
    Ok(out)
}

/// Insert a party if its document is new; return its id either way.
pub async fn ensure(
    tx: &mut WriteTx,
    kind: PartyKind,
    doc_type: DocType,
    doc_number: &str,
    name: &str,
    org_kind: Option<OrgKind>,
    now: i64,
) -> Result<String, Error> {
    let find = "SELECT id FROM reg_parties WHERE doc_type = $1 AND doc_number = $2";
    let existing: Option<String> =
        sqlx::query_scalar(find).bind(doc_type.as_str()).bind(doc_number).fetch_optional(&mut **tx).await?;
    if let Some(id) = existing {
        return Ok(id);
    }
    let id = new_id();
    sqlx::query(
        "INSERT INTO reg_parties (id, kind, doc_type, doc_number, name, org_kind, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT (doc_type, doc_number) DO NOTHING",
    )
    .bind(&id)
    .bind(kind.as_str())
    .bind(doc_type.as_str())
    .bind(doc_number)
    .bind(name)
    .bind(org_kind.map(OrgKind::as_str))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    // A concurrent insert of the same document wins; use its id.
    Ok(sqlx::query_scalar(find).bind(doc_type.as_str()).bind(doc_number).fetch_one(&mut **tx).await?)
}

/// Set a person's name and phone as given (for demo data, which no sign-in
/// has confirmed).
pub async fn set_contact(tx: &mut WriteTx, id: &str, name: &str, phone: &str) -> Result<(), Error> {
    sqlx::query("UPDATE reg_parties SET phone = $1, name = $2 WHERE id = $3")
        .bind(phone)
        .bind(name)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn str_claim<'a>(claims: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    claims.get(name).and_then(Value::as_str).filter(|s| !s.trim().is_empty())
}

/// What the registry takes from a person's claims.
struct Claimed<'a> {
    subject: &'a str,
    id_number: IdNumber,
    name: &'a str,
    phone: Option<String>,
    alerts: bool,
    /// The provider's `locale` claim, if it is a language tims speaks.
    lang: Option<Lang>,
    orgs: Vec<(KraPin, String, Option<OrgKind>, OrgRole)>,
}

/// Read the claims, refusing with a clear message those the registry cannot
/// use: it needs the ID number to work.
fn claimed(claims: &Map<String, Value>) -> Result<Claimed<'_>, Error> {
    let subject = str_claim(claims, "sub").ok_or_else(|| Error::Internal("claims without sub".into()))?;
    // Who is signing in is not yet a party.
    let refuse = |claim| Error::Forbidden(Refusal::ClaimNotShared { claim }.render(NO_PARTY_LANG));
    let account_type = str_claim(claims, "account_type").unwrap_or("citizen");
    let account_type = AccountType::parse(account_type).map_err(|_| refuse(Claim::KnownAccountType))?;
    let id_number = str_claim(claims, "id_number").ok_or_else(|| refuse(Claim::IdNumber))?;
    let id_number = IdNumber::parse(account_type, id_number).map_err(|_| refuse(Claim::ValidIdNumber))?;
    let phone = match (str_claim(claims, "phone_number"), claims.get("phone_number_verified").and_then(Value::as_bool))
    {
        (Some(p), Some(true)) => domain::Phone::parse(p).ok().map(|p| p.as_str().to_string()),
        _ => None,
    };
    let orgs = claims
        .get("organisations")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|o| {
                    let pin = KraPin::parse(o.get("kra_pin")?.as_str()?).ok()?;
                    let role = OrgRole::parse(o.get("role")?.as_str()?).ok()?;
                    let name = o.get("name").and_then(Value::as_str).unwrap_or(pin.as_str()).to_string();
                    let kind = o.get("kind").and_then(Value::as_str).and_then(|k| OrgKind::parse(k).ok());
                    Some((pin, name, kind, role))
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Claimed {
        subject,
        name: str_claim(claims, "name").unwrap_or(""),
        id_number,
        phone,
        alerts: claims.get("sms_alerts").and_then(Value::as_bool).unwrap_or(true),
        lang: str_claim(claims, "locale").and_then(Lang::from_tag),
        orgs,
    })
}

/// Record what the provider says of a person (and the organisations they
/// may act for) in one transaction, and return the person's party id.
/// Claims the registry cannot use are refused with a clear message: the
/// registry needs the ID number and a verified phone to work.
#[tracing::instrument(skip_all)]
pub async fn upsert_from_claims(reg: &Registry, claims: &Map<String, Value>) -> Result<String, Error> {
    let now = reg.now_ms();
    let c = claimed(claims)?;
    let name = if c.name.is_empty() { c.id_number.as_str() } else { c.name };
    let doc_type = DocType::Person(c.id_number.kind());
    let mut tx = reg.db().begin_write().await?;
    let person_id = person_for(&mut tx, c.subject, doc_type, c.id_number.as_str(), name, now).await?;
    // A provider that gives no `locale` leaves the language the person
    // chose on the registry's pages.
    sqlx::query(
        "UPDATE reg_parties SET subject = $1, name = $2, phone = $3, sms_alerts = $4, doc_type = $5, \
         doc_number = $6, updated_at = $7, lang = COALESCE($9, lang) WHERE id = $8",
    )
    .bind(c.subject)
    .bind(name)
    .bind(&c.phone)
    .bind(i64::from(c.alerts))
    .bind(doc_type.as_str())
    .bind(c.id_number.as_str())
    .bind(now)
    .bind(&person_id)
    .bind(c.lang.map(Lang::tag))
    .execute(&mut *tx)
    .await?;
    sync_memberships(&mut tx, &person_id, &c.orgs, now).await?;
    tx.commit().await?;
    Ok(person_id)
}

/// The person a subject is: the party linked to it, or the one with its ID
/// number (made if new). A record already linked to another sign-on
/// account is never taken over by a second account claiming the same ID
/// number.
async fn person_for(
    tx: &mut WriteTx,
    subject: &str,
    doc_type: DocType,
    id_number: &str,
    name: &str,
    now: i64,
) -> Result<String, Error> {
    let by_subject: Option<String> = sqlx::query_scalar("SELECT id FROM reg_parties WHERE subject = $1")
        .bind(subject)
        .fetch_optional(&mut **tx)
        .await?;
    if let Some(id) = by_subject {
        return Ok(id);
    }
    let id = ensure(tx, PartyKind::Person, doc_type, id_number, name, None, now).await?;
    let linked: Option<String> =
        sqlx::query_scalar("SELECT subject FROM reg_parties WHERE id = $1").bind(&id).fetch_one(&mut **tx).await?;
    if linked.is_some_and(|s| s != subject) {
        return Err(Error::Forbidden(TransferRefusal::IdLinkedElsewhere.render(lang_in(tx, &id).await?)));
    }
    Ok(id)
}

/// Make the person's memberships those the provider lists: the
/// organisations (made if new, renamed if changed) with their roles; those
/// it no longer lists are gone.
async fn sync_memberships(
    tx: &mut WriteTx,
    person_id: &str,
    orgs: &[(KraPin, String, Option<OrgKind>, OrgRole)],
    now: i64,
) -> Result<(), Error> {
    let mut kept = vec![];
    for (pin, org_name, kind, role) in orgs {
        let org_id = ensure(tx, PartyKind::Organisation, DocType::KraPin, pin.as_str(), org_name, *kind, now).await?;
        sqlx::query(
            "UPDATE reg_parties SET name = $1, org_kind = COALESCE($2, org_kind), updated_at = $3 WHERE id = $4",
        )
        .bind(org_name)
        .bind(kind.map(OrgKind::as_str))
        .bind(now)
        .bind(&org_id)
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "INSERT INTO reg_org_members (org_id, person_id, role, seen_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (org_id, person_id) DO UPDATE SET role = excluded.role, seen_at = excluded.seen_at",
        )
        .bind(&org_id)
        .bind(person_id)
        .bind(role.as_str())
        .bind(now)
        .execute(&mut **tx)
        .await?;
        kept.push(org_id);
    }
    let current: Vec<String> = sqlx::query_scalar("SELECT org_id FROM reg_org_members WHERE person_id = $1")
        .bind(person_id)
        .fetch_all(&mut **tx)
        .await?;
    for org_id in current.into_iter().filter(|o| !kept.contains(o)) {
        sqlx::query("DELETE FROM reg_org_members WHERE org_id = $1 AND person_id = $2")
            .bind(&org_id)
            .bind(person_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Staff roles in the agency (a domain enum; named here for the register's callers).
pub use domain::register::StaffRole;

pub async fn staff_role(reg: &Registry, person_id: &str) -> Result<Option<StaffRole>, Error> {
    let role: Option<String> = sqlx::query_scalar("SELECT role FROM reg_staff WHERE person_id = $1")
        .bind(person_id)
        .fetch_optional(reg.db().pool())
        .await?;
    Ok(role.and_then(|r| StaffRole::parse(&r).ok()))
}

/// Grant a staff role to the person with this ID number (`tims staff grant`).
pub async fn grant_staff(
    db: &db::Db,
    now: i64,
    account_type: AccountType,
    id_number: &str,
    role: StaffRole,
    granted_by: &str,
) -> Result<String, Error> {
    let id =
        IdNumber::parse(account_type, id_number).map_err(|e| crate::FieldErrors::single("id_number", e.message))?;
    let mut tx = db.begin_write().await?;
    let doc_type = DocType::Person(account_type);
    let person = ensure(&mut tx, PartyKind::Person, doc_type, id.as_str(), id.as_str(), None, now).await?;
    sqlx::query(
        "INSERT INTO reg_staff (person_id, role, granted_at, granted_by) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (person_id) DO UPDATE SET role = excluded.role, granted_at = excluded.granted_at, \
         granted_by = excluded.granted_by",
    )
    .bind(&person)
    .bind(role.as_str())
    .bind(now)
    .bind(granted_by)
    .execute(&mut *tx)
    .await?;
    let entry = Entry::StaffGranted { person: person.clone(), role, granted_by: granted_by.into() };
    journal::write(&mut tx, now, None, None, &entry).await?;
    tx.commit().await?;
    Ok(person)
}
