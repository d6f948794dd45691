//! Accounts: registration against the population register, phone
//! verification, sign-in with lockout, recovery, and preferences.

use domain::policy::{lockout, password};
use domain::{AccountType, IdNumber, Phone};

use crate::codes::{self, Purpose};
use crate::sessions::{self, Stage};
use crate::{Error, FieldErrors, Sso, crypto};

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

/// What a person types to register.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct Registration {
    #[serde(default)]
    pub account_type: String,
    #[serde(default)]
    pub id_number: String,
    #[serde(default)]
    pub date_of_birth: String,
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
        errors.add("email", "Enter an email address like name@example.com, or leave it empty");
    }
    Some(v.to_string())
}

/// Check a new password: its length and the confirmation, and that it is
/// not guessable, nor built from the person's own identifiers (`own`).
pub(crate) fn check_new_password(errors: &mut FieldErrors, pw: &str, confirm: &str, own: &[&str]) {
    if let Err(e) = password::check(pw, own) {
        errors.add("password", e.message);
    } else if pw != confirm {
        errors.add("password_confirm", "The two passwords do not match");
    }
}

/// Where a request comes from: its source address (for the per-source
/// limits) and the known-browser cookie it carried, if any.
#[derive(Debug, Clone)]
pub struct Client {
    pub source: std::net::IpAddr,
    pub device: Option<String>,
}

/// Register a person: check the form, find them in the population register,
/// create the account and a pending session, and send a code to the phone.
/// Returns the pending session's token.
#[tracing::instrument(skip_all, fields(account_type = %r.account_type))]
pub async fn register(sso: &Sso, r: &Registration, client: &Client) -> Result<String, Error> {
    let mut errors = FieldErrors::new();
    let kind = errors.check("account_type", AccountType::parse(&r.account_type));
    let id_number = kind.and_then(|k| errors.check("id_number", IdNumber::parse(k, &r.id_number)));
    let born = errors.check("date_of_birth", domain::Date::parse(&r.date_of_birth));
    if born.is_some_and(|b| b > domain::Date::from_utc_ms(sso.now_ms())) {
        errors.add("date_of_birth", "The date of birth cannot be in the future");
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
    let mismatch = || {
        FieldErrors::single(
            "id_number",
            format!("This {} and date of birth do not match the population register: check both", kind.document()),
        )
    };
    let person = sso.adapters().population.find(kind, id_number.as_str()).await?.ok_or_else(mismatch)?;
    let same_day = domain::Date::parse(&person.date_of_birth).ok() == born;
    if !same_day {
        return Err(mismatch());
    }
    let mut named = FieldErrors::new();
    check_new_password(&mut named, &r.password, &r.password_confirm, &[&person.full_name, id_number.as_str()]);
    named.into_result()?;
    let taken_message = format!(
        "An account with this {} already exists: sign in, or recover the account if you cannot",
        kind.document()
    );
    let now = sso.now_ms();
    let account_id = crypto::new_id();
    let pw_hash = hash_password(sso, client, &r.password).await?;
    let mut tx = sso.db().begin_write().await?;
    let inserted = sqlx::query(
        "INSERT INTO sso_accounts (id, account_type, id_number, full_name, phone, email, password_hash, \
         sms_alerts, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
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
    .execute(&mut *tx)
    .await;
    match inserted {
        Err(e) if db::is_unique_violation(&e) => return Err(FieldErrors::single("id_number", taken_message)),
        other => other?,
    };
    let token = sessions::create(&mut tx, &account_id, Stage::VerifyPhone, now).await?;
    let subject = crypto::sha256_hex(token.as_bytes());
    codes::issue(sso, &mut tx, &account_id, phone.as_str(), Purpose::VerifyPhone, &subject).await?;
    tx.commit().await?;
    sso.wake_outbox();
    tracing::info!(account_id, "account registered; phone verification sent");
    Ok(token)
}

/// What a person types to sign in.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct SignIn {
    #[serde(default)]
    pub account_type: Option<String>,
    #[serde(default)]
    pub id_number: String,
    #[serde(default)]
    pub password: String,
}

const WRONG_CREDENTIALS: &str = "The ID number or password is wrong";

pub fn blocked_message() -> String {
    "This account was blocked after too many failed sign-ins. Recover it now with your ID number, your date of birth and a code sent to your phone.".to_string()
}

/// Failed sign-ins are counted by the identity typed (kind and number), not
/// by account, so an unknown ID number meets the same delays as a real one.
fn failure_key(kind: AccountType, id_number: &str) -> String {
    format!("{}:{id_number}", kind.as_str())
}

/// Password hashing is deliberately slow: it runs off the async workers, a
/// bounded number at once (see `limits`).
async fn verify_password(sso: &Sso, known: bool, password: &str, hash: &str) -> Result<bool, Error> {
    let (p, h) = (password.to_string(), hash.to_string());
    sso.limits().hash(known, move || crypto::verify_password(&p, &h)).await
}

pub(crate) async fn hash_password(sso: &Sso, client: &Client, password: &str) -> Result<String, Error> {
    let _slot = sso.limits().source_slot(client.source)?;
    let p = password.to_string();
    sso.limits().hash(false, move || crypto::hash_password(&p)).await
}

/// The refusal for a closed gate.
fn gate_refusal(gate: lockout::Gate) -> Option<Error> {
    match gate {
        lockout::Gate::Open => None,
        lockout::Gate::Wait(ms) => {
            let (when, retry_after_secs) = crate::limits::wait_text(ms, 5 * domain::policy::MINUTE_MS);
            Some(Error::TooMany {
                message: format!(
                    "Too many failed sign-ins with this ID number. Wait {when} and try again, \
                     sign in from a phone or computer you have signed in from before, or recover your account now."
                ),
                retry_after_secs,
            })
        }
    }
}

/// A count of failures as stored: how many, and when the last one was.
type Seen = Option<(i64, i64)>;

async fn failures_of(sso: &Sso, key: &str) -> Result<Seen, Error> {
    Ok(sqlx::query_as("SELECT failures, last_failed_at FROM sso_signin_failures WHERE key = $1")
        .bind(key)
        .fetch_optional(sso.db().pool())
        .await?)
}

/// Set a stored count (failures, last failure) to `to` if it is still
/// `from`: a compare-and-set, so of two attempts only one moves it.
fn swap_count<'q>(
    key: &'q str,
    from: (i64, i64),
    to: (i64, i64),
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    sqlx::query(
        "UPDATE sso_signin_failures SET failures = $1, last_failed_at = $2 \
         WHERE key = $3 AND failures = $4 AND last_failed_at = $5",
    )
    .bind(to.0)
    .bind(to.1)
    .bind(key)
    .bind(from.0)
    .bind(from.1)
}

/// Count an attempt as a failure before its password is checked, by
/// compare-and-set on the count just read: of parallel guesses only one
/// goes on, so the delays hold however fast guesses come. Returns the count
/// now stored, or a refusal if another attempt counted first.
async fn reserve_attempt(sso: &Sso, key: &str, seen: Seen, now: i64) -> Result<i64, Error> {
    let failures = seen.map_or(0, |(f, at)| lockout::current(f, at, now)) + 1;
    let reserved = match seen {
        None => sqlx::query(
            "INSERT INTO sso_signin_failures (key, failures, last_failed_at) VALUES ($1, $2, $3) \
             ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .bind(failures)
        .bind(now),
        Some(stored) => swap_count(key, stored, (failures, now)),
    };
    if sso.db().execute_write(reserved).await?.rows_affected() != 1 {
        return Err(Error::Refused("Another sign-in with this ID number is under way. Try again in a moment.".into()));
    }
    Ok(failures)
}

/// Check the password. On success a pending session is created and a code is
/// sent (a sign-in code, or a verification code if the phone is not yet
/// verified). Returns the pending token and its stage.
///
/// Failures slow further attempts down and never block: they count for the
/// ID number typed, except on a browser the account has signed in from
/// before, which counts its own (see `devices`).
#[tracing::instrument(skip_all)]
pub async fn sign_in(sso: &Sso, s: &SignIn, client: &Client) -> Result<(String, Stage), Error> {
    let mut errors = FieldErrors::new();
    let kind = errors.check("account_type", AccountType::parse(s.account_type.as_deref().unwrap_or("citizen")));
    let id_number = kind.and_then(|k| errors.check("id_number", IdNumber::parse(k, &s.id_number)));
    if s.password.is_empty() {
        errors.add("password", "Enter your password");
    }
    errors.into_result()?;
    let Some(id_number) = id_number else {
        return Err(Error::Internal("validated fields missing".into()));
    };
    let now = sso.now_ms();
    sso.limits().password_attempt(client.source, now)?;
    // Held until the password is checked; taken before anything is counted.
    let _slot = sso.limits().source_slot(client.source)?;
    let row: Option<(String, String, String, Option<i64>, Option<i64>)> = sqlx::query_as(
        "SELECT id, password_hash, phone, phone_verified_at, blocked_at \
         FROM sso_accounts WHERE account_type = $1 AND id_number = $2",
    )
    .bind(id_number.kind().as_str())
    .bind(id_number.as_str())
    .fetch_optional(sso.db().pool())
    .await?;
    let device_key = match (&row, client.device.as_deref()) {
        (Some(r), Some(token)) => crate::devices::trusted_key(sso, &r.0, token).await?,
        _ => None,
    };
    let key = device_key.clone().unwrap_or_else(|| failure_key(id_number.kind(), id_number.as_str()));
    let seen = failures_of(sso, &key).await?;
    if let Some(refusal) = gate_refusal(lockout::gate(seen.map_or(0, |r| r.0), seen.map(|r| r.1), now)) {
        return Err(refusal);
    }
    let failures = reserve_attempt(sso, &key, seen, now).await?;
    let hash = row.as_ref().map_or(crypto::dummy_password_hash(), |r| r.1.as_str());
    let password_ok = match verify_password(sso, device_key.is_some(), &s.password, hash).await {
        Ok(ok) => ok,
        Err(e) => {
            // Shed before the password was checked: not a failure.
            forgive(sso, &key, seen, failures, now).await;
            return Err(e);
        }
    };
    let Some((account_id, _, phone, verified, blocked)) = row.filter(|_| password_ok) else {
        metrics::counter!("tims_signin_failures_total").increment(1);
        if device_key.is_some() && failures >= lockout::DEVICE_MAX_FAILURES {
            crate::devices::forget(sso, &key).await?;
        }
        return Err(FieldErrors::single("password", WRONG_CREDENTIALS));
    };
    if blocked.is_some() {
        // Blocked by an earlier version: only recovery opens it.
        forgive(sso, &key, seen, failures, now).await;
        return Err(Error::Blocked);
    }
    // The password was right: this attempt was not a failure after all.
    let (stage, purpose) = if verified.is_some() {
        (Stage::SignInCode, Purpose::SignIn)
    } else {
        (Stage::VerifyPhone, Purpose::VerifyPhone)
    };
    let started = async {
        sso.limits().sms_request(client.source, now)?;
        let mut tx = sso.db().begin_write().await?;
        forgive_attempt(&mut tx, &key, seen, failures, now).await?;
        let token = sessions::create(&mut tx, &account_id, stage, now).await?;
        let subject = crypto::sha256_hex(token.as_bytes());
        codes::issue(sso, &mut tx, &account_id, &phone, purpose, &subject).await?;
        tx.commit().await?;
        Ok::<_, Error>(token)
    }
    .await;
    match started {
        Ok(token) => {
            sso.wake_outbox();
            Ok((token, stage))
        }
        Err(e) => {
            // The code could not be sent (most often: too many codes sent to
            // this phone lately): a right password still never counts
            // towards the delays.
            forgive(sso, &key, seen, failures, now).await;
            Err(e)
        }
    }
}

/// Take back a counted failure on its own.
async fn forgive(sso: &Sso, key: &str, seen: Seen, failures: i64, now: i64) {
    let forgiven = async {
        let mut tx = sso.db().begin_write().await?;
        forgive_attempt(&mut tx, key, seen, failures, now).await?;
        tx.commit().await?;
        Ok::<_, Error>(())
    }
    .await;
    if let Err(f) = forgiven {
        tracing::warn!(error = %f, "could not take back the failure counted for a right password");
    }
}

/// Take back the failure counted (at `now`, making `failures`) for an
/// attempt whose password was right: the count returns to what it was
/// before (`seen`), unless another attempt has counted since (then the row
/// no longer shows this attempt's count and time, and nothing changes).
async fn forgive_attempt(tx: &mut db::WriteTx, key: &str, seen: Seen, failures: i64, now: i64) -> Result<(), Error> {
    let restore = match seen {
        None => sqlx::query("DELETE FROM sso_signin_failures WHERE key = $1 AND failures = $2 AND last_failed_at = $3")
            .bind(key)
            .bind(failures)
            .bind(now),
        Some(stored) => swap_count(key, (failures, now), stored),
    };
    restore.execute(&mut **tx).await?;
    Ok(())
}

/// Forget an identity's failed sign-ins (a sign-in completed, or recovery).
pub(crate) async fn clear_failures(tx: &mut db::WriteTx, account: &Account) -> Result<(), Error> {
    sqlx::query("DELETE FROM sso_signin_failures WHERE key = $1")
        .bind(failure_key(account.account_type, &account.id_number))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Count one failed sign-in for an identity (a code entered wrongly until
/// it died).
async fn count_failure(sso: &Sso, kind: AccountType, id_number: &str) -> Result<(), Error> {
    sso.db()
        .execute_write(
            sqlx::query(
                "INSERT INTO sso_signin_failures (key, failures, last_failed_at) VALUES ($1, 1, $2) \
                 ON CONFLICT (key) DO UPDATE SET failures = sso_signin_failures.failures + 1, last_failed_at = $2",
            )
            .bind(failure_key(kind, id_number))
            .bind(sso.now_ms()),
        )
        .await?;
    Ok(())
}

fn purpose_of(stage: Stage) -> Option<Purpose> {
    match stage {
        Stage::VerifyPhone => Some(Purpose::VerifyPhone),
        Stage::SignInCode => Some(Purpose::SignIn),
        Stage::Active => None,
    }
}

/// Send another code for a pending session.
pub async fn resend_code(sso: &Sso, session: &sessions::Session, client: &Client) -> Result<(), Error> {
    let purpose = purpose_of(session.stage).ok_or(Error::Forbidden)?;
    sso.limits().sms_request(client.source, sso.now_ms())?;
    let account = get(sso, &session.account_id).await?;
    let mut tx = sso.db().begin_write().await?;
    codes::issue(sso, &mut tx, &account.id, &account.phone, purpose, &session.id_hash).await?;
    tx.commit().await?;
    sso.wake_outbox();
    Ok(())
}

/// A finished sign-in: the active session's token, and a token for the
/// known-browser cookie when this browser was not known yet.
#[derive(Debug)]
pub struct SignedIn {
    pub session: String,
    pub device: Option<String>,
}

/// Finish a sign-in (or a phone verification) with the code. The pending
/// session ends and an active one starts; the browser becomes known.
#[tracing::instrument(skip_all)]
pub async fn confirm_code(
    sso: &Sso,
    session: &sessions::Session,
    code: &str,
    client: &Client,
) -> Result<SignedIn, Error> {
    let purpose = match session.stage {
        Stage::VerifyPhone | Stage::SignInCode => purpose_of(session.stage).ok_or(Error::Forbidden)?,
        Stage::Active => return Err(Error::Forbidden),
    };
    let account = get(sso, &session.account_id).await?;
    if account.blocked {
        return Err(Error::Blocked);
    }
    let now = sso.now_ms();
    let mut tx = sso.db().begin_write().await?;
    if let Err(refused) = codes::consume(sso, &mut tx, &account.id, purpose, &session.id_hash, code).await? {
        let dead = refused.dead;
        if dead {
            sessions::end_in(&mut tx, &session.id_hash, now).await?;
        }
        tx.commit().await?;
        if dead {
            count_failure(sso, account.account_type, &account.id_number).await?;
        }
        return Err(refused.error);
    }
    if purpose == Purpose::VerifyPhone {
        sqlx::query("UPDATE sso_accounts SET phone_verified_at = $1, updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(&account.id)
            .execute(&mut *tx)
            .await?;
    }
    clear_failures(&mut tx, &account).await?;
    let device = crate::devices::remember(&mut tx, &account.id, client.device.as_deref(), now).await?;
    sessions::end_in(&mut tx, &session.id_hash, now).await?;
    let token = sessions::create(&mut tx, &account.id, Stage::Active, now).await?;
    tx.commit().await?;
    metrics::counter!("tims_signins_total").increment(1);
    Ok(SignedIn { session: token, device })
}

pub async fn set_sms_alerts(sso: &Sso, account_id: &str, on: bool) -> Result<(), Error> {
    sso.db()
        .execute_write(
            sqlx::query("UPDATE sso_accounts SET sms_alerts = $1, updated_at = $2 WHERE id = $3")
                .bind(i64::from(on))
                .bind(sso.now_ms())
                .bind(account_id),
        )
        .await?;
    Ok(())
}
