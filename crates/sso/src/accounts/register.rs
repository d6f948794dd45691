//! Registration: a person checked against the population register gets an
//! account and a pending session, and a code to verify their phone. It
//! knows nothing of signing in beyond starting the pending session.

use db::OnUnique as _;
use domain::{AccountType, DatePart, IdNumber, Phone};
use texts::{SignOnMessage, SignOnRefusal};

use super::account::Client;
use super::codes::{self, Purpose};
use super::passwords::{check_new_password, hash_password};
use crate::error::say;
use crate::sessions::{self, Stage};
use crate::{Error, FieldErrors, Sso, crypto};

/// What a person types to register.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct Registration {
    #[serde(default)]
    pub account_type: String,
    #[serde(default)]
    pub id_number: String,
    /// The date of birth, in three boxes.
    #[serde(default)]
    pub date_of_birth_day: String,
    #[serde(default)]
    pub date_of_birth_month: String,
    #[serde(default)]
    pub date_of_birth_year: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub password_confirm: String,
    #[serde(default)]
    pub sms_alerts: Option<String>,
}

/// A date of birth typed in three boxes (day, month, year), checked by
/// `domain`; a refusal is recorded under the boxes it names, or under
/// `date_of_birth` for the whole date.
pub(super) fn check_date_of_birth(errors: &mut FieldErrors, [day, month, year]: [&str; 3]) -> Option<domain::Date> {
    match domain::Date::from_parts(day, month, year) {
        Ok(d) => Some(d),
        Err(refusal) => {
            let message = say(SignOnMessage::DateOfBirthRefused { refusal });
            let parts = refusal.parts();
            if parts.is_empty() {
                errors.add("date_of_birth", message.clone());
            }
            for part in parts {
                let field = match part {
                    DatePart::Day => "date_of_birth_day",
                    DatePart::Month => "date_of_birth_month",
                    DatePart::Year => "date_of_birth_year",
                };
                errors.add(field, message.clone());
            }
            None
        }
    }
}

fn check_email(errors: &mut FieldErrors, raw: &str) -> Option<String> {
    let v = raw.trim();
    if v.is_empty() {
        return None;
    }
    let ok = v.len() <= 254
        && v.split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.'))
        && !v.chars().any(char::is_whitespace);
    if !ok {
        errors.add("email", say(SignOnRefusal::EmailInvalid));
    }
    Some(v.to_string())
}

/// Register a person: check the form, find them in the population register,
/// create the account and a pending session, and send a code to the phone.
/// Returns the pending session's token.
#[tracing::instrument(skip_all, fields(account_type = %r.account_type, account_id = tracing::field::Empty))]
pub async fn register(sso: &Sso, r: &Registration, client: &Client) -> Result<String, Error> {
    let mut errors = FieldErrors::new();
    let kind = errors.check("account_type", AccountType::parse(&r.account_type));
    let id_number = kind.and_then(|k| errors.check("id_number", IdNumber::parse(k, &r.id_number)));
    let born = check_date_of_birth(&mut errors, [&r.date_of_birth_day, &r.date_of_birth_month, &r.date_of_birth_year]);
    if born.is_some_and(|b| b > domain::Date::from_utc_ms(sso.now_ms())) {
        errors.add("date_of_birth", say(SignOnRefusal::BornInFuture));
    }
    let phone = errors.check("phone", Phone::parse(&r.phone));
    let email = check_email(&mut errors, &r.email);
    check_new_password(&mut errors, &r.password, &r.password_confirm, &[&r.id_number, &r.phone, &r.email]);
    errors.into_result()?;
    sso.limits().sms_request(client.source, sso.now_ms())?;
    let (Some(id_number), Some(phone)) = (id_number, phone) else {
        return Err(Error::Internal("validated fields missing".into()));
    };
    let kind = id_number.kind();
    // One answer for an unknown number and a wrong date of birth, so the
    // form does not confirm whose number it is.
    let mismatch =
        || FieldErrors::single("id_number", say(SignOnRefusal::NotInPopulationRegister { account_type: kind }));
    let person = sso.adapters().population.find(kind, id_number.as_str()).await?.ok_or_else(mismatch)?;
    let same_day = domain::Date::parse(&person.date_of_birth).ok() == born;
    if !same_day {
        return Err(mismatch());
    }
    let mut named = FieldErrors::new();
    check_new_password(&mut named, &r.password, &r.password_confirm, &[&person.full_name, id_number.as_str()]);
    named.into_result()?;
    let now = sso.now_ms();
    let account_id = crypto::new_id();
    tracing::Span::current().record("account_id", account_id.as_str());
    let pw_hash = hash_password(sso, client, &r.password).await?;
    let mut tx = sso.db().begin_write().await?;
    sqlx::query(
        "INSERT INTO sso_accounts (id, account_type, id_number, full_name, phone, email, password_hash, \
         sms_alerts, created_at, updated_at, lang) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10)",
    )
    .bind(&account_id)
    .bind(kind.as_str())
    .bind(id_number.as_str())
    .bind(&person.full_name)
    .bind(phone.as_str())
    .bind(email)
    .bind(pw_hash)
    .bind(i64::from(r.sms_alerts.is_some()))
    .bind(now)
    // The language of the pages the person registered on.
    .bind(client.page_lang.tag())
    .execute(&mut *tx)
    .await
    .on_unique(|| FieldErrors::single("id_number", say(SignOnRefusal::AccountExists { account_type: kind })))?;
    let token = sessions::create(&mut tx, &account_id, Stage::VerifyPhone, now).await?;
    let subject = crypto::sha256_hex(token.as_bytes());
    codes::issue(sso, &mut tx, &account_id, phone.as_str(), Purpose::VerifyPhone, &subject).await?;
    tx.commit().await?;
    sso.wake_outbox();
    tracing::info!(account_id, "account registered; phone verification sent");
    Ok(token)
}
