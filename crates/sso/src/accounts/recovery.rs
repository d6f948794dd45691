//! Account recovery (the only writer of `sso_recoveries`): a person who
//! forgot their password, or whose account an earlier version blocked,
//! proves who they are with their ID number, their date of birth (checked
//! against the population register) and a code sent to the account's phone,
//! then chooses a new password. Recovery works at once: no delay or block
//! of sign-in applies to it.
//!
//! Nothing here tells whether an ID number has an account: every attempt
//! gets a recovery row and the same answer; a code is sent only when the
//! account exists and the date of birth matches, within the phone's
//! recovery budget (its own, so recoveries never use up sign-in codes), and
//! a wrong code is answered alike whether one was sent or not. It knows no
//! HTTP: the attempt's token is the caller's cookie.

use domain::policy::code::{self as rules, Challenge};
use domain::{AccountType, IdNumber};
use secure::codes::{Binding, mac, six_digit_code};
use texts::{Refusal, Sms, Text as _};

use super::account::{self, Client};
use super::codes::{self, Purpose};
use super::devices;
use super::lockout::clear_failures;
use super::passwords::{check_new_password, hash_password};
use super::register::check_date_of_birth;
use crate::error::say;
use crate::{Error, FieldErrors, Sso, crypto, grants, outbox, sessions};

/// What a person types to start a recovery.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct Start {
    pub account_type: String,
    pub id_number: String,
    /// The date of birth, in three boxes.
    pub date_of_birth_day: String,
    pub date_of_birth_month: String,
    pub date_of_birth_year: String,
}

/// Start a recovery. Returns the token of the attempt (for its cookie),
/// whatever the ID number.
#[tracing::instrument(skip_all, fields(account_id = tracing::field::Empty))]
pub async fn start(sso: &Sso, r: &Start, client: &Client) -> Result<String, Error> {
    let mut errors = FieldErrors::new();
    let kind = errors.check("account_type", AccountType::parse(&r.account_type));
    let id_number = kind.and_then(|k| errors.check("id_number", IdNumber::parse(k, &r.id_number)));
    let born = check_date_of_birth(&mut errors, [&r.date_of_birth_day, &r.date_of_birth_month, &r.date_of_birth_year]);
    errors.into_result()?;
    let (Some(id_number), Some(born)) = (id_number, born) else {
        return Err(Error::Internal("validated fields missing".into()));
    };
    let now = sso.now_ms();
    sso.limits().sms_request(client.source, now)?;
    let account: Option<(String, String)> = sqlx::query_as(
        "SELECT id, phone FROM sso_accounts WHERE account_type = $1 AND id_number = $2 AND phone_verified_at IS NOT NULL",
    )
    .bind(id_number.kind().as_str())
    .bind(id_number.as_str())
    .fetch_optional(sso.db().pool())
    .await?;
    // Asked whether or not there is an account, so both take the same time.
    let person = sso.adapters().population.find(id_number.kind(), id_number.as_str()).await?;
    let born_matches = person.is_some_and(|p| domain::Date::parse(&p.date_of_birth).ok() == Some(born));
    let token = crypto::token();
    let id_hash = crypto::sha256_hex(token.as_bytes());
    let code = six_digit_code();
    let mut tx = sso.db().begin_write().await?;
    // The budget is read for every attempt, for the same reason.
    let phone = account.as_ref().map_or("", |a| a.1.as_str());
    let budget = codes::within_budget(&mut tx, phone, Purpose::Recover, now).await?;
    let sent_to = account.filter(|_| born_matches && budget.is_ok());
    sqlx::query(
        "INSERT INTO sso_recoveries (id_hash, account_id, code_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&id_hash)
    .bind(sent_to.as_ref().map(|a| a.0.as_str()))
    // Where nothing is sent, no code can match (a code is six digits).
    .bind(mac(sso.pepper(), Binding::Challenge(&id_hash), if sent_to.is_some() { &code } else { "none" }))
    .bind(now)
    .bind(now + rules::TTL_MS)
    .execute(&mut *tx)
    .await?;
    if let Some((account_id, phone)) = &sent_to {
        tracing::Span::current().record("account_id", account_id.as_str());
        tx.lock_row("sso_accounts", account_id).await?;
        codes::send(&mut tx, (account_id.as_str(), phone.as_str()), Purpose::Recover, &code, now).await?;
    }
    tx.commit().await?;
    if sent_to.is_some() {
        sso.wake_outbox();
    }
    Ok(token)
}

/// What a person types to finish a recovery.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct Finish {
    pub code: String,
    pub password: String,
    pub password_confirm: String,
}

/// Finish a recovery: the code and a new password. The account unblocks,
/// every session and known browser is forgotten, relying parties' grants
/// are revoked, and the phone is told. Returns a known-browser token for
/// the browser that recovered.
#[tracing::instrument(skip_all, fields(account_id = tracing::field::Empty))]
pub async fn finish(sso: &Sso, token: Option<&str>, f: &Finish, client: &Client) -> Result<String, Error> {
    let mut errors = FieldErrors::new();
    let entry = errors.check("code", rules::parse_entry(&f.code));
    // Only the checks that do not depend on whose account it is, before the
    // code is known to be right.
    check_new_password(&mut errors, &f.password, &f.password_confirm, &[]);
    errors.into_result()?;
    let Some(entry) = entry else {
        return Err(Error::Internal("validated fields missing".into()));
    };
    let now = sso.now_ms();
    let Some(id_hash) = token.map(|t| crypto::sha256_hex(t.as_bytes())) else {
        return Err(FieldErrors::single("code", say(Refusal::RecoveryEnded)));
    };
    let account_id = check_code(sso, &id_hash, &entry, now).await?;
    tracing::Span::current().record("account_id", account_id.as_str());
    let account = account::get(sso, &account_id).await?;
    let mut own = FieldErrors::new();
    let email = account.email.clone().unwrap_or_default();
    check_new_password(
        &mut own,
        &f.password,
        &f.password_confirm,
        &[&account.full_name, &account.id_number, &account.phone, &email],
    );
    own.into_result()?;
    let pw_hash = hash_password(sso, client, &f.password).await?;
    let mut tx = sso.db().begin_write().await?;
    let used = sqlx::query(
        "UPDATE sso_recoveries SET used_at = $1 WHERE id_hash = $2 AND used_at IS NULL AND failures < $3 AND expires_at > $1",
    )
    .bind(now)
    .bind(&id_hash)
    .bind(rules::MAX_FAILURES)
    .execute(&mut *tx)
    .await?;
    if used.rows_affected() != 1 {
        return Err(FieldErrors::single("code", codes::refusal_message(rules::Refusal::AlreadyUsed, Purpose::Recover)));
    }
    sqlx::query("UPDATE sso_accounts SET password_hash = $1, blocked_at = NULL, updated_at = $2 WHERE id = $3")
        .bind(pw_hash)
        .bind(now)
        .bind(&account.id)
        .execute(&mut *tx)
        .await?;
    clear_failures(&mut tx, &account).await?;
    let ended = sessions::end_all(&mut tx, &account.id, now).await?;
    grants::revoke_all_for(&mut tx, &account.id, now).await?;
    devices::forget_all(&mut tx, &account.id).await?;
    let device = devices::remember(&mut tx, &account.id, None, now).await?.unwrap_or_default();
    outbox::enqueue(
        &mut tx,
        &account.phone,
        &Sms::AccountRecovered.render(account.sms_lang()),
        false,
        &outbox::SmsTag::new("account_recovered", None),
        now,
    )
    .await?;
    tx.commit().await?;
    sso.wake_outbox();
    tracing::info!(account_id = account.id, sessions_ended = ended, "account recovered");
    Ok(device)
}

/// Judge the code of the recovery `id_hash`: the account it recovers when
/// right (the code is not used yet: the caller uses it with its change), a
/// refusal (counted) when not. Answers alike whether a code was sent.
async fn check_code(sso: &Sso, id_hash: &str, entry: &str, now: i64) -> Result<String, Error> {
    let mut tx = sso.db().begin_write().await?;
    tx.lock_rows("sso_recoveries", "id_hash", id_hash, "id_hash").await?;
    let row: Option<(Option<String>, String, i64, i64, Option<i64>)> = sqlx::query_as(
        "SELECT account_id, code_hash, expires_at, failures, used_at FROM sso_recoveries WHERE id_hash = $1",
    )
    .bind(id_hash)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((account_id, hash, expires_at, failures, used_at)) = row else {
        return Err(FieldErrors::single("code", say(Refusal::RecoveryEnded)));
    };
    let matches = crypto::ct_eq(&mac(sso.pepper(), Binding::Challenge(id_hash), entry), &hash);
    let challenge = Challenge { expires_at_ms: expires_at, failures, used: used_at.is_some() };
    match (rules::judge(challenge, matches, now), account_id) {
        (Ok(()), Some(account_id)) => Ok(account_id),
        (Ok(()), None) => Err(Error::Internal("a recovery without an account accepted a code".into())),
        (Err(refusal), _) => {
            if codes::counts(refusal) && failures < rules::MAX_FAILURES {
                sqlx::query("UPDATE sso_recoveries SET failures = failures + 1 WHERE id_hash = $1")
                    .bind(id_hash)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Err(FieldErrors::single("code", codes::refusal_message(refusal, Purpose::Recover)))
        }
    }
}
