//! Failed sign-ins and the delays they bring (the rules are in
//! `domain::policy::lockout`): counted by the identity typed, or by a known
//! browser's own key, before the password is checked, and taken back when
//! it was right. Delays slow guessing down and never block the owner. It
//! knows keys and counts, not accounts' passwords or sessions.

use domain::AccountType;
use domain::policy::lockout;

use super::account::Account;
use crate::error::TooMany;
use crate::{Error, Sso};

/// Failed sign-ins are counted by the identity typed (kind and number), not
/// by account, so an unknown ID number meets the same delays as a real one.
pub(super) fn failure_key(kind: AccountType, id_number: &str) -> String {
    format!("{}:{id_number}", kind.as_str())
}

/// The refusal for a closed gate.
pub(super) fn gate_refusal(gate: lockout::Gate) -> Option<Error> {
    match gate {
        lockout::Gate::Open => None,
        lockout::Gate::Wait(ms) => {
            let wait_secs = crate::limits::wait_secs(ms);
            let message = crate::error::say(texts::SignOnRefusal::TooManyFailedSignIns { wait_secs });
            Some(Error::TooMany { kind: TooMany::FailedSignIns, message, retry_after_secs: wait_secs })
        }
    }
}

/// A count of failures as stored: how many, and when the last one was.
pub(super) type Seen = Option<(i64, i64)>;

pub(super) async fn failures_of(sso: &Sso, key: &str) -> Result<Seen, Error> {
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
pub(super) async fn reserve_attempt(sso: &Sso, key: &str, seen: Seen, now: i64) -> Result<i64, Error> {
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
        return Err(Error::Refused(crate::error::say(texts::SignOnRefusal::SignInUnderWay)));
    }
    Ok(failures)
}

/// Take back a counted failure on its own.
pub(super) async fn forgive(sso: &Sso, key: &str, seen: Seen, failures: i64, now: i64) {
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
pub(super) async fn forgive_attempt(
    tx: &mut db::WriteTx,
    key: &str,
    seen: Seen,
    failures: i64,
    now: i64,
) -> Result<(), Error> {
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
pub(super) async fn clear_failures(tx: &mut db::WriteTx, account: &Account) -> Result<(), Error> {
    sqlx::query("DELETE FROM sso_signin_failures WHERE key = $1")
        .bind(failure_key(account.account_type, &account.id_number))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Count one failed sign-in for an identity (a code entered wrongly until
/// it died).
pub(super) async fn count_failure(sso: &Sso, kind: AccountType, id_number: &str) -> Result<(), Error> {
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
