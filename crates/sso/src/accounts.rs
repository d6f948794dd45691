//! Accounts: registration against the population register, phone
//! verification, sign-in with lockout, recovery, and preferences.

use domain::policy::{lockout, password};
use domain::{AccountType, IdNumber, Phone};

use crate::codes::{self, Purpose};
use crate::sessions::{self, Stage};
use crate::{Error, FieldErrors, Sso, crypto, outbox};

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

fn check_new_password(errors: &mut FieldErrors, pw: &str, confirm: &str) {
    if let Err(e) = password::check(pw) {
        errors.add("password", e.message);
    } else if pw != confirm {
        errors.add("password_confirm", "The two passwords do not match");
    }
}

/// Register a person: check the form, find them in the population register,
/// create the account and a pending session, and send a code to the phone.
/// Returns the pending session's token.
#[tracing::instrument(skip_all, fields(account_type = %r.account_type))]
pub async fn register(sso: &Sso, r: &Registration) -> Result<String, Error> {
    let mut errors = FieldErrors::new();
    let kind = errors.check("account_type", AccountType::parse(&r.account_type));
    let id_number = kind.and_then(|k| errors.check("id_number", IdNumber::parse(k, &r.id_number)));
    let born = errors.check("date_of_birth", domain::Date::parse(&r.date_of_birth));
    if born.is_some_and(|b| b > domain::Date::from_utc_ms(sso.now_ms())) {
        errors.add("date_of_birth", "The date of birth cannot be in the future");
    }
    let phone = errors.check("phone", Phone::parse(&r.phone));
    let email = check_email(&mut errors, &r.email);
    check_new_password(&mut errors, &r.password, &r.password_confirm);
    errors.into_result()?;
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
    let taken_message = format!(
        "An account with this {} already exists: sign in, or recover the account if you cannot",
        kind.document()
    );
    let now = sso.now_ms();
    let account_id = crypto::new_id();
    let pw_hash = hash_password(&r.password).await?;
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
    "This account is blocked after too many failed sign-ins. Recover it with your ID number and a code sent to your phone.".to_string()
}

/// Failed sign-ins are counted by the identity typed (kind and number), not
/// by account, so an unknown ID number meets the same delays and block
/// message as a real one.
fn failure_key(kind: AccountType, id_number: &str) -> String {
    format!("{}:{id_number}", kind.as_str())
}

/// Password hashing is deliberately slow: keep it off the async workers.
async fn verify_password(password: &str, hash: &str) -> bool {
    let (p, h) = (password.to_string(), hash.to_string());
    tokio::task::spawn_blocking(move || crypto::verify_password(&p, &h)).await.unwrap_or(false)
}

pub(crate) async fn hash_password(password: &str) -> Result<String, Error> {
    let p = password.to_string();
    tokio::task::spawn_blocking(move || crypto::hash_password(&p))
        .await
        .map_err(|e| Error::Internal(format!("password hashing stopped: {e}")))
}

/// The refusal for a closed lockout gate.
fn gate_refusal(gate: lockout::Gate) -> Option<Error> {
    match gate {
        lockout::Gate::Open => None,
        lockout::Gate::Blocked => Some(Error::Blocked),
        lockout::Gate::Wait(ms) => {
            let secs = (ms + 999) / 1000;
            Some(Error::Refused(format!(
                "Too many failed sign-ins. Wait {secs} second{} and try again.",
                if secs == 1 { "" } else { "s" }
            )))
        }
    }
}

/// Check the password. On success a pending session is created and a code is
/// sent (a sign-in code, or a verification code if the phone is not yet
/// verified). Returns the pending token and its stage.
#[tracing::instrument(skip_all)]
pub async fn sign_in(sso: &Sso, s: &SignIn) -> Result<(String, Stage), Error> {
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
    let key = failure_key(id_number.kind(), id_number.as_str());
    let pool = sso.db().pool();
    let seen: Option<(i64, i64)> =
        sqlx::query_as("SELECT failures, last_failed_at FROM sso_signin_failures WHERE key = $1")
            .bind(&key)
            .fetch_optional(pool)
            .await?;
    let row: Option<(String, String, String, Option<i64>, Option<i64>)> = sqlx::query_as(
        "SELECT id, password_hash, phone, phone_verified_at, blocked_at \
         FROM sso_accounts WHERE account_type = $1 AND id_number = $2",
    )
    .bind(id_number.kind().as_str())
    .bind(id_number.as_str())
    .fetch_optional(pool)
    .await?;
    if row.as_ref().is_some_and(|r| r.4.is_some()) {
        return Err(Error::Blocked);
    }
    let (failures, last_failed) = seen.map_or((0, None), |(f, at)| (f, Some(at)));
    if let Some(refusal) = gate_refusal(lockout::gate(failures, last_failed, now)) {
        return Err(refusal);
    }
    // Count this attempt as a failure before checking the password, by
    // compare-and-set on the count just read: of parallel guesses only one
    // goes on, so the delays and the block hold however fast guesses come.
    let reserved = match seen {
        None => sqlx::query(
            "INSERT INTO sso_signin_failures (key, failures, last_failed_at) VALUES ($1, 1, $2) ON CONFLICT (key) DO NOTHING",
        )
        .bind(&key)
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected(),
        Some(_) => sqlx::query(
            "UPDATE sso_signin_failures SET failures = failures + 1, last_failed_at = $1 WHERE key = $2 AND failures = $3",
        )
        .bind(now)
        .bind(&key)
        .bind(failures)
        .execute(pool)
        .await?
        .rows_affected(),
    };
    if reserved != 1 {
        return Err(Error::Refused("Another sign-in with this ID number is under way. Try again in a moment.".into()));
    }
    let hash = row.as_ref().map_or(crypto::dummy_password_hash(), |r| r.1.as_str());
    let password_ok = verify_password(&s.password, hash).await;
    let Some((account_id, _, phone, verified, _)) = row.filter(|_| password_ok) else {
        metrics::counter!("tims_signin_failures_total").increment(1);
        if failures + 1 >= lockout::BLOCK_AFTER {
            block_account(sso, id_number.kind(), id_number.as_str()).await?;
            return Err(Error::Blocked);
        }
        return Err(FieldErrors::single("password", WRONG_CREDENTIALS));
    };
    // The password was right: this attempt was not a failure after all.
    let (stage, purpose) = if verified.is_some() {
        (Stage::SignInCode, Purpose::SignIn)
    } else {
        (Stage::VerifyPhone, Purpose::VerifyPhone)
    };
    // The count goes back in the transaction that starts the session. If
    // that fails (most often: too many codes sent to this phone lately), it
    // goes back on its own, so that a right password never counts towards
    // the delays and the block, however often the code is refused.
    let started = async {
        let mut tx = sso.db().begin_write().await?;
        forgive_attempt(&mut tx, &key, seen, now).await?;
        let token = sessions::create(&mut tx, &account_id, stage, now).await?;
        let subject = crypto::sha256_hex(token.as_bytes());
        codes::issue(sso, &mut tx, &account_id, &phone, purpose, &subject).await?;
        tx.commit().await?;
        Ok::<_, Error>(token)
    }
    .await;
    let token = match started {
        Ok(token) => token,
        Err(e) => {
            let forgiven = async {
                let mut tx = sso.db().begin_write().await?;
                forgive_attempt(&mut tx, &key, seen, now).await?;
                tx.commit().await?;
                Ok::<_, Error>(())
            }
            .await;
            if let Err(f) = forgiven {
                tracing::warn!(error = %f, "could not take back the failure counted for a right password");
            }
            return Err(e);
        }
    };
    sso.wake_outbox();
    Ok((token, stage))
}

/// Take back the failure counted (at `now`) for an attempt whose password
/// was right: the count returns to what it was before (`seen`), unless
/// another attempt has counted since (then the row no longer shows this
/// attempt's count and time, and nothing changes).
async fn forgive_attempt(tx: &mut db::WriteTx, key: &str, seen: Option<(i64, i64)>, now: i64) -> Result<(), Error> {
    match seen {
        None => {
            sqlx::query("DELETE FROM sso_signin_failures WHERE key = $1 AND failures = 1 AND last_failed_at = $2")
                .bind(key)
                .bind(now)
                .execute(&mut **tx)
                .await?
        }
        Some((f, at)) => {
            sqlx::query(
                "UPDATE sso_signin_failures SET failures = $1, last_failed_at = $2 \
                 WHERE key = $3 AND failures = $4 AND last_failed_at = $5",
            )
            .bind(f)
            .bind(at)
            .bind(key)
            .bind(f + 1)
            .bind(now)
            .execute(&mut **tx)
            .await?
        }
    };
    Ok(())
}

/// Block the account behind an identity (if there is one): end its sessions,
/// revoke what relying parties hold, and tell its phone.
async fn block_account(sso: &Sso, kind: AccountType, id_number: &str) -> Result<(), Error> {
    let now = sso.now_ms();
    let mut tx = sso.db().begin_write().await?;
    let blocked: Option<(String, String)> = sqlx::query_as(
        "UPDATE sso_accounts SET blocked_at = $1, updated_at = $1 \
         WHERE account_type = $2 AND id_number = $3 AND blocked_at IS NULL RETURNING id, phone",
    )
    .bind(now)
    .bind(kind.as_str())
    .bind(id_number)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some((account_id, phone)) = &blocked {
        sessions::end_all(&mut tx, account_id, now).await?;
        crate::oidc::revoke_all_for(&mut tx, account_id, now).await?;
        outbox::enqueue(
            &mut tx,
            phone,
            "Your tims account has been blocked after 10 failed sign-ins. If this was not you, recover it with your ID number at the sign-in page.",
            false,
            now,
        )
        .await?;
        tracing::warn!(account_id, "account blocked after repeated failed sign-ins");
    }
    tx.commit().await?;
    sso.wake_outbox();
    Ok(())
}

/// Forget an identity's failed sign-ins (a sign-in completed, or recovery).
async fn clear_failures(tx: &mut db::WriteTx, account: &Account) -> Result<(), Error> {
    sqlx::query("DELETE FROM sso_signin_failures WHERE key = $1")
        .bind(failure_key(account.account_type, &account.id_number))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Count one failed sign-in for an identity (a dead code); block at the limit.
async fn count_failure(sso: &Sso, kind: AccountType, id_number: &str) -> Result<bool, Error> {
    let now = sso.now_ms();
    let failures: i64 = sqlx::query_scalar(
        "INSERT INTO sso_signin_failures (key, failures, last_failed_at) VALUES ($1, 1, $2) \
         ON CONFLICT (key) DO UPDATE SET failures = sso_signin_failures.failures + 1, last_failed_at = $2 \
         RETURNING failures",
    )
    .bind(failure_key(kind, id_number))
    .bind(now)
    .fetch_one(sso.db().pool())
    .await?;
    let block = failures >= lockout::BLOCK_AFTER;
    if block {
        block_account(sso, kind, id_number).await?;
    }
    Ok(block)
}

fn purpose_of(stage: Stage) -> Option<Purpose> {
    match stage {
        Stage::VerifyPhone => Some(Purpose::VerifyPhone),
        Stage::SignInCode => Some(Purpose::SignIn),
        Stage::Recover => Some(Purpose::Recover),
        Stage::Active => None,
    }
}

/// Send another code for a pending session.
pub async fn resend_code(sso: &Sso, session: &sessions::Session) -> Result<(), Error> {
    let purpose = purpose_of(session.stage).ok_or(Error::Forbidden)?;
    let account = get(sso, &session.account_id).await?;
    let mut tx = sso.db().begin_write().await?;
    codes::issue(sso, &mut tx, &account.id, &account.phone, purpose, &session.id_hash).await?;
    tx.commit().await?;
    sso.wake_outbox();
    Ok(())
}

/// Finish a sign-in (or a phone verification) with the code. Returns the new
/// active session's token; the pending one ends.
#[tracing::instrument(skip_all)]
pub async fn confirm_code(sso: &Sso, session: &sessions::Session, code: &str) -> Result<String, Error> {
    let purpose = match session.stage {
        Stage::VerifyPhone | Stage::SignInCode => purpose_of(session.stage).ok_or(Error::Forbidden)?,
        _ => return Err(Error::Forbidden),
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
        if dead && count_failure(sso, account.account_type, &account.id_number).await? {
            return Err(Error::Blocked);
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
    sessions::end_in(&mut tx, &session.id_hash, now).await?;
    let token = sessions::create(&mut tx, &account.id, Stage::Active, now).await?;
    tx.commit().await?;
    metrics::counter!("tims_signins_total").increment(1);
    Ok(token)
}

/// Start recovery: if the ID number has an account, send a code to its
/// registered phone. The answer is the same either way; the returned token is
/// a real pending session only when the account exists.
#[tracing::instrument(skip_all)]
pub async fn recover_start(sso: &Sso, account_type: &str, id_number: &str) -> Result<String, Error> {
    let mut errors = FieldErrors::new();
    let kind = errors.check("account_type", AccountType::parse(account_type));
    let id_number = kind.and_then(|k| errors.check("id_number", IdNumber::parse(k, id_number)));
    errors.into_result()?;
    let Some(id_number) = id_number else {
        return Err(Error::Internal("validated fields missing".into()));
    };
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT id, phone FROM sso_accounts WHERE account_type = $1 AND id_number = $2")
            .bind(id_number.kind().as_str())
            .bind(id_number.as_str())
            .fetch_optional(sso.db().pool())
            .await?;
    let Some((account_id, phone)) = row else {
        return Ok(crypto::token());
    };
    let now = sso.now_ms();
    let mut tx = sso.db().begin_write().await?;
    let token = sessions::create(&mut tx, &account_id, Stage::Recover, now).await?;
    let subject = crypto::sha256_hex(token.as_bytes());
    codes::issue(sso, &mut tx, &account_id, &phone, Purpose::Recover, &subject).await?;
    tx.commit().await?;
    sso.wake_outbox();
    Ok(token)
}

/// Finish recovery: the code and a new password. The account unblocks, every
/// session ends, and the phone is told.
#[tracing::instrument(skip_all)]
pub async fn recover_finish(
    sso: &Sso,
    session: Option<&sessions::Session>,
    code: &str,
    new_password: &str,
    confirm: &str,
) -> Result<(), Error> {
    let mut errors = FieldErrors::new();
    if let Err(e) = domain::policy::code::parse_entry(code) {
        errors.add("code", e.message);
    }
    check_new_password(&mut errors, new_password, confirm);
    errors.into_result()?;
    let Some(session) = session.filter(|s| s.stage == Stage::Recover) else {
        // No account behind this recovery: answer as a wrong code would.
        return Err(FieldErrors::single("code", "The code is wrong"));
    };
    let now = sso.now_ms();
    let account = get(sso, &session.account_id).await?;
    let pw_hash = hash_password(new_password).await?;
    let mut tx = sso.db().begin_write().await?;
    if let Err(refused) = codes::consume(sso, &mut tx, &account.id, Purpose::Recover, &session.id_hash, code).await? {
        tx.commit().await?;
        return Err(refused.error);
    }
    sqlx::query("UPDATE sso_accounts SET password_hash = $1, blocked_at = NULL, updated_at = $2 WHERE id = $3")
        .bind(pw_hash)
        .bind(now)
        .bind(&account.id)
        .execute(&mut *tx)
        .await?;
    clear_failures(&mut tx, &account).await?;
    let ended = sessions::end_all(&mut tx, &account.id, now).await?;
    crate::oidc::revoke_all_for(&mut tx, &account.id, now).await?;
    outbox::enqueue(
        &mut tx,
        &account.phone,
        "Your tims account was recovered: the password was changed, the account is unblocked and every session was signed out. If this was not you, recover it again at once.",
        false,
        now,
    )
    .await?;
    tx.commit().await?;
    sso.wake_outbox();
    tracing::info!(account_id = account.id, sessions_ended = ended, "account recovered");
    Ok(())
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
