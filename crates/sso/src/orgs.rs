//! Organisations added by KRA PIN, and the roles people hold in them. A
//! director listed in the KRA register becomes the organisation's admin at
//! once; anyone else waits until an admin approves. It knows no HTTP and no
//! relying party: `oidc::claims` tells them.

use db::OnUnique as _;
use db::WriteTx;
use domain::KraPin;
use domain::org::{OrgKind, OrgRole};
use serde::Serialize;
use texts::{Lang, Refusal, SignOnRefusal, Sms, Text as _};

use crate::accounts::Account;
use crate::error::say;
use crate::registers::Taxpayer;
use crate::{Error, FieldErrors, Sso, outbox};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pending,
    Active,
}

impl Status {
    fn parse(s: &str) -> Self {
        if s == "active" { Self::Active } else { Self::Pending }
    }
    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Active => "active",
        }
    }
}

/// One person's place in one organisation.
#[derive(Debug, Clone, Serialize)]
pub struct Membership {
    pub kra_pin: String,
    pub name: String,
    pub kind: OrgKind,
    pub role: OrgRole,
    pub status: Status,
}

/// A member as an organisation's admin sees them.
#[derive(Debug, Clone, Serialize)]
pub struct Member {
    pub account_id: String,
    pub full_name: String,
    pub id_number: String,
    pub role: OrgRole,
    pub status: Status,
}

fn internal(what: &str, v: &str) -> Error {
    Error::Internal(format!("stored {what} {v:?} is not valid"))
}

/// Keep the organisation `tp`, known by `kra_pin`, in `tx` unless it is
/// kept already: the one way an organisation is written (a request and the
/// demo seed alike).
pub(crate) async fn keep_org(tx: &mut WriteTx, kra_pin: &str, tp: &Taxpayer, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sso_orgs (kra_pin, name, kind, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (kra_pin) DO NOTHING",
    )
    .bind(kra_pin)
    .bind(&tp.name)
    .bind(tp.kind.as_str())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Add the organisation with this KRA PIN to the account. Returns the new
/// membership: active admin for a director, pending otherwise.
#[tracing::instrument(skip_all, fields(account_id = %account.id))]
pub async fn add_by_pin(sso: &Sso, account: &Account, raw_pin: &str) -> Result<Membership, Error> {
    let pin = KraPin::parse(raw_pin).map_err(|e| FieldErrors::single("kra_pin", e.message))?;
    if !pin.is_non_individual() {
        return Err(FieldErrors::single("kra_pin", say(SignOnRefusal::PinIsAPersons)));
    }
    let Some(tp) = sso.adapters().kra.find(&pin).await? else {
        return Err(FieldErrors::single("kra_pin", say(SignOnRefusal::PinNotInKraRegister)));
    };
    let is_director =
        account.account_type == domain::AccountType::Citizen && tp.directors.iter().any(|d| d == &account.id_number);
    let (role, status) =
        if is_director { (OrgRole::Admin, Status::Active) } else { (OrgRole::Viewer, Status::Pending) };
    let now = sso.now_ms();
    let mut tx = sso.db().begin_write().await?;
    keep_org(&mut tx, pin.as_str(), &tp, now).await?;
    sqlx::query(
        "INSERT INTO sso_memberships (account_id, kra_pin, role, status, requested_at, decided_by, decided_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&account.id)
    .bind(pin.as_str())
    .bind(role.as_str())
    .bind(status.as_str())
    .bind(now)
    .bind(is_director.then_some("kra-register"))
    .bind(is_director.then_some(now))
    .execute(&mut *tx)
    .await
    .on_unique(|| FieldErrors::single("kra_pin", say(Refusal::OrgAlreadyOnAccount)))?;
    if status == Status::Pending {
        let admins: Vec<(String, Option<String>)> = sqlx::query_as(
            "SELECT a.phone, a.lang FROM sso_memberships m JOIN sso_accounts a ON a.id = m.account_id \
             WHERE m.kra_pin = $1 AND m.role = 'admin' AND m.status = 'active' AND a.sms_alerts = 1",
        )
        .bind(pin.as_str())
        .fetch_all(&mut *tx)
        .await?;
        // Each admin reads it in their own language.
        let sms = Sms::OrgRequest { person: &account.full_name, org: &tp.name };
        for (phone, lang) in admins {
            let text = sms.render(lang.as_deref().and_then(Lang::from_tag).unwrap_or_default());
            let tag = outbox::SmsTag::new("organisation_request", Some(pin.as_str()));
            outbox::enqueue(&mut tx, &phone, &text, false, &tag, now).await?;
        }
    }
    tx.commit().await?;
    sso.wake_outbox();
    Ok(Membership { kra_pin: pin.as_str().to_string(), name: tp.name, kind: tp.kind, role, status })
}

/// The organisations on an account, pending requests included.
pub async fn of_account(sso: &Sso, account_id: &str) -> Result<Vec<Membership>, Error> {
    let rows: Vec<(String, String, String, String, String)> = sqlx::query_as(
        "SELECT o.kra_pin, o.name, o.kind, m.role, m.status FROM sso_memberships m \
         JOIN sso_orgs o ON o.kra_pin = m.kra_pin WHERE m.account_id = $1 ORDER BY o.name",
    )
    .bind(account_id)
    .fetch_all(sso.db().pool())
    .await?;
    rows.into_iter()
        .map(|(kra_pin, name, kind, role, status)| {
            Ok(Membership {
                kind: OrgKind::parse(&kind).map_err(|_| internal("kind", &kind))?,
                role: OrgRole::parse(&role).map_err(|_| internal("role", &role))?,
                status: Status::parse(&status),
                kra_pin,
                name,
            })
        })
        .collect()
}

/// Only an organisation's active admins may see or change its members.
async fn require_admin(conn: &mut sqlx::AnyConnection, actor: &Account, pin: &str) -> Result<(), Error> {
    let role: Option<String> = sqlx::query_scalar(
        "SELECT role FROM sso_memberships WHERE account_id = $1 AND kra_pin = $2 AND status = 'active'",
    )
    .bind(&actor.id)
    .bind(pin)
    .fetch_optional(conn)
    .await?;
    match role.as_deref() {
        Some("admin") => Ok(()),
        Some(_) => Err(Error::Forbidden),
        None => Err(Error::NotFound),
    }
}

/// The members of an organisation; only its admins may see them.
#[tracing::instrument(skip_all, fields(actor = %actor.id, pin))]
pub async fn members(sso: &Sso, actor: &Account, pin: &str) -> Result<(String, Vec<Member>), Error> {
    require_admin(&mut *sso.db().acquire().await?, actor, pin).await?;
    let name: String =
        sqlx::query_scalar("SELECT name FROM sso_orgs WHERE kra_pin = $1").bind(pin).fetch_one(sso.db().pool()).await?;
    let rows: Vec<(String, String, String, String, String)> = sqlx::query_as(
        "SELECT a.id, a.full_name, a.id_number, m.role, m.status FROM sso_memberships m \
         JOIN sso_accounts a ON a.id = m.account_id WHERE m.kra_pin = $1 ORDER BY m.status DESC, a.full_name",
    )
    .bind(pin)
    .fetch_all(sso.db().pool())
    .await?;
    let members = rows
        .into_iter()
        .map(|(account_id, full_name, id_number, role, status)| {
            Ok(Member {
                role: OrgRole::parse(&role).map_err(|_| internal("role", &role))?,
                status: Status::parse(&status),
                account_id,
                full_name,
                id_number,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    Ok((name, members))
}

/// What an admin may do to a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Approve a pending request (or change an active member's role).
    SetRole(OrgRole),
    /// Refuse a pending request, or remove an active member.
    Remove,
}

/// Apply an admin's decision. The last active admin can neither be demoted
/// nor removed, so an organisation is never left without one.
#[tracing::instrument(skip_all, fields(actor = %actor.id, pin, member))]
pub async fn decide(sso: &Sso, actor: &Account, pin: &str, member: &str, decision: Decision) -> Result<(), Error> {
    let now = sso.now_ms();
    let mut tx = sso.db().begin_write().await?;
    // Decisions on one organisation take its row lock and go one at a time,
    // so two admins demoting each other cannot leave it without one.
    sqlx::query("UPDATE sso_orgs SET name = name WHERE kra_pin = $1").bind(pin).execute(&mut *tx).await?;
    require_admin(&mut tx, actor, pin).await?;
    let current: Option<(String, String, String)> = sqlx::query_as(
        "SELECT m.role, m.status, a.phone FROM sso_memberships m JOIN sso_accounts a ON a.id = m.account_id \
         WHERE m.account_id = $1 AND m.kra_pin = $2",
    )
    .bind(member)
    .bind(pin)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((role, status, phone)) = current else {
        return Err(Error::NotFound);
    };
    let was_active_admin = role == "admin" && status == "active";
    let loses_admin = match decision {
        Decision::SetRole(r) => r != OrgRole::Admin,
        Decision::Remove => true,
    };
    if was_active_admin && loses_admin {
        let admins: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM sso_memberships WHERE kra_pin = $1 AND role = 'admin' AND status = 'active'",
        )
        .bind(pin)
        .fetch_one(&mut *tx)
        .await?;
        if admins <= 1 {
            return Err(Error::Refused(say(Refusal::KeepOneAdmin)));
        }
    }
    let org_name: String =
        sqlx::query_scalar("SELECT name FROM sso_orgs WHERE kra_pin = $1").bind(pin).fetch_one(&mut *tx).await?;
    let text = match decision {
        Decision::SetRole(r) => {
            sqlx::query(
                "UPDATE sso_memberships SET role = $1, status = 'active', decided_by = $2, decided_at = $3 \
                 WHERE account_id = $4 AND kra_pin = $5",
            )
            .bind(r.as_str())
            .bind(&actor.id)
            .bind(now)
            .bind(member)
            .bind(pin)
            .execute(&mut *tx)
            .await?;
            Sms::OrgRoleSet { org: &org_name, role: r }
        }
        Decision::Remove => {
            sqlx::query("DELETE FROM sso_memberships WHERE account_id = $1 AND kra_pin = $2")
                .bind(member)
                .bind(pin)
                .execute(&mut *tx)
                .await?;
            if status == "pending" {
                Sms::OrgRequestRefused { org: &org_name }
            } else {
                Sms::OrgRemoved { org: &org_name }
            }
        }
    };
    let tag = outbox::SmsTag::new("organisation_answer", Some(pin));
    let lang = crate::accounts::lang_in(&mut tx, member).await?;
    outbox::enqueue(&mut tx, &phone, &text.render(lang), false, &tag, now).await?;
    tx.commit().await?;
    sso.wake_outbox();
    Ok(())
}
