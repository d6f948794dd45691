//! Periodic jobs: each part lists its jobs in one place, by name, each with
//! its interval and the async function that does it, and one [`Scheduler`]
//! runs them. The part gives the table the jobs are kept in (one row a
//! job, of the shape of `reg_jobs`), so that several nodes on one database
//! run each job once per interval: a node takes a job that is due and that
//! no other node holds in one conditional update (the lease), so a job is
//! never run twice at once, and a lease left by a node that stopped mid-run
//! runs out. Times come from the part's injected clock; the scheduler looks
//! at its jobs once per shortest interval of real time.
//!
//! It knows nothing of what the jobs do, nor of either part's tables
//! beyond the name it is given.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use db::{Clock, Db};

/// What a job may fail with.
pub type JobError = Box<dyn std::error::Error + Send + Sync>;
/// A job's run: how many things it did (for the log), or why it failed.
pub type JobFuture = Pin<Box<dyn Future<Output = Result<u64, JobError>> + Send>>;

/// What the scheduler needs of a part: its database and its clock.
pub trait Part: Clone + Send + Sync + 'static {
    fn db(&self) -> &Db;
    fn clock(&self) -> &dyn Clock;
}

/// A named periodic job.
pub struct Job<P> {
    /// Its name, the key of its row: stable across releases.
    pub name: &'static str,
    /// How often it runs, across all nodes.
    pub every: Duration,
    /// What it does.
    pub run: fn(P) -> JobFuture,
}

impl<P> std::fmt::Debug for Job<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job").field("name", &self.name).field("every", &self.every).finish_non_exhaustive()
    }
}

/// How long a run may hold its job before another node may take it over,
/// unless [`Scheduler::with_lease`] says otherwise: far beyond the longest
/// a job's pass takes.
const LEASE: Duration = Duration::from_secs(10 * 60);

/// Runs a part's jobs (see the module's comment).
#[derive(Debug)]
pub struct Scheduler<P> {
    /// The table, the program's own text, never input.
    table: &'static str,
    jobs: Vec<Job<P>>,
    lease_ms: i64,
}

/// A job's row, as a pass reads it: name, next_at, lease_until.
type Row = (String, i64, Option<i64>);

impl<P: Part> Scheduler<P> {
    /// A scheduler for `jobs`, kept in `table`.
    pub fn new(table: &'static str, jobs: Vec<Job<P>>) -> Self {
        Self { table, jobs, lease_ms: ms(LEASE) }
    }

    /// How long a run holds its job before another node may take it over.
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease_ms = ms(lease);
        self
    }

    /// The jobs, as listed.
    pub fn jobs(&self) -> &[Job<P>] {
        &self.jobs
    }

    /// Run every job that is due and free, once, one after the other.
    /// Returns the names of those this node ran. A pass with nothing due
    /// commits nothing.
    pub async fn run_due(&self, part: &P) -> Result<Vec<&'static str>, db::Error> {
        let rows = self.rows(part.db()).await?;
        let mut ran = vec![];
        for job in &self.jobs {
            let now = part.clock().now_ms();
            let due = match rows.iter().find(|r| r.0 == job.name) {
                Some((_, next_at, lease)) => *next_at <= now && lease.is_none_or(|l| l <= now),
                None => true,
            };
            if !due {
                continue;
            }
            let Some(token) = self.take(part, job, now).await? else { continue };
            // A task of its own, so that a job that panics is a failed run
            // (its lease let go of) and not the end of the scheduler.
            let outcome = match tokio::spawn((job.run)(part.clone())).await {
                Ok(outcome) => outcome,
                Err(e) => Err(format!("the job stopped: {e}").into()),
            };
            self.finish(part, job, &token, outcome).await?;
            ran.push(job.name);
        }
        Ok(ran)
    }

    /// Run the jobs until `shutdown`: a pass at once, then one per
    /// shortest interval.
    pub async fn run(self, part: P, mut shutdown: tokio::sync::watch::Receiver<bool>) {
        let tick = self.jobs.iter().map(|j| j.every).min().unwrap_or(Duration::from_secs(60));
        loop {
            if let Err(e) = self.run_due(&part).await {
                tracing::warn!(table = self.table, error = %e, "a pass over the periodic jobs failed");
            }
            tokio::select! {
                _ = tokio::time::sleep(tick) => {}
                _ = shutdown.changed() => return,
            }
        }
    }

    /// The jobs' rows, adding those not there yet (one commit, the first
    /// time only).
    async fn rows(&self, db: &Db) -> Result<Vec<Row>, db::Error> {
        let table = self.table;
        let select = format!("SELECT name, next_at, lease_until FROM {table}");
        let rows: Vec<Row> = db.read_all(&select, &[]).await?;
        let missing: Vec<_> = self.jobs.iter().filter(|j| !rows.iter().any(|r| r.0 == j.name)).collect();
        if missing.is_empty() {
            return Ok(rows);
        }
        let mut tx = db.begin_write().await?;
        for job in missing {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO {table} (name, next_at) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING"
            )))
            .bind(job.name)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(rows)
    }

    /// Take `job` for this node if it is due and free: its next run is set
    /// one interval on, and it is held for the lease. Returns the lease's
    /// mark, or `None` when another node has it or ran it.
    async fn take(&self, part: &P, job: &Job<P>, now: i64) -> Result<Option<String>, db::Error> {
        let token = crate::outbox::lease_token();
        let taken = part
            .db()
            .execute_write(
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "UPDATE {} SET next_at = $1, lease_until = $2, lease_token = $3, runs = runs + 1, \
                     last_started_at = $4 \
                     WHERE name = $5 AND next_at <= $4 AND (lease_until IS NULL OR lease_until <= $4)",
                    self.table
                )))
                .bind(now.saturating_add(ms(job.every)))
                .bind(now.saturating_add(self.lease_ms))
                .bind(&token)
                .bind(now)
                .bind(job.name),
            )
            .await?;
        Ok((taken.rows_affected() == 1).then_some(token))
    }

    /// Let go of `job` after a run, noting how it went, unless its lease
    /// ran out and another node took it meanwhile.
    async fn finish(
        &self,
        part: &P,
        job: &Job<P>,
        token: &str,
        outcome: Result<u64, JobError>,
    ) -> Result<(), db::Error> {
        let error = match outcome {
            Ok(n) => {
                metrics::counter!("tims_job_runs_total", "job" => job.name).increment(1);
                if n > 0 {
                    tracing::info!(job = job.name, done = n, "periodic job ran");
                }
                None
            }
            Err(e) => {
                metrics::counter!("tims_job_runs_total", "job" => job.name).increment(1);
                metrics::counter!("tims_job_failures_total", "job" => job.name).increment(1);
                tracing::warn!(job = job.name, error = %e, "periodic job failed");
                Some(e.to_string())
            }
        };
        part.db()
            .execute_write(
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "UPDATE {} SET lease_until = NULL, lease_token = NULL, last_finished_at = $1, last_error = $2, \
                     failures = failures + $3 WHERE name = $4 AND lease_token = $5",
                    self.table
                )))
                .bind(part.clock().now_ms())
                .bind(error.as_deref())
                .bind(i64::from(error.is_some()))
                .bind(job.name)
                .bind(token),
            )
            .await?;
        Ok(())
    }
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    use db::ManualClock;

    use super::*;

    #[derive(Clone, Debug)]
    struct Node {
        db: Db,
        clock: ManualClock,
        runs: Arc<AtomicU64>,
    }

    impl Part for Node {
        fn db(&self) -> &Db {
            &self.db
        }

        fn clock(&self) -> &dyn Clock {
            &self.clock
        }
    }

    fn count(node: Node) -> JobFuture {
        Box::pin(async move { Ok(node.runs.fetch_add(1, Ordering::SeqCst) + 1) })
    }

    fn fail(_: Node) -> JobFuture {
        Box::pin(async { Err("the gateway is down".into()) })
    }

    fn panic(_: Node) -> JobFuture {
        Box::pin(async { panic!("a bug") })
    }

    const MINUTE: Duration = Duration::from_secs(60);

    /// A table of the jobs' shape, of its own, in a scratch SQLite database
    /// or in the test PostgreSQL database when one is given.
    async fn scratch(postgres: bool) -> Option<(Db, &'static str)> {
        let mark = crate::outbox::lease_token();
        let url = if postgres {
            std::env::var("TIMS_TEST_POSTGRES_URL").ok()?
        } else {
            let dir = std::env::temp_dir().join(format!("tims-jobs-{}-{mark}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            format!("sqlite://{}/t.db?mode=rwc", dir.display())
        };
        let db = Db::connect(&url, &db::PoolSettings::default()).await.unwrap();
        let table: &'static str = Box::leak(format!("test_jobs_{}", &mark[..12]).into_boxed_str());
        let ddl = format!(
            "CREATE TABLE {table} (name TEXT PRIMARY KEY, next_at BIGINT NOT NULL, lease_until BIGINT, \
             lease_token TEXT, runs BIGINT NOT NULL DEFAULT 0, failures BIGINT NOT NULL DEFAULT 0, \
             last_started_at BIGINT, last_finished_at BIGINT, last_error TEXT)"
        );
        db.execute_write(sqlx::query(sqlx::AssertSqlSafe(ddl))).await.unwrap();
        Some((db, table))
    }

    async fn drop_table(db: &Db, table: &str) {
        db.execute_write(sqlx::query(sqlx::AssertSqlSafe(format!("DROP TABLE {table}")))).await.unwrap();
        db.close().await;
    }

    async fn a_due_job_runs_once_across_two_nodes_and_keeps_its_interval(postgres: bool) {
        let Some((db, table)) = scratch(postgres).await else { return };
        let clock = ManualClock::new(1_000_000);
        let runs = Arc::new(AtomicU64::new(0));
        let a = Node { db: db.clone(), clock: clock.clone(), runs: runs.clone() };
        let b = a.clone();
        let jobs = || vec![Job { name: "count", every: MINUTE, run: count }];
        let (on_a, on_b) = (Scheduler::new(table, jobs()), Scheduler::new(table, jobs()));
        // Both nodes look at once: the job runs on one of them.
        let (ran_a, ran_b) = tokio::join!(on_a.run_due(&a), on_b.run_due(&b));
        assert_eq!(ran_a.unwrap().len() + ran_b.unwrap().len(), 1);
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        // Not again within the interval, on either node.
        clock.advance_ms(59_000);
        assert!(on_a.run_due(&a).await.unwrap().is_empty());
        assert!(on_b.run_due(&b).await.unwrap().is_empty());
        // Once the interval is over, once more.
        clock.advance_ms(1_000);
        let ran = on_b.run_due(&b).await.unwrap().len() + on_a.run_due(&a).await.unwrap().len();
        assert_eq!(ran, 1);
        assert_eq!(runs.load(Ordering::SeqCst), 2);
        let (n, failures): (i64, i64) =
            db.read_optional(&format!("SELECT runs, failures FROM {table}"), &[]).await.unwrap().unwrap();
        assert_eq!((n, failures), (2, 0));
        drop_table(&db, table).await;
    }

    async fn a_lease_left_by_a_stopped_node_runs_out(postgres: bool) {
        let Some((db, table)) = scratch(postgres).await else { return };
        let clock = ManualClock::new(1_000_000);
        let node = Node { db: db.clone(), clock: clock.clone(), runs: Arc::new(AtomicU64::new(0)) };
        let lease = Duration::from_secs(5 * 60);
        let jobs = || vec![Job { name: "count", every: MINUTE, run: count }];
        let crashed = Scheduler::new(table, jobs()).with_lease(lease);
        let other = Scheduler::new(table, jobs()).with_lease(lease);
        // A node takes the job and stops before it finishes.
        crashed.rows(&db).await.unwrap();
        assert!(crashed.take(&node, &crashed.jobs()[0], clock.now_ms()).await.unwrap().is_some());
        // Due again by its interval, but held: nobody runs it...
        clock.advance_ms(2 * 60_000);
        assert!(other.run_due(&node).await.unwrap().is_empty());
        // ...until the lease runs out.
        clock.advance_ms(3 * 60_000);
        assert_eq!(other.run_due(&node).await.unwrap(), ["count"]);
        assert_eq!(node.runs.load(Ordering::SeqCst), 1);
        drop_table(&db, table).await;
    }

    async fn a_failed_or_panicking_run_is_counted_and_tried_at_the_next_interval(postgres: bool) {
        let Some((db, table)) = scratch(postgres).await else { return };
        let clock = ManualClock::new(1_000_000);
        let node = Node { db: db.clone(), clock: clock.clone(), runs: Arc::new(AtomicU64::new(0)) };
        let jobs = Scheduler::new(table, vec![Job { name: "fail", every: MINUTE, run: fail }]);
        assert_eq!(jobs.run_due(&node).await.unwrap(), ["fail"]);
        assert!(jobs.run_due(&node).await.unwrap().is_empty(), "not again at once");
        let before = db.commits();
        assert!(jobs.run_due(&node).await.unwrap().is_empty());
        assert_eq!(db.commits(), before, "a pass with nothing due commits nothing");
        clock.advance_ms(60_000);
        assert_eq!(jobs.run_due(&node).await.unwrap(), ["fail"]);
        let (failures, error): (i64, Option<String>) =
            db.read_optional(&format!("SELECT failures, last_error FROM {table}"), &[]).await.unwrap().unwrap();
        assert_eq!((failures, error.as_deref()), (2, Some("the gateway is down")));
        // A job that panics is a failed run; the others still run.
        let jobs = Scheduler::new(
            table,
            vec![Job { name: "panic", every: MINUTE, run: panic }, Job { name: "count", every: MINUTE, run: count }],
        );
        assert_eq!(jobs.run_due(&node).await.unwrap(), ["panic", "count"]);
        let (failures, lease): (i64, Option<i64>) = db
            .read_optional(&format!("SELECT failures, lease_until FROM {table} WHERE name = 'panic'"), &[])
            .await
            .unwrap()
            .unwrap();
        assert_eq!((failures, lease), (1, None), "its lease is let go of");
        drop_table(&db, table).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_due_job_runs_once_across_two_nodes_and_keeps_its_interval_on_sqlite() {
        a_due_job_runs_once_across_two_nodes_and_keeps_its_interval(false).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_due_job_runs_once_across_two_nodes_and_keeps_its_interval_on_postgres() {
        a_due_job_runs_once_across_two_nodes_and_keeps_its_interval(true).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_lease_left_by_a_stopped_node_runs_out_on_sqlite() {
        a_lease_left_by_a_stopped_node_runs_out(false).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_lease_left_by_a_stopped_node_runs_out_on_postgres() {
        a_lease_left_by_a_stopped_node_runs_out(true).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_or_panicking_run_is_counted_and_tried_at_the_next_interval_on_sqlite() {
        a_failed_or_panicking_run_is_counted_and_tried_at_the_next_interval(false).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_or_panicking_run_is_counted_and_tried_at_the_next_interval_on_postgres() {
        a_failed_or_panicking_run_is_counted_and_tried_at_the_next_interval(true).await;
    }
}
