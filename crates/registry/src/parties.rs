//! The people and organisations the registry knows. People arrive through
//! the provider's claims at sign-in (or are named as owners and buyers by
//! their ID number first); organisations by KRA PIN. The claims also say
//! which organisations a person may act for, and in which role.

use db::WriteTx;
use domain::org::{OrgKind, OrgRole};
use domain::{AccountType, IdNumber, KraPin};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::reference::new_id;
use crate::{Error, Registry};

/// A person or an organisation on the registry's books.
#[derive(Debug, Clone, Serialize)]
pub struct Party {
    pub id: String,
    pub kind: String,
    pub doc_type: String,
    pub doc_number: String,
    pub name: String,
    pub org_kind: Option<String>,
    #[serde(skip)]
    pub phone: Option<String>,
    #[serde(skip)]
    pub sms_alerts: bool,
    #[serde(skip)]
    pub subject: Option<String>,
}

impl Party {
    pub fn is_org(&self) -> bool {
        self.kind == "organisation"
    }
}

pub(crate) const COLUMNS: &str = "id, kind, doc_type, doc_number, name, org_kind, phone, sms_alerts, subject";

type Row = (String, String, String, String, String, Option<String>, Option<String>, i64, Option<String>);

pub(crate) fn from_row(r: Row) -> Party {
    Party {
        id: r.0,
        kind: r.1,
        doc_type: r.2,
        doc_number: r.3,
        name: r.4,
        org_kind: r.5,
        phone: r.6,
        sms_alerts: r.7 != 0,
        subject: r.8,
    }
}

pub async fn get(reg: &Registry, id: &str) -> Result<Option<Party>, Error> {
    get_in(&mut *reg.db().acquire().await?, id).await
}

pub async fn get_in(conn: &mut sqlx::AnyConnection, id: &str) -> Result<Option<Party>, Error> {
    let sql = format!("SELECT {COLUMNS} FROM reg_parties WHERE id = $1");
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(conn).await?;
    Ok(row.map(from_row))
}

pub async fn by_document(reg: &Registry, doc_type: &str, doc_number: &str) -> Result<Option<Party>, Error> {
    let sql = format!("SELECT {COLUMNS} FROM reg_parties WHERE doc_type = $1 AND doc_number = $2");
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(doc_type)
        .bind(doc_number)
        .fetch_optional(reg.db().pool())
        .await?;
    Ok(row.map(from_row))
}

/// An organisation a person may act for, with their role in it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Membership {
    pub org_id: String,
    pub kra_pin: String,
    pub name: String,
    #[schema(schema_with = crate::api::schema::org_kind_or_null)]
    pub kind: Option<String>,
    #[schema(schema_with = crate::api::schema::org_role)]
    pub role: OrgRole,
}

pub async fn memberships(reg: &Registry, person_id: &str) -> Result<Vec<Membership>, Error> {
    let rows: Vec<(String, String, String, Option<String>, String)> = sqlx::query_as(
        "SELECT o.id, o.doc_number, o.name, o.org_kind, m.role FROM reg_org_members m \
         JOIN reg_parties o ON o.id = m.org_id WHERE m.person_id = $1 ORDER BY o.name",
    )
    .bind(person_id)
    .fetch_all(reg.db().pool())
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(org_id, kra_pin, name, kind, role)| {
            Some(Membership { org_id, kra_pin, name, kind, role: OrgRole::parse(&role).ok()? })
        })
        .collect())
}

/// Insert a party if its document is new; return its id either way.
pub async fn ensure(
    tx: &mut WriteTx,
    kind: &str,
    doc_type: &str,
    doc_number: &str,
    name: &str,
    org_kind: Option<&str>,
    now: i64,
) -> Result<String, Error> {
    let existing: Option<String> =
        sqlx::query_scalar("SELECT id FROM reg_parties WHERE doc_type = $1 AND doc_number = $2")
            .bind(doc_type)
            .bind(doc_number)
            .fetch_optional(&mut **tx)
            .await?;
    if let Some(id) = existing {
        return Ok(id);
    }
    let id = new_id();
    sqlx::query(
        "INSERT INTO reg_parties (id, kind, doc_type, doc_number, name, org_kind, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT (doc_type, doc_number) DO NOTHING",
    )
    .bind(&id)
    .bind(kind)
    .bind(doc_type)
    .bind(doc_number)
    .bind(name)
    .bind(org_kind)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    // A concurrent insert of the same document wins; use its id.
    let id: String = sqlx::query_scalar("SELECT id FROM reg_parties WHERE doc_type = $1 AND doc_number = $2")
        .bind(doc_type)
        .bind(doc_number)
        .fetch_one(&mut **tx)
        .await?;
    Ok(id)
}

fn str_claim<'a>(claims: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    claims.get(name).and_then(Value::as_str).filter(|s| !s.trim().is_empty())
}

/// Record what the provider says of a person (and the organisations they
/// may act for) in one transaction, and return the person's party id.
/// Claims the registry cannot use are refused with a clear message: the
/// registry needs the ID number and a verified phone to work.
pub async fn upsert_from_claims(reg: &Registry, claims: &Map<String, Value>) -> Result<String, Error> {
    let now = reg.now_ms();
    let subject = str_claim(claims, "sub").ok_or_else(|| Error::Internal("claims without sub".into()))?;
    let refuse = |what: &str| {
        Error::Forbidden(format!(
            "Your sign-on account does not share {what} with the registry; the registry needs it to act for you"
        ))
    };
    let account_type = str_claim(claims, "account_type").unwrap_or("citizen");
    let account_type = AccountType::parse(account_type).map_err(|_| refuse("a known account type"))?;
    let id_number = str_claim(claims, "id_number").ok_or_else(|| refuse("your ID number"))?;
    let id_number = IdNumber::parse(account_type, id_number).map_err(|_| refuse("a valid ID number"))?;
    let name = str_claim(claims, "name").unwrap_or(id_number.as_str());
    let phone = match (str_claim(claims, "phone_number"), claims.get("phone_number_verified").and_then(Value::as_bool))
    {
        (Some(p), Some(true)) => domain::Phone::parse(p).ok().map(|p| p.as_str().to_string()),
        _ => None,
    };
    let alerts = claims.get("sms_alerts").and_then(Value::as_bool).unwrap_or(true);
    let orgs: Vec<(KraPin, String, Option<OrgKind>, OrgRole)> = claims
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

    let mut tx = reg.db().begin_write().await?;
    let doc_type = account_type.as_str();
    let by_subject: Option<String> = sqlx::query_scalar("SELECT id FROM reg_parties WHERE subject = $1")
        .bind(subject)
        .fetch_optional(&mut *tx)
        .await?;
    let person_id = match by_subject {
        Some(id) => id,
        None => {
            let id = ensure(&mut tx, "person", doc_type, id_number.as_str(), name, None, now).await?;
            // A record already linked to another sign-on account is never
            // taken over by a second account claiming the same ID number.
            let linked: Option<String> = sqlx::query_scalar("SELECT subject FROM reg_parties WHERE id = $1")
                .bind(&id)
                .fetch_one(&mut *tx)
                .await?;
            if linked.is_some_and(|s| s != subject) {
                return Err(Error::Forbidden(
                    "This ID number is already linked to another sign-on account. Contact the agency to have it checked"
                        .into(),
                ));
            }
            id
        }
    };
    sqlx::query(
        "UPDATE reg_parties SET subject = $1, name = $2, phone = $3, sms_alerts = $4, doc_type = $5, \
         doc_number = $6, updated_at = $7 WHERE id = $8",
    )
    .bind(subject)
    .bind(name)
    .bind(&phone)
    .bind(i64::from(alerts))
    .bind(doc_type)
    .bind(id_number.as_str())
    .bind(now)
    .bind(&person_id)
    .execute(&mut *tx)
    .await?;
    let mut kept = vec![];
    for (pin, org_name, kind, role) in &orgs {
        let org_id =
            ensure(&mut tx, "organisation", "kra_pin", pin.as_str(), org_name, kind.map(|k| k.as_str()), now).await?;
        sqlx::query(
            "UPDATE reg_parties SET name = $1, org_kind = COALESCE($2, org_kind), updated_at = $3 WHERE id = $4",
        )
        .bind(org_name)
        .bind(kind.map(|k| k.as_str()))
        .bind(now)
        .bind(&org_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO reg_org_members (org_id, person_id, role, seen_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (org_id, person_id) DO UPDATE SET role = excluded.role, seen_at = excluded.seen_at",
        )
        .bind(&org_id)
        .bind(&person_id)
        .bind(role.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        kept.push(org_id);
    }
    // Memberships the provider no longer lists are gone.
    let current: Vec<String> = sqlx::query_scalar("SELECT org_id FROM reg_org_members WHERE person_id = $1")
        .bind(&person_id)
        .fetch_all(&mut *tx)
        .await?;
    for org_id in current.into_iter().filter(|o| !kept.contains(o)) {
        sqlx::query("DELETE FROM reg_org_members WHERE org_id = $1 AND person_id = $2")
            .bind(&org_id)
            .bind(&person_id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(person_id)
}

/// Staff roles in the agency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    Officer,
    Supervisor,
    Admin,
}

impl StaffRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Officer => "officer",
            Self::Supervisor => "supervisor",
            Self::Admin => "admin",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, domain::FieldError> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "officer" => Ok(Self::Officer),
            "supervisor" => Ok(Self::Supervisor),
            "admin" => Ok(Self::Admin),
            _ => Err(domain::FieldError::new("Choose officer, supervisor or admin")),
        }
    }
}

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
    let person = ensure(&mut tx, "person", account_type.as_str(), id.as_str(), id.as_str(), None, now).await?;
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
    tx.commit().await?;
    Ok(person)
}
