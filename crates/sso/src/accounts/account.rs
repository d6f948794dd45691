//! An account as stored (the `sso_accounts` row every use case reads), and
//! where a request comes from. It knows no use case.

use domain::AccountType;

use crate::{Error, Sso};

#[derive(Debug, Clone)]
pub struct Account {
    pub id: String,
    pub account_type: AccountType,
    pub id_number: String,
    pub full_name: String,
    pub phone: String,
    pub phone_verified: bool,
    pub email: Option<String>,
    pub sms_alerts: bool,
    pub blocked: bool,
}

pub(crate) type AccountRow = (String, String, String, String, String, Option<i64>, Option<String>, i64, Option<i64>);

pub(crate) fn account_from(row: AccountRow) -> Result<Account, Error> {
    let (id, t, id_number, full_name, phone, verified, email, alerts, blocked) = row;
    Ok(Account {
        id,
        account_type: AccountType::parse(&t).map_err(|_| Error::Internal(format!("bad account type {t:?}")))?,
        id_number,
        full_name,
        phone,
        phone_verified: verified.is_some(),
        email,
        sms_alerts: alerts != 0,
        blocked: blocked.is_some(),
    })
}

pub async fn get(sso: &Sso, account_id: &str) -> Result<Account, Error> {
    let row: Option<AccountRow> = sqlx::query_as(
        "SELECT id, account_type, id_number, full_name, phone, phone_verified_at, email, sms_alerts, blocked_at \
             FROM sso_accounts WHERE id = $1",
    )
    .bind(account_id)
    .fetch_optional(sso.db().pool())
    .await?;
    account_from(row.ok_or(Error::NotFound)?)
}

/// Where a request comes from: its source address (for the per-source
/// limits) and the known-browser cookie it carried, if any.
#[derive(Debug, Clone)]
pub struct Client {
    pub source: std::net::IpAddr,
    pub device: Option<String>,
}
