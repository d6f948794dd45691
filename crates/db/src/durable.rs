//! Group commit for SQLite's one writer.
//!
//! A SQLite commit in WAL mode with `synchronous = FULL` writes its pages to
//! the log and then waits for the disk (`fsync`) while it still holds the
//! write lock, so writers queue behind each other's disk waits. Instead the
//! writer commits with `synchronous = NORMAL` (the log is written, not yet
//! flushed), takes a ticket, lets the next writer in, and then waits here
//! until the log has been flushed past its ticket. One flush covers every
//! commit made before it began, so commits that arrive together share it.
//!
//! What a caller is told is unchanged: `commit` returns only once the
//! transaction is on disk. What changes is that another connection may read
//! a commit during the fraction of a millisecond before its flush ends: a
//! power failure in that moment can take back what a reader was shown (a
//! crash of the process alone cannot: the log is written). The outboxes
//! send nothing they read that way: the registry's worker commits its own
//! lease through the writer before sending, and that commit's flush covers
//! every message it leased; the sign-on's leases flush the whole log.
//!
//! A flush that fails is final. The commits it was to cover have already
//! been seen by readers, and after a failed `fsync` a later one that
//! succeeds does not prove the earlier pages reached the disk; so from then
//! on every commit and every new write transaction is refused, and readiness
//! fails, until tims is restarted and SQLite recovers from what is on disk.

use std::io;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

#[derive(Debug, Default)]
struct State {
    /// Tickets handed out: commits that have written the log.
    committed: u64,
    /// Every ticket up to this one is on disk.
    synced: u64,
    /// A flush is under way.
    syncing: bool,
    /// Why a flush failed, once one has (see the module's documentation).
    failed: Option<String>,
}

/// See the module's documentation.
#[derive(Debug)]
pub(crate) struct GroupSync {
    /// Commits made so far, for the readers (see [`crate::read`]).
    commits: Arc<std::sync::atomic::AtomicU64>,
    db: PathBuf,
    wal: PathBuf,
    state: Mutex<State>,
    done: tokio::sync::Notify,
}

impl GroupSync {
    /// For the database file at `db_path` (its log is `<db_path>-wal`).
    pub(crate) fn new(db_path: &str, commits: Arc<std::sync::atomic::AtomicU64>) -> Self {
        Self {
            commits,
            db: PathBuf::from(db_path),
            wal: PathBuf::from(format!("{db_path}-wal")),
            state: Mutex::default(),
            done: tokio::sync::Notify::new(),
        }
    }

    /// Refuse to go on once a flush has failed.
    pub(crate) fn check(&self) -> io::Result<()> {
        match &self.state().failed {
            None => Ok(()),
            Some(why) => Err(failure(why)),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A ticket for a commit that has just written the log. Taken while the
    /// writer still holds the write lock, so tickets follow the log's order.
    pub(crate) fn ticket(&self) -> u64 {
        let mut s = self.state();
        s.committed += 1;
        self.commits.store(s.committed, std::sync::atomic::Ordering::Release);
        s.committed
    }

    /// Tickets handed out so far.
    pub(crate) fn committed(&self) -> u64 {
        self.state().committed
    }

    /// Wait until the log is on disk up to `ticket`. The first waiter to find
    /// no flush under way starts one for every ticket handed out so far; the
    /// flush runs as a task of its own, so a waiter that gives up (its
    /// request was dropped) never leaves the others waiting.
    pub(crate) async fn durable(self: &Arc<Self>, ticket: u64) -> io::Result<()> {
        loop {
            let notified = self.done.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let mut s = self.state();
                if let Some(why) = &s.failed {
                    return Err(failure(why));
                }
                if s.synced >= ticket {
                    return Ok(());
                }
                if !s.syncing {
                    s.syncing = true;
                    let target = s.committed;
                    let this = self.clone();
                    tokio::spawn(async move { this.flush(target).await });
                }
            }
            notified.await;
        }
    }

    async fn flush(self: Arc<Self>, target: u64) {
        let (db, wal) = (self.db.clone(), self.wal.clone());
        let flushed = tokio::task::spawn_blocking(move || match std::fs::File::open(&wal) {
            Ok(f) => f.sync_data(),
            // No log: the last connection closed and SQLite checkpointed it
            // into the database file. Flush that file; if it is missing too,
            // the path is wrong and nothing would ever be flushed: fail.
            Err(e) if e.kind() == io::ErrorKind::NotFound => std::fs::File::open(&db)?.sync_data(),
            Err(e) => Err(e),
        })
        .await
        .unwrap_or_else(|e| Err(io::Error::other(e.to_string())));
        {
            let mut s = self.state();
            s.syncing = false;
            match flushed {
                Ok(()) => s.synced = s.synced.max(target),
                Err(e) => {
                    tracing::error!(
                        error = %e,
                        "flushing the database log to disk failed: writes are refused until tims is restarted"
                    );
                    s.failed = Some(e.to_string());
                }
            }
        }
        self.done.notify_waiters();
    }
}

fn failure(why: &str) -> io::Error {
    io::Error::other(format!(
        "the database log could not be flushed to disk ({why}); writes are refused until tims is restarted"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_ticket_becomes_durable_and_flushes_are_shared() {
        let dir = std::env::temp_dir().join(format!("tims-durable-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("t.db");
        std::fs::write(&db, b"db").unwrap();
        std::fs::write(format!("{}-wal", db.display()), b"log").unwrap();
        let sync = Arc::new(GroupSync::new(&db.display().to_string(), Arc::default()));
        let mut waiters = vec![];
        for _ in 0..200 {
            let t = sync.ticket();
            let s = sync.clone();
            waiters.push(tokio::spawn(async move { s.durable(t).await }));
        }
        for w in waiters {
            w.await.unwrap().unwrap();
        }
        let s = sync.state();
        assert_eq!(s.synced, 200);
        assert!(!s.syncing);
        drop(s);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_waiter_that_gives_up_does_not_strand_the_others() {
        // A database whose log is gone (checkpointed on close): the file
        // itself is flushed.
        let db = std::env::temp_dir().join(format!("tims-durable-nolog-{}.db", std::process::id()));
        std::fs::write(&db, b"db").unwrap();
        let sync = Arc::new(GroupSync::new(&db.display().to_string(), Arc::default()));
        let first = sync.ticket();
        let s = sync.clone();
        let gave_up = tokio::spawn(async move { s.durable(first).await });
        gave_up.abort();
        let second = sync.ticket();
        tokio::time::timeout(std::time::Duration::from_secs(5), sync.durable(second))
            .await
            .expect("the second waiter was stranded")
            .unwrap();
        assert!(sync.state().synced >= second);
        std::fs::remove_file(&db).unwrap();
    }

    #[tokio::test]
    async fn a_failed_flush_is_final() {
        // Neither the log nor the database file can be opened: a wrong path
        // must not pass for a flushed log.
        let sync = Arc::new(GroupSync::new("/nonexistent-dir-for-tims-test/t.db", Arc::default()));
        assert!(sync.check().is_ok());
        let t = sync.ticket();
        let err = sync.durable(t).await.unwrap_err();
        assert!(err.to_string().contains("could not be flushed"), "{err}");
        // Every later commit, and every new write, is refused too.
        let later = sync.ticket();
        assert!(sync.durable(later).await.is_err());
        assert!(sync.check().is_err());
    }
}
