//! `Db::read` answers the same on every path: SQLite on the caller's thread,
//! SQLite through the pool (in memory) and PostgreSQL through the pool.
#![allow(clippy::unwrap_used)]

use db::{Db, Param, PoolSettings, Value};

async fn exercise(db: &Db) {
    let mut tx = db.begin_write().await.unwrap();
    sqlx::query("CREATE TABLE read_check (a TEXT NOT NULL, b BIGINT NOT NULL, c TEXT, d BIGINT)")
        .execute(&mut *tx)
        .await
        .unwrap();
    for (a, b, c) in [("one", 1_i64, Some("x")), ("two", 2, None), ("three", 3, Some("z"))] {
        sqlx::query("INSERT INTO read_check (a, b, c, d) VALUES ($1, $2, $3, NULL)")
            .bind(a)
            .bind(b)
            .bind(c)
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();

    // Parameters are bound by number, whatever order the text names them in.
    let row: Option<(String, i64, Option<String>, Option<i64>)> = db
        .read_optional("SELECT a, b, c, d FROM read_check WHERE b = $2 AND a = $1", &["one".into(), 1_i64.into()])
        .await
        .unwrap();
    assert_eq!(row, Some(("one".to_string(), 1, Some("x".to_string()), None)));

    // A parameter used twice, a NULL parameter, and an EXISTS read as a bool.
    let rows = db
        .read(
            "SELECT a, EXISTS (SELECT 1 FROM read_check r WHERE r.c = $2), $1 IS NULL FROM read_check \
             WHERE b >= $3 AND ($1 IS NULL OR a = $1) ORDER BY b",
            &[Param::Text(None), "z".into(), 2_i64.into()],
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].get::<String>(0).unwrap(), "two");
    assert!(rows[0].get::<bool>(1).unwrap());
    assert!(rows[1].get::<bool>(2).unwrap());

    // No row is not an error.
    let none: Option<(String,)> =
        db.read_optional("SELECT a FROM read_check WHERE a = $1", &["four".into()]).await.unwrap();
    assert_eq!(none, None);

    // A column read as the wrong type says which column and what it held.
    let err = db.read_optional::<(i64,)>("SELECT a FROM read_check WHERE b = $1", &[1_i64.into()]).await.unwrap_err();
    assert_eq!(err.to_string(), "database read: column 0: expected an integer, found text");
    let mut r = db.read("SELECT c FROM read_check WHERE b = $1", &[2_i64.into()]).await.unwrap().remove(0);
    assert_eq!(r.get::<Option<String>>(0).unwrap(), None);
    assert_eq!(r.take::<Option<String>>(0).unwrap(), None);

    // Columns read by the names the query gives them, whatever their place;
    // a name it does not give is an error, not a NULL.
    let mut r = db.read("SELECT b AS number, a FROM read_check WHERE b = $1", &[1_i64.into()]).await.unwrap().remove(0);
    assert_eq!(r.col::<String>("a").unwrap(), "one");
    assert_eq!(r.col::<i64>("number").unwrap(), 1);
    assert!(r.col::<Option<String>>("c").is_err());

    // A read after a commit sees it, on this thread and on others.
    for n in 0..3_i64 {
        let mut tx = db.begin_write().await.unwrap();
        sqlx::query("UPDATE read_check SET b = b + 10 WHERE a = 'three'").execute(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
        let b: (i64,) =
            db.read_optional("SELECT b FROM read_check WHERE a = $1", &["three".into()]).await.unwrap().unwrap();
        assert_eq!(b.0, 13 + 10 * n);
        let other = db.clone();
        let seen = tokio::spawn(async move {
            other.read_optional::<(i64,)>("SELECT b FROM read_check WHERE a = 'three'", &[]).await.unwrap().unwrap().0
        })
        .await
        .unwrap();
        assert_eq!(seen, 13 + 10 * n);
    }

    // Values keep their kinds.
    let r = db.read("SELECT a, b, d FROM read_check WHERE b = $1", &[1_i64.into()]).await.unwrap().remove(0);
    assert_eq!(r.len(), 3);
    assert_eq!(r.get::<String>(0).unwrap(), "one");
    assert_eq!(r.get::<i64>(1).unwrap(), 1);
    assert_eq!(r.get::<Option<i64>>(2).unwrap(), None);
    assert_eq!(r.get::<Option<String>>(2).map_err(|e| e.to_string()), Ok(None::<String>));
    let _: Value = Value::Null;
}

fn temp_dir() -> std::path::PathBuf {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    std::env::temp_dir().join(format!("tims-db-read-{}-{nanos}", std::process::id()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_on_a_sqlite_file_run_on_the_callers_thread_and_see_commits() {
    let dir = temp_dir();
    let db = Db::connect(&db::sqlite_url_in(&dir), &PoolSettings::default()).await.unwrap();
    exercise(&db).await;
    db.close().await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_on_an_in_memory_sqlite_database_go_through_the_pool() {
    let settings = PoolSettings { max_connections: 1, ..PoolSettings::default() };
    let db = Db::connect("sqlite::memory:", &settings).await.unwrap();
    exercise(&db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_on_postgres_go_through_the_pool() {
    use sqlx::Connection as _;
    let admin =
        std::env::var("TIMS_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let mut conn = match sqlx::PgConnection::connect(&admin).await {
        Ok(c) => c,
        Err(e) => {
            assert!(
                std::env::var("CI").is_ok_and(|v| v != "true") || std::env::var("CI").is_err(),
                "PostgreSQL is required under CI but {admin} did not answer: {e}"
            );
            eprintln!("SKIPPED on PostgreSQL: no PostgreSQL answers at {admin} ({e})");
            return;
        }
    };
    let name = format!("tims_read_{}", std::process::id());
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name}"))).execute(&mut conn).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await.unwrap();
    let (base, _) = admin.rsplit_once('/').unwrap();
    let db = Db::connect(&format!("{base}/{name}"), &PoolSettings::default()).await.unwrap();
    exercise(&db).await;
    db.close().await;
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE {name} WITH (FORCE)"))).execute(&mut conn).await.unwrap();
}

/// A write transaction dropped without commit leaves nothing behind and does
/// not keep the write lock: the next writer, and a write outside the gate,
/// go ahead at once.
async fn dropped_writes(db: &Db) {
    let mut tx = db.begin_write().await.unwrap();
    sqlx::query("CREATE TABLE drop_check (v BIGINT NOT NULL)").execute(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();
    {
        let mut tx = db.begin_write().await.unwrap();
        sqlx::query("INSERT INTO drop_check (v) VALUES (1)").execute(&mut *tx).await.unwrap();
    }
    let started = std::time::Instant::now();
    sqlx::query("INSERT INTO drop_check (v) VALUES (2)").execute(db.pool()).await.unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(2), "the dropped transaction kept the lock");
    let mut tx = db.begin_write().await.unwrap();
    sqlx::query("INSERT INTO drop_check (v) VALUES (3)").execute(&mut *tx).await.unwrap();
    tx.rollback().await.unwrap();
    db.execute_write(sqlx::query("INSERT INTO drop_check (v) VALUES (4)")).await.unwrap();
    let rows: Vec<(i64,)> = db.read_all("SELECT v FROM drop_check ORDER BY v", &[]).await.unwrap();
    assert_eq!(rows, vec![(2,), (4,)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_write_transaction_is_undone_and_frees_the_lock() {
    let dir = temp_dir();
    let db = Db::connect(&db::sqlite_url_in(&dir), &PoolSettings::default()).await.unwrap();
    dropped_writes(&db).await;
    db.close().await;
    let _ = std::fs::remove_dir_all(dir);
    let settings = PoolSettings { max_connections: 1, ..PoolSettings::default() };
    let mem = Db::connect("sqlite::memory:", &settings).await.unwrap();
    dropped_writes(&mem).await;
}

/// A server thread keeps its read snapshot from one read to the next only
/// while nothing is committed through this process's writer and for at most
/// `SNAPSHOT_MAX`; giving it back lets the log be copied into the database.
#[tokio::test(flavor = "current_thread")]
async fn a_kept_snapshot_gives_way_to_commits_to_time_and_to_idleness() {
    db::read::keep_snapshots_on_this_thread();
    let dir = temp_dir();
    let url = db::sqlite_url_in(&dir);
    let db = Db::connect(&url, &PoolSettings::default()).await.unwrap();
    // Another process's commits, as this one sees them: another writer.
    let other = Db::connect(&url, &PoolSettings::default()).await.unwrap();
    let set = |db: &Db, n: i64| {
        let db = db.clone();
        async move {
            let mut tx = db.begin_write().await.unwrap();
            sqlx::query("UPDATE snap SET n = $1").bind(n).execute(&mut *tx).await.unwrap();
            tx.commit().await.unwrap();
        }
    };
    let n = |db: &Db| {
        let db = db.clone();
        async move { db.read_optional::<(i64,)>("SELECT n FROM snap", &[]).await.unwrap().unwrap().0 }
    };
    let mut tx = db.begin_write().await.unwrap();
    sqlx::query("CREATE TABLE snap (n BIGINT NOT NULL)").execute(&mut *tx).await.unwrap();
    sqlx::query("INSERT INTO snap (n) VALUES (1)").execute(&mut *tx).await.unwrap();
    tx.commit().await.unwrap();

    let started = std::time::Instant::now();
    assert_eq!(n(&db).await, 1);
    set(&other, 2).await;
    let seen = n(&db).await;
    // (On a machine too slow to get here within the bound, the snapshot has
    // rightly been renewed; the checkpoint below shows a kept one anyway.)
    if started.elapsed() < db::read::SNAPSHOT_MAX {
        assert_eq!(seen, 1, "within the bound, the snapshot is kept");
    }
    // Given back (as an idle worker does), the next read sees the commit.
    db::read::release_thread_snapshots();
    assert_eq!(n(&db).await, 2);
    // A commit through this process's writer is seen at once.
    set(&db, 3).await;
    assert_eq!(n(&db).await, 3);
    // Another process's commit, while this thread still holds a snapshot
    // from before it: the checkpoint cannot copy that commit yet.
    set(&other, 4).await;
    let checkpoint = || async {
        let (busy, log, copied): (i64, i64, i64) =
            sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)").fetch_one(db.pool()).await.unwrap();
        (busy, log, copied)
    };
    let (_, log, copied) = checkpoint().await;
    assert!(copied < log, "a held snapshot keeps the newest frames in the log: {copied} of {log}");
    // It is seen once the bound has passed.
    tokio::time::sleep(db::read::SNAPSHOT_MAX).await;
    assert_eq!(n(&db).await, 4);
    // With every snapshot given back, the whole log can be copied into the
    // database file.
    db::read::release_thread_snapshots();
    let (busy, log, copied) = checkpoint().await;
    assert_eq!((busy, log), (0, copied), "log frames {log}, copied {copied}");
    other.close().await;
    db.close().await;
    let _ = std::fs::remove_dir_all(dir);
}
