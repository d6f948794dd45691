//! Signing in: a password (counted against the delays of `lockout`) starts
//! a pending session and sends a code; the code finishes the sign-in (or
//! the phone's verification) and starts an active session, and the
//! browser becomes known. It knows nothing of OpenID Connect or pages.

use domain::policy::lockout;
use domain::{AccountType, IdNumber};
use texts::{Refusal, SignOnRefusal};

use super::account::{self, Client};
use super::codes::{self, Purpose};
use super::devices;
use super::lockout::{
    clear_failures, count_failure, failure_key, failures_of, forgive, forgive_attempt, gate_refusal, reserve_attempt,
};
use super::passwords::verify_password;
use crate::error::say;
use crate::sessions::{self, Stage};
use crate::{Error, FieldErrors, Sso, crypto};

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

/// The identity typed, if the form is complete.
fn identity(s: &SignIn) -> Result<IdNumber, Error> {
    let mut errors = FieldErrors::new();
    let kind = errors.check("account_type", AccountType::parse(s.account_type.as_deref().unwrap_or("citizen")));
    let id_number = kind.and_then(|k| errors.check("id_number", IdNumber::parse(k, &s.id_number)));
    if s.password.is_empty() {
        errors.add("password", say(SignOnRefusal::EnterPassword));
    }
    errors.into_result()?;
    id_number.ok_or_else(|| Error::Internal("validated fields missing".into()))
}

/// What signing in needs of the account with this identity: its id,
/// password hash, phone, and when the phone was verified and the account
/// blocked.
type Credentials = (String, String, String, Option<i64>, Option<i64>);

async fn credentials(sso: &Sso, id_number: &IdNumber) -> Result<Option<Credentials>, Error> {
    Ok(sqlx::query_as(
        "SELECT id, password_hash, phone, phone_verified_at, blocked_at \
         FROM sso_accounts WHERE account_type = $1 AND id_number = $2",
    )
    .bind(id_number.kind().as_str())
    .bind(id_number.as_str())
    .fetch_optional(sso.db().pool())
    .await?)
}

/// Check the password. On success a pending session is created and a code is
/// sent (a sign-in code, or a verification code if the phone is not yet
/// verified). Returns the pending token and its stage.
///
/// Failures slow further attempts down and never block: they count for the
/// ID number typed, except on a browser the account has signed in from
/// before, which counts its own (see `devices`).
#[tracing::instrument(skip_all, fields(account_id = tracing::field::Empty))]
pub async fn sign_in(sso: &Sso, s: &SignIn, client: &Client) -> Result<(String, Stage), Error> {
    let id_number = identity(s)?;
    let now = sso.now_ms();
    sso.limits().password_attempt(client.source, now)?;
    // Held until the password is checked; taken before anything is counted.
    let _slot = sso.limits().source_slot(client.source)?;
    let row = credentials(sso, &id_number).await?;
    let device_key = match (&row, client.device.as_deref()) {
        (Some(r), Some(token)) => devices::trusted_key(sso, &r.0, token).await?,
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
            devices::forget(sso, &key).await?;
        }
        return Err(FieldErrors::single("password", say(Refusal::WrongCredentials)));
    };
    tracing::Span::current().record("account_id", account_id.as_str());
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
        // A language chosen on this browser becomes the account's, before
        // its code is written.
        if let Some(lang) = client.chosen_lang {
            account::set_lang_in(&mut tx, &account_id, lang).await?;
        }
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

fn purpose_of(stage: Stage) -> Option<Purpose> {
    match stage {
        Stage::VerifyPhone => Some(Purpose::VerifyPhone),
        Stage::SignInCode => Some(Purpose::SignIn),
        Stage::Active => None,
    }
}

/// Send another code for a pending session.
#[tracing::instrument(skip_all, fields(account_id = %session.account_id))]
pub async fn resend_code(sso: &Sso, session: &sessions::Session, client: &Client) -> Result<(), Error> {
    let purpose = purpose_of(session.stage).ok_or(Error::Forbidden)?;
    sso.limits().sms_request(client.source, sso.now_ms())?;
    let account = account::get(sso, &session.account_id).await?;
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
#[tracing::instrument(skip_all, fields(account_id = %session.account_id))]
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
    let account = account::get(sso, &session.account_id).await?;
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
    let device = devices::remember(&mut tx, &account.id, client.device.as_deref(), now).await?;
    sessions::end_in(&mut tx, &session.id_hash, now).await?;
    let token = sessions::create(&mut tx, &account.id, Stage::Active, now).await?;
    tx.commit().await?;
    metrics::counter!("tims_signins_total").increment(1);
    Ok(SignedIn { session: token, device })
}
