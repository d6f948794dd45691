//! An account as stored (the `sso_accounts` row every use case reads), the
//! language it reads its SMS in, and where a request comes from. It knows
//! no use case.

use db::WriteTx;
use domain::AccountType;
use texts::Lang;

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
    /// The language the person chose (the switch while signed in, the
    /// page's at registration); `None` if they never did: English. Given
    /// to relying parties as the `locale` claim.
    pub lang: Option<Lang>,
}

impl Account {
    /// The language the sign-on writes to this person in.
    pub fn sms_lang(&self) -> Lang {
        self.lang.unwrap_or_default()
    }
}

pub(crate) type AccountRow =
    (String, String, String, String, String, Option<i64>, Option<String>, i64, Option<i64>, Option<String>);

/// The columns of an [`AccountRow`], in its order.
const ACCOUNT_COLUMNS: &str =
    "id, account_type, id_number, full_name, phone, phone_verified_at, email, sms_alerts, blocked_at, lang";

pub(crate) fn account_from(row: AccountRow) -> Result<Account, Error> {
    let (id, t, id_number, full_name, phone, verified, email, alerts, blocked, lang) = row;
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
        lang: lang.as_deref().and_then(Lang::from_tag),
    })
}

pub async fn get(sso: &Sso, account_id: &str) -> Result<Account, Error> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM sso_accounts WHERE id = $1");
    let row: Option<AccountRow> =
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(account_id).fetch_optional(sso.db().pool()).await?;
    account_from(row.ok_or(Error::NotFound)?)
}

/// The language of the account `id`, read in `tx` (the transaction queuing
/// an SMS to it); English for one who never chose, or no account.
pub(crate) async fn lang_in(tx: &mut WriteTx, id: &str) -> Result<Lang, Error> {
    let tag: Option<Option<String>> =
        sqlx::query_scalar("SELECT lang FROM sso_accounts WHERE id = $1").bind(id).fetch_optional(&mut **tx).await?;
    Ok(tag.flatten().as_deref().and_then(Lang::from_tag).unwrap_or_default())
}

/// Keep `lang` as the account's language, in `tx`.
pub(crate) async fn set_lang_in(tx: &mut WriteTx, id: &str, lang: Lang) -> Result<(), Error> {
    sqlx::query("UPDATE sso_accounts SET lang = $1 WHERE id = $2").bind(lang.tag()).bind(id).execute(&mut **tx).await?;
    Ok(())
}

/// Keep the language a signed-in person chose on this browser (the
/// switch's cookie, `chosen`) as their account's, if it is not already.
pub async fn remember_lang(sso: &Sso, account: &Account, chosen: Option<Lang>) -> Result<(), Error> {
    let Some(lang) = chosen.filter(|l| account.lang != Some(*l)) else { return Ok(()) };
    let mut tx = sso.db().begin_write().await?;
    set_lang_in(&mut tx, &account.id, lang).await?;
    tx.commit().await?;
    Ok(())
}

/// Where a request comes from: its source address (for the per-source
/// limits), the known-browser cookie it carried, if any, and its languages.
#[derive(Debug, Clone)]
pub struct Client {
    pub source: std::net::IpAddr,
    pub device: Option<String>,
    /// The language the person chose on this browser (the switch's
    /// cookie), kept on their account when they sign in.
    pub chosen_lang: Option<Lang>,
    /// The language of the pages they see (their choice, else their
    /// browser's), kept on an account they register.
    pub page_lang: Lang,
}
