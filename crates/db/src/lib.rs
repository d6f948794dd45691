//! One connection layer for SQLite and PostgreSQL.
//!
//! `db` owns how tims reaches its database: the backend is chosen by the URL
//! scheme, SQLite gets its durability pragmas, migrations for each backend are
//! embedded in the binary and run at start, and both backends are reached
//! through one pool type so the parts above write one portable SQL code path
//! (`$1` placeholders, `RETURNING`, `ON CONFLICT`, integer milliseconds for
//! time). Every backend difference lives here and nowhere else. It also holds
//! the clock, so that everything with time in it can be driven by tests.
//! It knows nothing of accounts, vehicles or HTTP.

pub mod clock;
mod conflict;
mod durable;
pub mod read;

pub use clock::{Clock, ManualClock, SystemClock};
pub use conflict::{OnUnique, UniqueViolation, is_unique_violation};
pub use read::{DecodeError, FromRecord, FromValue, Param, Record, Value};
pub use sqlx::{Any, AnyPool, Row, Transaction, any::AnyRow};

use sqlx::any::AnyPoolOptions;
use sqlx::migrate::Migrator;
use sqlx::{Executor, pool::PoolConnection};
use std::path::Path;
use std::time::Duration;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// The database engine behind a URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("unsupported database URL scheme {0:?}: use sqlite://PATH or postgres://USER@HOST/DB")]
    UnknownScheme(String),
    #[error("cannot create the data directory {path}: {source}")]
    DataDir { path: String, source: std::io::Error },
    #[error("database: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database read: {0}")]
    LocalRead(#[from] rusqlite::Error),
    #[error("database read: {0}")]
    Decode(#[from] DecodeError),
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Self, Error> {
        let scheme = url.split(':').next().unwrap_or_default();
        match scheme {
            "sqlite" => Ok(Self::Sqlite),
            "postgres" | "postgresql" => Ok(Self::Postgres),
            other => Err(Error::UnknownScheme(other.to_string())),
        }
    }
}

/// The URL of the default embedded database inside a data directory.
pub fn sqlite_url_in(data_dir: &Path) -> String {
    format!("sqlite://{}/tims.db?mode=rwc", data_dir.display())
}

/// A pool on either backend.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    /// On a SQLite file, the one connection writes go through.
    writer: Option<AnyPool>,
    backend: Backend,
    /// SQLite takes one writer at a time; writers queue here, in order,
    /// instead of in SQLite's busy handler, which sleeps (1 ms, 2 ms, 5 ms
    /// ... 100 ms) and leaves the lock idle after its holder commits.
    write_gate: Option<std::sync::Arc<tokio::sync::Mutex<()>>>,
    /// On a SQLite file, reads outside transactions run on the caller's
    /// thread (see [`read`]).
    reader: Option<std::sync::Arc<read::LocalReader>>,
    /// On a SQLite file, commits wait for the disk after the next writer is
    /// let in, and share the wait (see [`durable`]).
    group_sync: Option<std::sync::Arc<durable::GroupSync>>,
}

/// A write transaction: the transaction, and on SQLite the writers' gate,
/// held until it commits or is dropped. It derefs to the connection, so
/// `&mut *tx` executes statements in it.
pub struct WriteTx {
    tx: Transaction<'static, Any>,
    _gate: Option<tokio::sync::OwnedMutexGuard<()>>,
    group_sync: Option<std::sync::Arc<durable::GroupSync>>,
}

impl std::fmt::Debug for WriteTx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WriteTx")
    }
}

impl std::ops::Deref for WriteTx {
    type Target = sqlx::AnyConnection;

    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

impl WriteTx {
    /// Commit; returns once the transaction is on disk. On a SQLite file the
    /// next writer goes ahead while this one waits for the disk.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        let WriteTx { tx, _gate, group_sync } = self;
        let Some(sync) = group_sync else { return tx.commit().await };
        // Once COMMIT is sent it happens even if this request is dropped, so
        // the commit and its ticket (which readers count, see `read`) run
        // as a task of their own that finishes either way.
        let ticket = tokio::spawn({
            let sync = sync.clone();
            async move {
                tx.commit().await?;
                let ticket = sync.ticket();
                drop(_gate);
                Ok::<_, sqlx::Error>(ticket)
            }
        })
        .await
        .map_err(|e| sqlx::Error::Io(std::io::Error::other(e.to_string())))??;
        sync.durable(ticket).await.map_err(sqlx::Error::Io)
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        self.tx.rollback().await
    }

    /// Lock the row of `table` whose `id` is given until this transaction
    /// ends, so transactions that read it and then write go one at a time.
    /// On SQLite a write transaction already holds the database's one write
    /// lock, so there is nothing more to take and no statement is sent.
    /// `table` is the program's own text, never input.
    pub async fn lock_row(&mut self, table: &'static str, id: &str) -> Result<(), sqlx::Error> {
        self.lock_rows(table, "id", id, "id").await
    }

    /// Lock every row of `table` whose `column` equals `value` until this
    /// transaction ends (the rows that exist now; a statement after this
    /// one also sees rows another transaction added before it let go), in
    /// the order of the table's unique `key`, so that two transactions
    /// locking overlapping sets cannot deadlock. Nothing to do on SQLite,
    /// as for [`WriteTx::lock_row`]. The names are the program's own text,
    /// never input.
    pub async fn lock_rows(
        &mut self,
        table: &'static str,
        column: &'static str,
        value: &str,
        key: &'static str,
    ) -> Result<(), sqlx::Error> {
        if self._gate.is_some() {
            return Ok(());
        }
        let sql = format!("SELECT 1 FROM {table} WHERE {column} = $1 ORDER BY {key} FOR UPDATE");
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(value).execute(&mut *self.tx).await?;
        Ok(())
    }
}

/// The pool size that suits a backend on one node. SQLite runs one writer at
/// a time and every extra connection keeps a page cache that each commit
/// invalidates, and writers that find the lock taken back off by sleeping:
/// measured here, 4 connections gave about 40% more complete transfers per
/// second than 16, and as many reads. PostgreSQL serves many at once.
pub fn default_pool_size(backend: Backend) -> u32 {
    match backend {
        Backend::Sqlite => 4,
        Backend::Postgres => 16,
    }
}

/// Pool sizing and waiting, with defaults that suit one node.
#[derive(Debug, Clone)]
pub struct PoolSettings {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self { max_connections: 16, acquire_timeout: Duration::from_secs(10) }
    }
}

impl Db {
    /// Connect to the database at `url`. For SQLite the file (and its
    /// directory) is created if missing.
    pub async fn connect(url: &str, settings: &PoolSettings) -> Result<Self, Error> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        if backend == Backend::Sqlite
            && let Some(dir) = sqlite_file(url).and_then(|p| Path::new(p).parent())
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir)
                .map_err(|source| Error::DataDir { path: dir.display().to_string(), source })?;
        }
        let pool = pool_options(backend, settings.max_connections, settings.acquire_timeout, None).connect(url).await?;
        let write_gate = (backend == Backend::Sqlite).then(|| std::sync::Arc::new(tokio::sync::Mutex::new(())));
        // On a SQLite file every write goes through one connection of its
        // own. SQLite empties a connection's page cache whenever another
        // connection has committed since its last read, so writers taking
        // turns on pooled connections each start cold and read the B-trees
        // back from the OS page by page while holding the write lock. One
        // writer is all SQLite allows anyway, and its cache stays warm.
        // Reads run on the caller's thread (`read`), and commits share their
        // flush to disk (`durable`), both counting the writer's commits.
        let (mut writer, mut reader, mut group_sync) = (None, None, None);
        if let (Backend::Sqlite, Some(path)) = (backend, sqlite_file(url)) {
            let commits = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
            writer =
                Some(pool_options(backend, 1, settings.acquire_timeout, Some(WRITER_CACHE_KIB)).connect(url).await?);
            reader = Some(std::sync::Arc::new(read::LocalReader::new(path.into(), commits.clone())));
            group_sync = Some(std::sync::Arc::new(durable::GroupSync::new(path, commits)));
        }
        Ok(Self { pool, writer, backend, write_gate, reader, group_sync })
    }

    /// Run the embedded migrations for this backend.
    pub async fn migrate(&self) -> Result<(), Error> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.pool).await?;
        Ok(())
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Refuse once a flush to disk has failed (see [`durable`]).
    fn check_durable(&self) -> Result<(), Error> {
        match &self.group_sync {
            Some(sync) => sync.check().map_err(|e| Error::Sqlx(sqlx::Error::Io(e))),
            None => Ok(()),
        }
    }

    /// Commits made through this process's writer so far, on a SQLite file
    /// (0 on other backends): each one costs a share of a flush to disk.
    pub fn commits(&self) -> u64 {
        self.group_sync.as_ref().map_or(0, |s| s.committed())
    }

    /// Whether the database answers and can still make commits durable.
    pub async fn ping(&self) -> Result<(), Error> {
        self.check_durable()?;
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// On SQLite, copy the write-ahead log back into the database file in
    /// the background, once a second, until `stop` fires. Left to itself,
    /// SQLite does this inside whichever commit crosses the log's size limit,
    /// and that request waits for it; the limit is set high (10,000 pages)
    /// so this task does the work and the limit only guards against a stall.
    pub fn spawn_checkpointer(
        &self,
        mut stop: tokio::sync::watch::Receiver<bool>,
    ) -> Option<tokio::task::JoinHandle<()>> {
        if self.backend != Backend::Sqlite {
            return None;
        }
        let pool = self.pool.clone();
        Some(tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    _ = stop.changed() => return,
                }
                if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await {
                    tracing::warn!(error = %e, "background WAL checkpoint failed");
                }
            }
        }))
    }

    /// Begin a transaction that will write. On SQLite the writer first takes
    /// its turn at the gate (before holding a pooled connection), then the
    /// write lock at once (`BEGIN IMMEDIATE`), so a transaction never has to
    /// upgrade a read lock and fail.
    pub async fn begin_write(&self) -> Result<WriteTx, Error> {
        self.check_durable()?;
        let gate = match &self.write_gate {
            Some(g) => Some(g.clone().lock_owned().await),
            None => None,
        };
        let tx = match self.backend {
            Backend::Sqlite => self.writer.as_ref().unwrap_or(&self.pool).begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(WriteTx { tx, _gate: gate, group_sync: self.group_sync.clone() })
    }

    /// Read rows outside a transaction: on a SQLite file on this thread, on
    /// PostgreSQL through the pool. For short reads by key. `sql` is the
    /// program's own text, never built from input; values go in `params`.
    pub async fn read(&self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Record>, Error> {
        if let Some(reader) = &self.reader {
            return Ok(reader.read(sql, params)?);
        }
        let rows =
            read::bind_all(sqlx::query(sqlx::AssertSqlSafe(sql.to_owned())), params).fetch_all(&self.pool).await?;
        let Some(first) = rows.first() else { return Ok(vec![]) };
        let names = read::names_of(first);
        Ok(rows.iter().map(|r| read::record_from_any_named(r, names.clone())).collect::<Result<_, _>>()?)
    }

    /// The first row of [`Db::read`] as a tuple, if there is one.
    pub async fn read_optional<T: FromRecord>(&self, sql: &str, params: &[Param<'_>]) -> Result<Option<T>, Error> {
        match self.read(sql, params).await?.into_iter().next() {
            Some(r) => Ok(Some(T::from_record(r)?)),
            None => Ok(None),
        }
    }

    /// Every row of [`Db::read`] as a tuple.
    pub async fn read_all<T: FromRecord>(&self, sql: &str, params: &[Param<'_>]) -> Result<Vec<T>, Error> {
        self.read(sql, params).await?.into_iter().map(|r| Ok(T::from_record(r)?)).collect()
    }

    /// Run one write statement as its own transaction, through the writers'
    /// gate like every other write (see [`Db::begin_write`]).
    pub async fn execute_write(
        &self,
        q: sqlx::query::Query<'_, Any, sqlx::any::AnyArguments>,
    ) -> Result<sqlx::any::AnyQueryResult, Error> {
        let mut tx = self.begin_write().await?;
        let r = q.execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(r)
    }

    /// [`Db::execute_write`] for a statement that returns a row
    /// (`... RETURNING`).
    pub async fn fetch_optional_write<O>(
        &self,
        q: sqlx::query::QueryAs<'_, Any, O, sqlx::any::AnyArguments>,
    ) -> Result<Option<O>, Error>
    where
        O: Send + Unpin + for<'r> sqlx::FromRow<'r, AnyRow>,
    {
        let mut tx = self.begin_write().await?;
        let r = q.fetch_optional(&mut *tx).await?;
        tx.commit().await?;
        Ok(r)
    }

    pub async fn acquire(&self) -> Result<PoolConnection<Any>, Error> {
        Ok(self.pool.acquire().await?)
    }

    pub async fn close(&self) {
        if let Some(w) = &self.writer {
            w.close().await;
        }
        self.pool.close().await;
    }
}

/// The page cache of SQLite's one writing connection: the upper levels of
/// every index it writes stay in memory. Its commits write the log without
/// waiting for the disk (`synchronous = NORMAL`): `WriteTx::commit` waits,
/// after letting the next writer in (see [`durable`]).
const WRITER_CACHE_KIB: u32 = 16 * 1024;

fn pool_options(
    backend: Backend,
    max_connections: u32,
    acquire_timeout: Duration,
    writer_cache_kib: Option<u32>,
) -> AnyPoolOptions {
    AnyPoolOptions::new().max_connections(max_connections).acquire_timeout(acquire_timeout).after_connect(
        move |conn, _meta| {
            Box::pin(async move {
                match backend {
                    Backend::Sqlite => {
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                             PRAGMA wal_autocheckpoint = 10000;",
                        )
                        .await?;
                        if let Some(kib) = writer_cache_kib {
                            conn.execute(sqlx::AssertSqlSafe(format!(
                                "PRAGMA cache_size = -{kib}; PRAGMA synchronous = NORMAL"
                            )))
                            .await?;
                        }
                    }
                    Backend::Postgres => {
                        conn.execute("SET synchronous_commit = on").await?;
                    }
                }
                Ok(())
            })
        },
    )
}

fn sqlite_file(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && path != ":memory:").then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backends_are_chosen_by_scheme_and_unknown_ones_refused() {
        assert_eq!(Backend::from_url("sqlite://data/tims.db").unwrap(), Backend::Sqlite);
        assert_eq!(Backend::from_url("postgres://u@h/db").unwrap(), Backend::Postgres);
        assert_eq!(Backend::from_url("postgresql://u@h/db").unwrap(), Backend::Postgres);
        let err = Backend::from_url("mysql://h/db").unwrap_err().to_string();
        assert!(err.contains("\"mysql\""), "{err}");
    }

    #[test]
    fn the_sqlite_file_path_is_read_from_the_url() {
        assert_eq!(sqlite_file("sqlite://./data/tims.db?mode=rwc"), Some("./data/tims.db"));
        assert_eq!(sqlite_file("sqlite::memory:"), None);
    }
}
