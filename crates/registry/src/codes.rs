//! One-time SMS codes for actions on transfers (the seller's submission, a
//! consent, the buyer's answer), bound to the person and to one action on
//! one transfer. The rules are the sign-on's (`domain::policy::code`): six
//! digits, five minutes, single use, dead after five wrong tries, a new code
//! keeps the failure count, three sends per phone in fifteen minutes and
//! ten a day. It owns `reg_codes` and `reg_sms_sends`; it knows nothing of
//! transfers beyond the purpose string and the reference its SMS names,
//! nor of HTTP.

use db::WriteTx;
use domain::policy::code::{self as rules, Refusal as Judged, SendHistory};
use domain::policy::{DAY_MS, MINUTE_MS};
use secure::codes::six_digit_code;
use secure::ct_eq;
use texts::{CodeFor, Refusal, Restart, Sms, Text as _};

use crate::parties::{self, Party};
use crate::reference::code_mac;
use crate::{Error, FieldErrors, Registry, outbox};

/// Send a new code for `purpose` to the person's verified phone, queued in
/// `tx`; its SMS says what it is for and names the `reference` of what it
/// acts on; `tag` says what the SMS is for, for the development sink.
pub async fn issue(
    reg: &Registry,
    tx: &mut WriteTx,
    person: &Party,
    purpose: &str,
    (what, reference): (CodeFor, &str),
    tag: &outbox::SmsTag,
) -> Result<(), Error> {
    let now = reg.now_ms();
    let lang = parties::lang_of(person);
    let Some(phone) = person.phone.as_deref() else {
        return Err(Error::Conflict(Refusal::NoVerifiedPhone.render(lang)));
    };
    // Take the person's row lock first, so concurrent requests count their
    // sends one at a time.
    tx.lock_row("reg_parties", &person.id).await?;
    let history = send_history(tx, phone, now).await?;
    if let Err(wait_ms) = rules::may_send(history, now) {
        let minutes = u64::try_from((wait_ms + MINUTE_MS - 1) / MINUTE_MS).unwrap_or(1);
        return Err(Error::TooMany(Refusal::TooManyCodesToYourPhone { minutes }.render(lang)));
    }
    let code = six_digit_code();
    // A new code replaces the old one but keeps its failure count, and a
    // challenge that died of wrong tries is not revived: the upsert changes
    // nothing then.
    let issued = sqlx::query(
        "INSERT INTO reg_codes (person_id, purpose, code_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (person_id, purpose) DO UPDATE SET code_hash = excluded.code_hash, \
         created_at = excluded.created_at, expires_at = excluded.expires_at, used_at = NULL \
         WHERE reg_codes.failures < $6",
    )
    .bind(&person.id)
    .bind(purpose)
    .bind(code_mac(reg.pepper(), &person.id, purpose, &code))
    .bind(now)
    .bind(now + rules::TTL_MS)
    .bind(rules::MAX_FAILURES)
    .execute(&mut **tx)
    .await?;
    if issued.rows_affected() == 0 {
        return Err(Error::Conflict(DEAD.render(lang)));
    }
    sqlx::query("INSERT INTO reg_sms_sends (phone, sent_at) VALUES ($1, $2)")
        .bind(phone)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    let text = Sms::TransferCode { purpose: what, reference, code: &code }.render(lang);
    outbox::enqueue(tx, phone, &text, true, tag, now).await?;
    Ok(())
}

async fn send_history(tx: &mut WriteTx, phone: &str, now: i64) -> Result<SendHistory, Error> {
    // Both windows in one read: the day's sends, and those of the last 15 minutes.
    let (in_day, oldest_day, in_short, oldest_short): (i64, Option<i64>, Option<i64>, Option<i64>) = sqlx::query_as(
        "SELECT COUNT(*), MIN(sent_at), SUM(CASE WHEN sent_at > $3 THEN 1 ELSE 0 END), \
         MIN(CASE WHEN sent_at > $3 THEN sent_at END) FROM reg_sms_sends WHERE phone = $1 AND sent_at > $2",
    )
    .bind(phone)
    .bind(now - DAY_MS)
    .bind(now - rules::SHORT_WINDOW_MS)
    .fetch_one(&mut **tx)
    .await?;
    Ok(SendHistory {
        in_day,
        oldest_in_day_ms: oldest_day,
        in_short_window: in_short.unwrap_or(0),
        oldest_in_short_window_ms: oldest_short,
    })
}

/// A code that died of wrong tries: the step is to be started again.
const DEAD: Refusal = Refusal::CodeDead { restart: Restart::TransferStep };

/// Whether a code for `purpose` was ever sent to the person (used or not).
pub async fn sent(tx: &mut WriteTx, person_id: &str, purpose: &str) -> Result<bool, Error> {
    let found = sqlx::query("SELECT 1 FROM reg_codes WHERE person_id = $1 AND purpose = $2")
        .bind(person_id)
        .bind(purpose)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(found.is_some())
}

/// Try a typed code. `Ok(Ok(()))`: right, and now used, in `tx`; the caller
/// makes its change in the same transaction. `Ok(Err(e))`: refused; the
/// failure is counted in `tx`, which the caller must commit before
/// returning `e`, so that wrong tries count even though nothing else changes.
pub async fn consume(
    reg: &Registry,
    tx: &mut WriteTx,
    person_id: &str,
    purpose: &str,
    entry: &str,
) -> Result<Result<(), Error>, Error> {
    let now = reg.now_ms();
    // Take the person's row lock first, so parallel guesses are judged one
    // after the other and cannot all slip under the limit of wrong tries.
    tx.lock_row("reg_parties", person_id).await?;
    let row: Option<(String, i64, i64, Option<i64>)> = sqlx::query_as(
        "SELECT code_hash, expires_at, failures, used_at FROM reg_codes WHERE person_id = $1 AND purpose = $2",
    )
    .bind(person_id)
    .bind(purpose)
    .fetch_optional(&mut **tx)
    .await?;
    let entry = rules::parse_entry(entry);
    let lang = parties::lang_in(tx, person_id).await?;
    let refuse = |msg: String| Ok(Err(FieldErrors::single("code", msg)));
    let Some((hash, expires_at, failures, used_at)) = row else {
        return refuse(match entry {
            Ok(_) => Refusal::CodeNotSent.render(lang),
            Err(e) => e.message,
        });
    };
    let entry = match entry {
        Ok(v) => v,
        Err(e) => return refuse(e.message),
    };
    let matches = ct_eq(&code_mac(reg.pepper(), person_id, purpose, &entry), &hash);
    let challenge = rules::Challenge { expires_at_ms: expires_at, failures, used: used_at.is_some() };
    match rules::judge(challenge, matches, now) {
        Ok(()) => {
            let done = sqlx::query(
                "UPDATE reg_codes SET used_at = $1 WHERE person_id = $2 AND purpose = $3 AND used_at IS NULL \
                 AND failures < $4",
            )
            .bind(now)
            .bind(person_id)
            .bind(purpose)
            .bind(rules::MAX_FAILURES)
            .execute(&mut **tx)
            .await?;
            if done.rows_affected() == 1 { Ok(Ok(())) } else { refuse(Refusal::CodeUsedJustNow.render(lang)) }
        }
        Err(refusal) => {
            if matches!(refusal, Judged::Wrong { .. } | Judged::Dead) && failures < rules::MAX_FAILURES {
                sqlx::query("UPDATE reg_codes SET failures = failures + 1 WHERE person_id = $1 AND purpose = $2")
                    .bind(person_id)
                    .bind(purpose)
                    .execute(&mut **tx)
                    .await?;
            }
            refuse(
                match refusal {
                    Judged::Wrong { remaining } => {
                        Refusal::CodeWrong { remaining: u32::try_from(remaining).unwrap_or_default() }
                    }
                    Judged::Dead => DEAD,
                    Judged::Expired => Refusal::CodeExpired,
                    Judged::AlreadyUsed => Refusal::CodeAlreadyUsed,
                }
                .render(lang),
            )
        }
    }
}
