//! Looking up a buyer by ID number or KRA PIN, which shows the seller the
//! name the registers give: the pages' check and the API's opening of a
//! transfer both come here. Each lookup is written down (`reg_buyer_lookups`,
//! its one writer) for the agency's staff, and each person has a budget of
//! identifiers (`domain::policy::lookup`), so that no one signed in can
//! harvest names by typing numbers. An identifier looked up again within
//! the day costs nothing more: its name was shown already.

use db::WriteTx;
use domain::DocType;
use domain::policy::DAY_MS;
use domain::policy::lookup::{Spent, may_look_up};
use secure::new_id;
use texts::{Text as _, TransferRefusal};

use super::lang;
use crate::parties::{self, Party};
use crate::signin::Actor;
use crate::{Error, FieldErrors, Registry};

/// What became of one lookup, as its audit line keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Found,
    NotFound,
    /// The budget was spent: nothing was looked up.
    Refused,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Self::Found => "found",
            Self::NotFound => "not_found",
            Self::Refused => "refused",
        }
    }
}

/// The party with this document, if the actor's budget allows the lookup;
/// the lookup's audit line is written either way. A spent budget is refused
/// on `buyer_id_number`, saying when to try again.
pub(super) async fn buyer(
    reg: &Registry,
    actor: &Actor,
    doc_type: DocType,
    number: &str,
) -> Result<Option<Party>, Error> {
    let now = reg.now_ms();
    let mut tx = reg.db().begin_write().await?;
    // One person's lookups one at a time, so two at once cannot both take
    // the budget's last place.
    tx.lock_row("reg_parties", &actor.person.id).await?;
    let seen = last_seen(&mut tx, &actor.person.id, now).await?;
    let again = seen.iter().any(|(t, n, _)| t == doc_type.as_str() && n == number);
    let times: Vec<i64> = seen.iter().map(|(_, _, at)| *at).collect();
    if let (false, Err((spent, free_at))) = (again, may_look_up(&times, now)) {
        write(&mut tx, actor, (doc_type, number), Outcome::Refused, now).await?;
        tx.commit().await?;
        let refusal = TransferRefusal::BuyerLookupsSpent { in_last_hour: spent == Spent::Hour, again_at_ms: free_at };
        return Err(FieldErrors::single("buyer_id_number", refusal.render(lang(actor))));
    }
    let party = parties::by_document(&mut tx, doc_type.as_str(), number).await?;
    let outcome = if party.is_some() { Outcome::Found } else { Outcome::NotFound };
    write(&mut tx, actor, (doc_type, number), outcome, now).await?;
    tx.commit().await?;
    Ok(party)
}

/// Each identifier the person looked up (and was not refused) in the last
/// day, with when they last did.
async fn last_seen(tx: &mut WriteTx, person_id: &str, now: i64) -> Result<Vec<(String, String, i64)>, Error> {
    let rows = sqlx::query_as(
        "SELECT doc_type, doc_number, MAX(at) FROM reg_buyer_lookups \
         WHERE person_id = $1 AND at > $2 AND outcome <> $3 GROUP BY doc_type, doc_number",
    )
    .bind(person_id)
    .bind(now - DAY_MS)
    .bind(Outcome::Refused.as_str())
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows)
}

async fn write(
    tx: &mut WriteTx,
    actor: &Actor,
    (doc_type, number): (DocType, &str),
    outcome: Outcome,
    now: i64,
) -> Result<(), Error> {
    sqlx::query(
        "INSERT INTO reg_buyer_lookups (id, person_id, acting_for, doc_type, doc_number, outcome, address, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new_id())
    .bind(&actor.person.id)
    .bind(actor.principal_id())
    .bind(doc_type.as_str())
    .bind(number)
    .bind(outcome.as_str())
    .bind(actor.address.as_deref())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
