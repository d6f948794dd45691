//! SMS one-time codes: issued to a phone for one purpose and one subject
//! (a pending sign-in, a recovery attempt, a phone to verify), stored keyed
//! and hashed, and consumed once. The rules themselves are in
//! `domain::policy::code`. It knows phones, purposes and subjects, not
//! sessions or pages.

use db::WriteTx;
use domain::policy::DAY_MS;
use domain::policy::code::{self as rules, Refusal, SendHistory};

use secure::codes::{Binding, mac, six_digit_code};
use texts::{CodeFor, Restart, Sms, Text as _};

use crate::error::say;
use crate::{Error, FieldErrors, Sso, crypto, outbox};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    VerifyPhone,
    SignIn,
    Recover,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::VerifyPhone => "verify_phone",
            Self::SignIn => "sign_in",
            Self::Recover => "recover",
        }
    }

    /// The SMS carrying `code` for this purpose.
    fn sms(self, code: &str) -> Sms<'_> {
        let purpose = match self {
            Self::VerifyPhone => CodeFor::VerifyPhone,
            Self::SignIn => CodeFor::SignIn,
            Self::Recover => CodeFor::Recover,
        };
        Sms::Code { purpose, code }
    }

    /// What to do once a code for this purpose died.
    fn restart(self) -> Restart {
        match self {
            Self::SignIn => Restart::SignIn,
            Self::Recover => Restart::Recovery,
            Self::VerifyPhone => Restart::VerifyPhone,
        }
    }
}

/// Send a new code for `(account, purpose, subject)`, within the send limits
/// for the phone. A challenge that already exists keeps its failure count, so
/// asking again does not buy more guesses. The SMS is queued in `tx`.
pub async fn issue(
    sso: &Sso,
    tx: &mut WriteTx,
    account_id: &str,
    phone: &str,
    purpose: Purpose,
    subject: &str,
) -> Result<(), Error> {
    let now = sso.now_ms();
    // Take the account's row lock first, so concurrent requests for one
    // account count their sends one after the other and cannot both slip
    // under the limit (as the registry's codes do).
    tx.lock_row("sso_accounts", account_id).await?;
    if let Err(wait_ms) = within_budget(tx, phone, purpose, now).await? {
        return Err(budget_refusal(wait_ms));
    }
    let existing: Option<(String, i64)> = sqlx::query_as(
        "SELECT id, failures FROM sso_challenges WHERE account_id = $1 AND purpose = $2 AND subject = $3",
    )
    .bind(account_id)
    .bind(purpose.as_str())
    .bind(subject)
    .fetch_optional(&mut **tx)
    .await?;
    if let Some((_, failures)) = &existing
        && *failures >= rules::MAX_FAILURES
    {
        return Err(Error::Refused(dead_message(purpose)));
    }
    let code = six_digit_code();
    let expires = now + rules::TTL_MS;
    match existing {
        Some((id, _)) => {
            let mac = mac(sso.pepper(), Binding::Challenge(&id), &code);
            sqlx::query(
                "UPDATE sso_challenges SET code_hash = $1, created_at = $2, expires_at = $3, used_at = NULL \
                 WHERE id = $4",
            )
            .bind(mac)
            .bind(now)
            .bind(expires)
            .bind(&id)
            .execute(&mut **tx)
            .await?;
        }
        None => {
            let id = crypto::new_id();
            let mac = mac(sso.pepper(), Binding::Challenge(&id), &code);
            sqlx::query(
                "INSERT INTO sso_challenges (id, account_id, purpose, subject, code_hash, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&id)
            .bind(account_id)
            .bind(purpose.as_str())
            .bind(subject)
            .bind(mac)
            .bind(now)
            .bind(expires)
            .execute(&mut **tx)
            .await?;
        }
    }
    send(tx, (account_id, phone), purpose, &code, now).await
}

/// Queue the SMS with a code for `purpose` to the account's phone, in its
/// language, and count it against the phone's budget for that purpose, in
/// `tx`.
pub(crate) async fn send(
    tx: &mut WriteTx,
    (account_id, phone): (&str, &str),
    purpose: Purpose,
    code: &str,
    now: i64,
) -> Result<(), Error> {
    sqlx::query("INSERT INTO sso_sms_sends (phone, purpose, sent_at) VALUES ($1, $2, $3)")
        .bind(phone)
        .bind(purpose.as_str())
        .bind(now)
        .execute(&mut **tx)
        .await?;
    let tag = outbox::SmsTag::new(purpose.as_str(), None);
    let lang = super::lang_in(tx, account_id).await?;
    outbox::enqueue(tx, phone, &purpose.sms(code).render(lang), true, &tag, now).await?;
    Ok(())
}

/// Whether the phone's budget for `purpose` allows another code now; if
/// not, how long until it does. Each purpose has its own budget, so codes
/// asked for by someone else (a recovery anyone can start) never use up
/// the owner's sign-in codes, which are sent only for a right password.
pub(crate) async fn within_budget(
    tx: &mut WriteTx,
    phone: &str,
    purpose: Purpose,
    now: i64,
) -> Result<Result<(), i64>, Error> {
    Ok(rules::may_send(send_history(tx, phone, purpose, now).await?, now))
}

pub(crate) fn budget_refusal(wait_ms: i64) -> Error {
    let wait_secs = crate::limits::wait_secs(wait_ms);
    let message = say(texts::Refusal::TooManyCodesToThisPhone { wait_secs });
    Error::TooMany { kind: crate::error::TooMany::Codes, message, retry_after_secs: wait_secs }
}

async fn send_history(tx: &mut WriteTx, phone: &str, purpose: Purpose, now: i64) -> Result<SendHistory, Error> {
    let count = "SELECT COUNT(*), MIN(sent_at) FROM sso_sms_sends WHERE phone = $1 AND purpose = $2 AND sent_at > $3";
    let (in_day, oldest_day): (i64, Option<i64>) =
        sqlx::query_as(count).bind(phone).bind(purpose.as_str()).bind(now - DAY_MS).fetch_one(&mut **tx).await?;
    let (in_short, oldest_short): (i64, Option<i64>) = sqlx::query_as(count)
        .bind(phone)
        .bind(purpose.as_str())
        .bind(now - rules::SHORT_WINDOW_MS)
        .fetch_one(&mut **tx)
        .await?;
    Ok(SendHistory {
        in_short_window: in_short,
        in_day,
        oldest_in_short_window_ms: oldest_short,
        oldest_in_day_ms: oldest_day,
    })
}

pub(crate) fn dead_message(purpose: Purpose) -> String {
    say(texts::Refusal::CodeDead { restart: purpose.restart() })
}

/// A typed code that was not accepted.
#[derive(Debug)]
pub struct CodeRefused {
    /// What to tell the person (a field error on `code`).
    pub error: Error,
    /// Too many wrong tries: no code will be accepted for this challenge.
    pub dead: bool,
}

/// Try a typed code against the challenge. `Ok(Ok(()))` means the code was
/// right and is now used, in `tx`; the caller goes on with its change in the
/// same transaction. `Ok(Err(r))` means it was refused: the failure has been
/// counted in `tx`, which the caller must commit before returning `r.error`.
pub async fn consume(
    sso: &Sso,
    tx: &mut WriteTx,
    account_id: &str,
    purpose: Purpose,
    subject: &str,
    entry: &str,
) -> Result<Result<(), CodeRefused>, Error> {
    let refuse = |msg: String, failures: i64| {
        Ok(Err(CodeRefused { error: FieldErrors::single("code", msg), dead: failures >= rules::MAX_FAILURES }))
    };
    let now = sso.now_ms();
    // As in `issue`: one check at a time per account, so parallel guesses
    // each see the failures counted before them.
    tx.lock_row("sso_accounts", account_id).await?;
    let row: Option<(String, String, i64, i64, Option<i64>)> = sqlx::query_as(
        "SELECT id, code_hash, expires_at, failures, used_at FROM sso_challenges \
         WHERE account_id = $1 AND purpose = $2 AND subject = $3",
    )
    .bind(account_id)
    .bind(purpose.as_str())
    .bind(subject)
    .fetch_optional(&mut **tx)
    .await?;
    let entry = rules::parse_entry(entry);
    let Some((id, hash, expires_at, failures, used_at)) = row else {
        let msg = match entry {
            Ok(_) => say(texts::SignOnRefusal::NoCodeYet),
            Err(e) => e.message,
        };
        return refuse(msg, 0);
    };
    let entry = match entry {
        Ok(v) => v,
        Err(e) => return refuse(e.message, failures),
    };
    let matches = crypto::ct_eq(&mac(sso.pepper(), Binding::Challenge(&id), &entry), &hash);
    let challenge = rules::Challenge { expires_at_ms: expires_at, failures, used: used_at.is_some() };
    match rules::judge(challenge, matches, now) {
        Ok(()) => {
            // Conditional, so two requests with the same code use it once.
            let done = sqlx::query(
                "UPDATE sso_challenges SET used_at = $1 WHERE id = $2 AND used_at IS NULL AND failures < $3",
            )
            .bind(now)
            .bind(&id)
            .bind(rules::MAX_FAILURES)
            .execute(&mut **tx)
            .await?;
            if done.rows_affected() == 1 { Ok(Ok(())) } else { refuse(say(texts::Refusal::CodeAlreadyUsed), failures) }
        }
        Err(refusal) => {
            let counted = counts(refusal) && failures < rules::MAX_FAILURES;
            if counted {
                sqlx::query("UPDATE sso_challenges SET failures = failures + 1 WHERE id = $1")
                    .bind(&id)
                    .execute(&mut **tx)
                    .await?;
            }
            refuse(refusal_message(refusal, purpose), failures + i64::from(counted))
        }
    }
}

/// Whether a refusal counts as a wrong try.
pub(crate) fn counts(refusal: Refusal) -> bool {
    matches!(refusal, Refusal::Wrong { .. } | Refusal::Dead)
}

pub(crate) fn refusal_message(refusal: Refusal, purpose: Purpose) -> String {
    match refusal {
        Refusal::Wrong { remaining } => {
            say(texts::Refusal::CodeWrong { remaining: u32::try_from(remaining.max(0)).unwrap_or(u32::MAX) })
        }
        Refusal::Dead => dead_message(purpose),
        Refusal::Expired => say(texts::Refusal::CodeExpired),
        Refusal::AlreadyUsed => say(texts::Refusal::CodeAlreadyUsed),
    }
}
