//! The journal keeps the timelines written before it: migration 0014 copies
//! each old timeline row into the journal in the journal's own canonical
//! encoding, on both databases, and the timeline reads them back.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Backend, TestApp};
use domain::transfer::{State, Step};
use registry::journal::{self, Entry, Who};

/// The statement of migration 0014 that copies the old timelines.
fn copy_statement(backend: Backend) -> String {
    let text = match backend {
        Backend::Sqlite => include_str!("../../db/migrations/sqlite/0014_journal.sql"),
        Backend::Postgres => include_str!("../../db/migrations/postgres/0014_journal.sql"),
    };
    let from = text.find("INSERT INTO reg_journal").unwrap();
    let to = text.find("DROP TABLE reg_transfer_events").unwrap();
    text[from..to].to_string()
}

async fn exec(app: &TestApp, sql: &str) {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string())).execute(app.registry.db().pool()).await.unwrap();
}

async fn old_timelines_are_copied_into_the_journal_in_its_encoding(app: TestApp) {
    // A transfer and its timeline as the registry wrote them before 0014.
    exec(
        &app,
        "CREATE TABLE reg_transfer_events (id TEXT PRIMARY KEY, transfer_id TEXT NOT NULL, seq BIGINT NOT NULL, \
         at BIGINT NOT NULL, action TEXT NOT NULL, from_state TEXT, to_state TEXT NOT NULL, actor_id TEXT, \
         acting_for TEXT, address TEXT, detail TEXT)",
    )
    .await;
    exec(
        &app,
        "INSERT INTO reg_transfers (id, reference, vehicle_id, state, seller_id, created_by, buyer_id, buyer_type, \
         fee_cents, fee_schedule, fee_rule, created_at, updated_at, expires_at, version) \
         SELECT 'old-t', 'TR-OLD00-00000', v.id, 'rejected', p.id, p.id, p.id, 'individual', 100, 'KE-2018', 'x', \
         1, 3, 10, 2 FROM reg_vehicles v, reg_parties p WHERE v.reg_no = 'KDA 001A' AND p.doc_number = '12345678'",
    )
    .await;
    exec(
        &app,
        "INSERT INTO reg_transfer_events (id, transfer_id, seq, at, action, from_state, to_state, actor_id, \
         acting_for, address, detail) SELECT 'e0', 'old-t', 0, 1, 'created', 'draft', 'draft', p.id, p.id, \
         '10.0.0.1', NULL FROM reg_parties p WHERE p.doc_number = '12345678'",
    )
    .await;
    exec(
        &app,
        "INSERT INTO reg_transfer_events (id, transfer_id, seq, at, action, from_state, to_state, actor_id, \
         acting_for, address, detail) VALUES ('e2', 'old-t', 2, 3, 'officer_reject', 'in_review', 'rejected', \
         NULL, NULL, NULL, 'The chassis \"KDA\" does not match \\ at all')",
    )
    .await;

    exec(&app, &copy_statement(app.backend)).await;

    let lines = journal::transfer_steps(app.registry.db(), "old-t").await.unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!((lines[0].seq, lines[0].at, lines[0].step), (0, 1, Step::Created));
    assert_eq!(lines[0].address.as_deref(), Some("10.0.0.1"));
    assert!(lines[0].actor.is_some(), "the actor's name is read back");
    assert_eq!(
        (lines[1].step, lines[1].from, lines[1].to),
        (Step::OfficerReject, Some(State::InReview), State::Rejected)
    );
    assert_eq!(lines[1].detail.as_deref(), Some("The chassis \"KDA\" does not match \\ at all"));

    // The copied entries are exactly what the journal writes itself.
    let person: String = sqlx::query_scalar("SELECT id FROM reg_parties WHERE doc_number = '12345678'")
        .fetch_one(app.registry.db().pool())
        .await
        .unwrap();
    let stored: Vec<String> = sqlx::query_scalar(
        "SELECT entry FROM reg_journal WHERE transfer_id = 'old-t' AND kind = 'transfer_step' ORDER BY transfer_seq",
    )
    .fetch_all(app.registry.db().pool())
    .await
    .unwrap();
    let created = Entry::TransferStep {
        transfer: "old-t".into(),
        seq: 0,
        step: Step::Created,
        from: Some(State::Draft),
        to: State::Draft,
        detail: None,
    };
    let who = Who { person: &person, acting_for: &person, address: None };
    assert_eq!(stored[0], journal::encode(1, Some(who), &created).unwrap());
    let rejected = Entry::TransferStep {
        transfer: "old-t".into(),
        seq: 2,
        step: Step::OfficerReject,
        from: Some(State::InReview),
        to: State::Rejected,
        detail: Some("The chassis \"KDA\" does not match \\ at all".into()),
    };
    assert_eq!(stored[1], journal::encode(3, None, &rejected).unwrap());
}
on_both!(old_timelines_are_copied_into_the_journal_in_its_encoding);
