//! The journal: every change to the register (ownership, logbooks, the
//! steps of a transfer, staff actions; later financiers, caveats and locks)
//! as a typed [`Entry`], written by [`write`] in the transaction that makes
//! the change, so a change and its entry commit together or not at all.
//! Timelines read it back ([`transfer_steps`]).
//!
//! Each entry has one canonical encoding ([`encode`]), which a
//! tamper-evident history will hash: compact JSON of a versioned envelope
//! with its fields always present (null when empty) and always in this
//! order: `v`, `at`, `actor`, `for`, `kind`, then the kind's fields in the
//! order they are declared below. A field is never renamed, reordered or
//! dropped; a change of shape is a new `v`.
//!
//! It owns `reg_journal` and nothing else; it knows no use case, no HTTP and
//! no sign-in: callers say who acted as plain identifiers ([`Who`]).

use db::WriteTx;
use domain::transfer::{State, Step};
use domain::{Date, OwnerRole};
use serde::{Deserialize, Serialize};

use crate::Error;

/// The version of the encoding written now.
pub const VERSION: u32 = 1;

/// Who made a change: the person, the party they acted for (themselves or
/// an organisation), and the address the request came from (kept beside the
/// entry for the agency's eyes, not in it).
#[derive(Debug, Clone, Copy)]
pub struct Who<'a> {
    pub person: &'a str,
    pub acting_for: &'a str,
    pub address: Option<&'a str>,
}

/// A party holding a vehicle, as an ownership entry lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holding {
    pub party: String,
    pub role: OwnerRole,
}

/// A change to the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Entry {
    /// A line of a transfer's timeline: it was opened, moved, or something
    /// was done to it (`seq` is the transfer's version after the change).
    TransferStep { transfer: String, seq: i64, step: Step, from: Option<State>, to: State, detail: Option<String> },
    /// A vehicle's owners became `owners`: on registration, or when a
    /// transfer (`transfer`) handed it over.
    OwnersSet { vehicle: String, transfer: Option<String>, owners: Vec<Holding> },
    /// A new logbook was ordered for a vehicle after an approval.
    LogbookOrdered { transfer: String, vehicle: String, serial: String, office: String, ready_by: Date },
    /// A person was given a staff role.
    StaffGranted { person: String, role: domain::register::StaffRole, granted_by: String },
}

impl Entry {
    /// The kind's name, as stored beside the entry.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::TransferStep { .. } => "transfer_step",
            Self::OwnersSet { .. } => "owners_set",
            Self::LogbookOrdered { .. } => "logbook_ordered",
            Self::StaffGranted { .. } => "staff_granted",
        }
    }

    fn transfer(&self) -> Option<(&str, Option<i64>)> {
        match self {
            Self::TransferStep { transfer, seq, .. } => Some((transfer, Some(*seq))),
            Self::OwnersSet { transfer, .. } => transfer.as_deref().map(|t| (t, None)),
            Self::LogbookOrdered { transfer, .. } => Some((transfer, None)),
            Self::StaffGranted { .. } => None,
        }
    }

    fn vehicle(&self) -> Option<&str> {
        match self {
            Self::OwnersSet { vehicle, .. } | Self::LogbookOrdered { vehicle, .. } => Some(vehicle),
            Self::TransferStep { .. } | Self::StaffGranted { .. } => None,
        }
    }
}

/// An entry with when and by whom: what is encoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    pub v: u32,
    pub at: i64,
    pub actor: Option<String>,
    #[serde(rename = "for")]
    pub acting_for: Option<String>,
    #[serde(flatten)]
    pub entry: Entry,
}

/// The canonical encoding of an entry made at `at` by `who`.
pub fn encode(at: i64, who: Option<Who<'_>>, entry: &Entry) -> Result<String, Error> {
    let envelope = Envelope {
        v: VERSION,
        at,
        actor: who.map(|w| w.person.to_string()),
        acting_for: who.map(|w| w.acting_for.to_string()),
        entry: entry.clone(),
    };
    serde_json::to_string(&envelope).map_err(|e| Error::Internal(format!("journal entry: {e}")))
}

pub fn decode(text: &str) -> Result<Envelope, Error> {
    serde_json::from_str(text).map_err(|e| Error::Internal(format!("a journal entry is unreadable: {e}")))
}

/// Write `entry` in the transaction that makes the change. `vehicle` is the
/// vehicle the change concerns, when the entry does not name it itself.
pub async fn write(
    tx: &mut WriteTx,
    at: i64,
    who: Option<Who<'_>>,
    vehicle: Option<&str>,
    entry: &Entry,
) -> Result<(), Error> {
    let text = encode(at, who, entry)?;
    let (transfer, seq) = entry.transfer().map_or((None, None), |(t, s)| (Some(t), s));
    sqlx::query(
        "INSERT INTO reg_journal (at, kind, transfer_id, transfer_seq, vehicle_id, actor_id, acting_for, address, \
         entry) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(at)
    .bind(entry.kind())
    .bind(transfer)
    .bind(seq)
    .bind(entry.vehicle().or(vehicle))
    .bind(who.map(|w| w.person))
    .bind(who.map(|w| w.acting_for))
    .bind(who.and_then(|w| w.address))
    .bind(text)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A line of a transfer's timeline, as read back, with the names of who
/// acted and for whom.
#[derive(Debug, Clone)]
pub struct StepLine {
    pub seq: i64,
    pub at: i64,
    pub step: Step,
    pub from: Option<State>,
    pub to: State,
    pub actor: Option<String>,
    pub acting_for: Option<String>,
    pub address: Option<String>,
    pub detail: Option<String>,
}

/// A transfer's timeline, oldest first.
pub async fn transfer_steps(db: &db::Db, transfer_id: &str) -> Result<Vec<StepLine>, Error> {
    let rows = db
        .read(
            "SELECT j.entry, j.address, a.name AS actor_name, f.name AS for_name FROM reg_journal j \
             LEFT JOIN reg_parties a ON a.id = j.actor_id LEFT JOIN reg_parties f ON f.id = j.acting_for \
             WHERE j.transfer_id = $1 AND j.kind = 'transfer_step' ORDER BY j.transfer_seq",
            &[transfer_id.into()],
        )
        .await?;
    let mut lines = Vec::with_capacity(rows.len());
    for mut r in rows {
        let envelope = decode(&r.col::<String>("entry")?)?;
        let Entry::TransferStep { seq, step, from, to, detail, .. } = envelope.entry else {
            return Err(Error::Internal("a transfer_step row holds another kind of entry".into()));
        };
        lines.push(StepLine {
            seq,
            at: envelope.at,
            step,
            from,
            to,
            actor: r.col("actor_name")?,
            acting_for: r.col("for_name")?,
            address: r.col("address")?,
            detail,
        });
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step() -> Entry {
        Entry::TransferStep {
            transfer: "t1".into(),
            seq: 3,
            step: Step::OfficerReject,
            from: Some(State::InReview),
            to: State::Rejected,
            detail: Some("The chassis \"does not\" match".into()),
        }
    }

    /// The encoding is what a tamper-evident history hashes: it must never
    /// change for an entry already written.
    #[test]
    fn the_encoding_of_each_kind_is_fixed() {
        let who = Who { person: "p1", acting_for: "o1", address: Some("10.0.0.1") };
        assert_eq!(
            encode(1_700_000_000_000, Some(who), &step()).unwrap(),
            r#"{"v":1,"at":1700000000000,"actor":"p1","for":"o1","kind":"transfer_step","transfer":"t1","seq":3,"step":"officer_reject","from":"in_review","to":"rejected","detail":"The chassis \"does not\" match"}"#
        );
        let owners = Entry::OwnersSet {
            vehicle: "v1".into(),
            transfer: None,
            owners: vec![
                Holding { party: "p1".into(), role: OwnerRole::Owner },
                Holding { party: "b1".into(), role: OwnerRole::Financier },
            ],
        };
        assert_eq!(
            encode(5, None, &owners).unwrap(),
            r#"{"v":1,"at":5,"actor":null,"for":null,"kind":"owners_set","vehicle":"v1","transfer":null,"owners":[{"party":"p1","role":"owner"},{"party":"b1","role":"financier"}]}"#
        );
        let logbook = Entry::LogbookOrdered {
            transfer: "t1".into(),
            vehicle: "v1".into(),
            serial: "LB1".into(),
            office: "Mombasa".into(),
            ready_by: Date::new(2024, 6, 18).unwrap(),
        };
        assert_eq!(
            encode(5, None, &logbook).unwrap(),
            r#"{"v":1,"at":5,"actor":null,"for":null,"kind":"logbook_ordered","transfer":"t1","vehicle":"v1","serial":"LB1","office":"Mombasa","ready_by":"2024-06-18"}"#
        );
        let staff = Entry::StaffGranted {
            person: "p2".into(),
            role: domain::register::StaffRole::Officer,
            granted_by: "cli".into(),
        };
        assert_eq!(
            encode(5, None, &staff).unwrap(),
            r#"{"v":1,"at":5,"actor":null,"for":null,"kind":"staff_granted","person":"p2","role":"officer","granted_by":"cli"}"#
        );
    }

    #[test]
    fn an_entry_reads_back_as_written() {
        let text = encode(7, None, &step()).unwrap();
        let back = decode(&text).unwrap();
        assert_eq!((back.v, back.at, back.actor, back.entry), (1, 7, None, step()));
    }
}
