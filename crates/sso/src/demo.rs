//! Demo data for a newcomer: a few people who can sign in at once, and
//! organisations they act for. Created only on an empty database. It writes
//! through no use case and must never run on a database in use.

use domain::AccountType;

use crate::{Error, Sso, crypto};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "kenya-demo-1";

pub struct DemoPerson {
    pub account_type: AccountType,
    pub id_number: &'static str,
    pub phone: &'static str,
    pub note: &'static str,
}

pub const PEOPLE: &[DemoPerson] = &[
    DemoPerson {
        account_type: AccountType::Citizen,
        id_number: "12345678",
        phone: "+254712345678",
        note: "seller; director and admin of Kamau Motors Limited (car dealer)",
    },
    DemoPerson {
        account_type: AccountType::Citizen,
        id_number: "23456789",
        phone: "+254723456789",
        note: "buyer; director and admin of Savannah Logistics Limited",
    },
    DemoPerson {
        account_type: AccountType::Citizen,
        id_number: "34567890",
        phone: "+254734567890",
        note: "agency officer",
    },
    DemoPerson {
        account_type: AccountType::Citizen,
        id_number: "45678901",
        phone: "+254745678901",
        note: "waiting for approval at Kamau Motors Limited",
    },
    DemoPerson {
        account_type: AccountType::Citizen,
        id_number: "56789012",
        phone: "+254756789012",
        note: "admin of Harambee Bank Limited (financier)",
    },
    DemoPerson {
        account_type: AccountType::Resident,
        id_number: "100200300",
        phone: "+254110200300",
        note: "resident (alien ID)",
    },
    DemoPerson {
        account_type: AccountType::Foreigner,
        id_number: "A1234567",
        phone: "+254111234567",
        note: "foreigner (passport)",
    },
];

/// (national ID of the member, KRA PIN, role, status)
const MEMBERSHIPS: &[(&str, &str, &str, &str)] = &[
    ("12345678", "P051234567A", "admin", "active"),
    ("23456789", "P051234571E", "admin", "active"),
    ("56789012", "P051234569C", "admin", "active"),
    ("45678901", "P051234567A", "viewer", "pending"),
];

/// Create the demo data if there are no accounts yet. Returns whether it did.
pub async fn seed_if_empty(sso: &Sso) -> Result<bool, Error> {
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sso_accounts").fetch_one(sso.db().pool()).await?;
    if count > 0 {
        return Ok(false);
    }
    let now = sso.now_ms();
    let people = crate::registers::sample_people();
    let taxpayers = crate::registers::sample_taxpayers();
    let pw_hash = crypto::hash_password(DEMO_PASSWORD);
    let mut tx = sso.db().begin_write().await?;
    let mut ids = std::collections::HashMap::new();
    for d in PEOPLE {
        let person = people
            .iter()
            .find(|p| p.id_number == d.id_number && p.account_type == d.account_type)
            .ok_or_else(|| Error::Internal(format!("demo person {} is not in the sample register", d.id_number)))?;
        let id = crypto::new_id();
        sqlx::query(
            "INSERT INTO sso_accounts (id, account_type, id_number, full_name, phone, phone_verified_at, password_hash, \
             sms_alerts, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $6, $6)",
        )
        .bind(&id)
        .bind(d.account_type.as_str())
        .bind(d.id_number)
        .bind(&person.full_name)
        .bind(d.phone)
        .bind(now)
        .bind(&pw_hash)
        .execute(&mut *tx)
        .await?;
        ids.insert(d.id_number, id);
    }
    for (member, pin, role, status) in MEMBERSHIPS {
        let tp = taxpayers
            .iter()
            .find(|t| t.kra_pin == *pin)
            .ok_or_else(|| Error::Internal(format!("demo organisation {pin} is not in the sample register")))?;
        crate::orgs::keep_org(&mut tx, pin, tp, now).await?;
        sqlx::query(
            "INSERT INTO sso_memberships (account_id, kra_pin, role, status, requested_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&ids[member])
        .bind(pin)
        .bind(role)
        .bind(status)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// Whether the demo accounts are there (created by an earlier start).
pub async fn present(sso: &Sso) -> Result<bool, Error> {
    let first = &PEOPLE[0];
    let found: Option<(String,)> =
        sqlx::query_as("SELECT id FROM sso_accounts WHERE account_type = $1 AND id_number = $2")
            .bind(first.account_type.as_str())
            .bind(first.id_number)
            .fetch_optional(sso.db().pool())
            .await?;
    Ok(found.is_some())
}

/// The demo accounts and where to read codes, for the banner of every
/// start in development mode after the first.
pub fn short_instructions(public_url: &str) -> String {
    let mut s = format!("Demo accounts (password {DEMO_PASSWORD:?}), sign in at {public_url}/sso/signin:\n");
    for d in PEOPLE {
        s.push_str(&format!("  {:<9} {:<10} {}\n", d.account_type.as_str(), d.id_number, d.note));
    }
    s.push_str(&format!("SMS codes: {public_url}/sso/dev/sms (as JSON: {public_url}/sso/dev/sms.json).\n"));
    s
}

/// How to try the demo, for the start-up banner.
pub fn instructions(public_url: &str) -> String {
    let mut s = format!(
        "Demo data created. Sign in at {public_url}/sso/signin with one of these (password {DEMO_PASSWORD:?}):\n"
    );
    for d in PEOPLE {
        s.push_str(&format!("  {:<9} {:<10} {}  {}\n", d.account_type.as_str(), d.id_number, d.phone, d.note));
    }
    s.push_str(&format!("To try registering at {public_url}/sso/register, use a person of the development population register who has no account yet:\n"));
    for p in crate::registers::sample_people() {
        if !PEOPLE.iter().any(|d| d.id_number == p.id_number) {
            s.push_str(&format!(
                "  {:<9} {:<10} born {}  {}\n",
                p.account_type.as_str(),
                p.id_number,
                p.date_of_birth,
                p.full_name
            ));
        }
    }
    s.push_str(&format!("SMS codes are shown at {public_url}/sso/dev/sms and in this log.\n"));
    s
}
