//! Reads outside a transaction, on either backend, answered as owned
//! [`Record`]s.
//!
//! sqlx runs each SQLite connection on a thread of its own and hands every
//! statement to it and the rows back, two thread wake-ups per statement;
//! under load that hand-off cost about as much CPU as the read itself. A
//! point read on SQLite takes microseconds, so here it runs on the calling
//! thread instead, on a read-only connection that thread keeps (WAL lets
//! readers run beside the writer without waiting). On PostgreSQL, and for an
//! in-memory SQLite database, the same call goes through the pool.
//!
//! Use it for short reads by key; long scans belong on the pool, where they
//! do not hold up other requests on the thread.
//!
//! Starting and ending a read transaction (a lock in the log's shared
//! memory, taken and given back with a system call) cost about a tenth of
//! an inquiry. So a server worker thread (one that has called
//! [`keep_snapshots_on_this_thread`]) keeps its read transaction, and the
//! snapshot it sees, from one read to the next while nothing has been
//! committed through this process's writer since it began (see
//! [`Db::begin_write`]), for at most [`SNAPSHOT_MAX`]; and it gives it back
//! as soon as it has nothing else to do (the server's runtime calls
//! [`release_thread_snapshots`] when a worker goes idle), so that an idle
//! thread never holds the log back from being copied into the database.
//! Other threads end their read transaction after each read. A read therefore sees every commit
//! made through the writer before it, at once; a commit made another way
//! (another process, such as an operator's command) within
//! [`SNAPSHOT_MAX`].
//!
//! [`Db::begin_write`]: crate::Db::begin_write

use std::cell::RefCell;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sqlx::{Row as _, any::AnyRow};

/// A parameter bound to `$1`, `$2`, ... A NULL keeps its type, so that
/// PostgreSQL can compare it with the column it meets.
#[derive(Debug, Clone, Copy)]
pub enum Param<'a> {
    Text(Option<&'a str>),
    Int(Option<i64>),
}

impl<'a> From<&'a str> for Param<'a> {
    fn from(v: &'a str) -> Self {
        Param::Text(Some(v))
    }
}

impl<'a> From<&'a String> for Param<'a> {
    fn from(v: &'a String) -> Self {
        Param::Text(Some(v))
    }
}

impl<'a> From<Option<&'a str>> for Param<'a> {
    fn from(v: Option<&'a str>) -> Self {
        Param::Text(v)
    }
}

impl From<i64> for Param<'_> {
    fn from(v: i64) -> Self {
        Param::Int(Some(v))
    }
}

impl From<Option<i64>> for Param<'_> {
    fn from(v: Option<i64>) -> Self {
        Param::Int(v)
    }
}

/// One column's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// A value read from a column that does not fit the type asked for.
#[derive(Debug, thiserror::Error)]
#[error("column {index}: expected {expected}, found {found}")]
pub struct DecodeError {
    pub index: usize,
    pub expected: &'static str,
    pub found: &'static str,
}

impl Value {
    fn kind(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::Int(_) => "an integer",
            Value::Real(_) => "a real",
            Value::Text(_) => "text",
            Value::Blob(_) => "a blob",
        }
    }
}

/// A Rust type a column can be read as.
pub trait FromValue: Sized {
    const EXPECTED: &'static str;
    fn from_value(v: Value) -> Result<Self, Value>;
}

impl FromValue for String {
    const EXPECTED: &'static str = "text";
    fn from_value(v: Value) -> Result<Self, Value> {
        match v {
            Value::Text(s) => Ok(s),
            other => Err(other),
        }
    }
}

impl FromValue for i64 {
    const EXPECTED: &'static str = "an integer";
    fn from_value(v: Value) -> Result<Self, Value> {
        match v {
            Value::Int(i) => Ok(i),
            other => Err(other),
        }
    }
}

impl FromValue for bool {
    const EXPECTED: &'static str = "a boolean";
    fn from_value(v: Value) -> Result<Self, Value> {
        match v {
            Value::Int(i) => Ok(i != 0),
            other => Err(other),
        }
    }
}

impl FromValue for f64 {
    const EXPECTED: &'static str = "a real";
    fn from_value(v: Value) -> Result<Self, Value> {
        match v {
            Value::Real(r) => Ok(r),
            #[allow(clippy::cast_precision_loss)]
            Value::Int(i) => Ok(i as f64),
            other => Err(other),
        }
    }
}

impl FromValue for Vec<u8> {
    const EXPECTED: &'static str = "a blob";
    fn from_value(v: Value) -> Result<Self, Value> {
        match v {
            Value::Blob(b) => Ok(b),
            other => Err(other),
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    const EXPECTED: &'static str = T::EXPECTED;
    fn from_value(v: Value) -> Result<Self, Value> {
        match v {
            Value::Null => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
}

/// One row, its columns in the order the query names them, and their names
/// (shared by the rows of one read), so a caller may read them by name.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    values: Vec<Value>,
    names: Arc<[String]>,
}

impl Record {
    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Column `index` as `T`, leaving the record as it was.
    pub fn get<T: FromValue>(&self, index: usize) -> Result<T, DecodeError> {
        let v = self.values.get(index).cloned().unwrap_or(Value::Null);
        decode(index, v)
    }

    /// Column `index` as `T`, moved out of the record (it reads as NULL after).
    pub fn take<T: FromValue>(&mut self, index: usize) -> Result<T, DecodeError> {
        let v = self.values.get_mut(index).map_or(Value::Null, |v| std::mem::replace(v, Value::Null));
        decode(index, v)
    }

    /// The column the query names (or aliases) `name`, as `T`, moved out of
    /// the record. A name the query does not have is an error, never NULL.
    pub fn col<T: FromValue>(&mut self, name: &str) -> Result<T, DecodeError> {
        match self.names.iter().position(|n| n == name) {
            Some(index) => self.take(index),
            None => Err(DecodeError { index: self.values.len(), expected: T::EXPECTED, found: "no such column" }),
        }
    }
}

fn decode<T: FromValue>(index: usize, v: Value) -> Result<T, DecodeError> {
    T::from_value(v).map_err(|found| DecodeError { index, expected: T::EXPECTED, found: found.kind() })
}

/// A row read as a tuple, column by column.
pub trait FromRecord: Sized {
    fn from_record(r: Record) -> Result<Self, DecodeError>;
}

macro_rules! tuple_from_record {
    ($($t:ident $i:tt),+) => {
        impl<$($t: FromValue),+> FromRecord for ($($t,)+) {
            fn from_record(mut r: Record) -> Result<Self, DecodeError> {
                Ok(($(r.take::<$t>($i)?,)+))
            }
        }
    };
}

tuple_from_record!(A 0);
tuple_from_record!(A 0, B 1);
tuple_from_record!(A 0, B 1, C 2);
tuple_from_record!(A 0, B 1, C 2, D 3);
tuple_from_record!(A 0, B 1, C 2, D 3, E 4);
tuple_from_record!(A 0, B 1, C 2, D 3, E 4, F 5);
tuple_from_record!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple_from_record!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
tuple_from_record!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);
tuple_from_record!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9);
tuple_from_record!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10);
tuple_from_record!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11);

/// The SQLite file a [`crate::Db`] reads on the calling thread, with a
/// number of its own so each thread's connection is found again.
#[derive(Debug)]
pub(crate) struct LocalReader {
    id: u64,
    path: PathBuf,
    /// Commits made through this process's writer so far.
    commits: Arc<AtomicU64>,
}

static NEXT_READER: AtomicU64 = AtomicU64::new(1);

/// A thread keeps at most this many read connections (one per database it
/// has read lately; a process normally has one).
const CONNECTIONS_PER_THREAD: usize = 4;

/// The longest a thread reads from one snapshot (see the module's
/// documentation): how late a commit made by another process may be seen.
pub const SNAPSHOT_MAX: Duration = Duration::from_millis(100);

/// A thread's read connection to one database, and the snapshot it holds.
struct Open {
    reader: u64,
    conn: rusqlite::Connection,
    /// The writer's commit count when the snapshot began, and when.
    snapshot: Option<(u64, Instant)>,
}

impl Open {
    /// End the read transaction, if one is open. A read transaction has
    /// nothing to undo; ending it only gives its snapshot back. Returns
    /// false if the connection is still inside a transaction afterwards
    /// (then it should be closed).
    fn end_snapshot(&mut self) -> bool {
        if self.snapshot.take().is_some() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        self.conn.is_autocommit()
    }
}

thread_local! {
    static CONNECTIONS: RefCell<Vec<Open>> = const { RefCell::new(Vec::new()) };
    static KEEP_SNAPSHOTS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Let this thread keep its read snapshots between reads (see the module's
/// documentation). For threads that call [`release_thread_snapshots`]
/// whenever they go idle: the server's runtime workers.
pub fn keep_snapshots_on_this_thread() {
    KEEP_SNAPSHOTS.with(|k| k.set(true));
}

/// Give back this thread's read snapshots. The server's runtime calls it
/// when a worker thread goes idle; any thread may.
pub fn release_thread_snapshots() {
    CONNECTIONS.with(|cell| {
        if let Ok(mut conns) = cell.try_borrow_mut() {
            conns.retain_mut(Open::end_snapshot);
        }
    });
}

impl LocalReader {
    pub(crate) fn new(path: PathBuf, commits: Arc<AtomicU64>) -> Self {
        Self { id: NEXT_READER.fetch_add(1, Ordering::Relaxed), path, commits }
    }

    /// A new read connection to this database, holding no snapshot.
    fn open(&self) -> rusqlite::Result<Open> {
        use rusqlite::OpenFlags;
        let conn = rusqlite::Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.set_prepared_statement_cache_capacity(64);
        Ok(Open { reader: self.id, conn, snapshot: None })
    }

    pub(crate) fn read(&self, sql: &str, params: &[Param<'_>]) -> rusqlite::Result<Vec<Record>> {
        CONNECTIONS.with(|cell| {
            let mut conns = cell.borrow_mut();
            let at = match conns.iter().position(|o| o.reader == self.id) {
                Some(at) => at,
                None => {
                    if conns.len() >= CONNECTIONS_PER_THREAD {
                        conns.remove(0);
                    }
                    conns.push(self.open()?);
                    conns.len() - 1
                }
            };
            let open = &mut conns[at];
            // Read the count before the snapshot begins: a commit that lands
            // in between makes the snapshot look older than it is, never
            // newer, so the next read takes a fresh one.
            let commits = self.commits.load(Ordering::Acquire);
            let current = open.snapshot.is_some_and(|(n, at)| n == commits && at.elapsed() < SNAPSHOT_MAX);
            if !current {
                if !open.end_snapshot() {
                    // Still inside a transaction it could not end: start
                    // again on a new connection.
                    *open = self.open()?;
                }
                let begun = open.conn.execute_batch("BEGIN");
                if let Err(e) = begun {
                    conns.remove(at);
                    return Err(e);
                }
                conns[at].snapshot = Some((commits, Instant::now()));
            }
            let open = &mut conns[at];
            let rows = run(&open.conn, sql, params);
            let keep = rows.is_ok() && KEEP_SNAPSHOTS.with(std::cell::Cell::get);
            if !keep && !open.end_snapshot() {
                conns.remove(at);
            }
            rows
        })
    }
}

thread_local! {
    /// The column names of each query this thread has run, by its text: a
    /// query's names never change, and making them again for every read
    /// (a string each) costs an inquiry a measurable share of its time.
    static NAMES: std::cell::RefCell<std::collections::HashMap<Box<str>, Arc<[String]>>> = Default::default();
}

/// The most query texts a thread keeps the names of; past it (queries built
/// with a varying text), it starts again.
const MAX_NAMED_QUERIES: usize = 512;

fn column_names(sql: &str, stmt: &rusqlite::Statement<'_>) -> Arc<[String]> {
    NAMES.with_borrow_mut(|names| {
        if let Some(n) = names.get(sql) {
            return n.clone();
        }
        if names.len() >= MAX_NAMED_QUERIES {
            names.clear();
        }
        let n: Arc<[String]> = stmt.column_names().into_iter().map(str::to_owned).collect();
        names.insert(sql.into(), n.clone());
        n
    })
}

fn run(conn: &rusqlite::Connection, sql: &str, params: &[Param<'_>]) -> rusqlite::Result<Vec<Record>> {
    let mut stmt = conn.prepare_cached(sql)?;
    for (i, p) in params.iter().enumerate() {
        let name = format!("${}", i + 1);
        let Some(at) = stmt.parameter_index(&name)? else { continue };
        match *p {
            Param::Text(s) => stmt.raw_bind_parameter(at, s)?,
            Param::Int(n) => stmt.raw_bind_parameter(at, n)?,
        }
    }
    let width = stmt.column_count();
    let names = column_names(sql, &stmt);
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let mut values = Vec::with_capacity(width);
        for i in 0..width {
            use rusqlite::types::ValueRef;
            values.push(match row.get_ref(i)? {
                ValueRef::Null => Value::Null,
                ValueRef::Integer(n) => Value::Int(n),
                ValueRef::Real(r) => Value::Real(r),
                ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                ValueRef::Blob(b) => Value::Blob(b.to_vec()),
            });
        }
        out.push(Record { values, names: names.clone() });
    }
    Ok(out)
}

impl Record {
    /// A row read through sqlx (in a transaction) as a record, so that one
    /// decoder serves rows read either way.
    pub fn from_any_row(row: &AnyRow) -> Result<Self, sqlx::Error> {
        record_from_any(row)
    }
}

/// A row from the pool as a record: each column read as the first of the
/// types it decodes as.
pub(crate) fn record_from_any(row: &AnyRow) -> Result<Record, sqlx::Error> {
    record_from_any_named(row, names_of(row))
}

/// The column names of a row from the pool (the same for every row of one
/// read: make them once and share them).
pub(crate) fn names_of(row: &AnyRow) -> Arc<[String]> {
    use sqlx::Column as _;
    row.columns().iter().map(|c| c.name().to_owned()).collect()
}

/// [`record_from_any`] with the read's column names already made.
pub(crate) fn record_from_any_named(row: &AnyRow, names: Arc<[String]>) -> Result<Record, sqlx::Error> {
    let mut values = Vec::with_capacity(row.len());
    for i in 0..row.len() {
        let v = if let Ok(v) = row.try_get::<Option<String>, _>(i) {
            v.map(Value::Text)
        } else if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
            v.map(Value::Int)
        } else if let Ok(v) = row.try_get::<Option<i32>, _>(i) {
            v.map(|n| Value::Int(n.into()))
        } else if let Ok(v) = row.try_get::<Option<bool>, _>(i) {
            v.map(|b| Value::Int(b.into()))
        } else if let Ok(v) = row.try_get::<Option<f64>, _>(i) {
            v.map(Value::Real)
        } else {
            row.try_get::<Option<Vec<u8>>, _>(i)?.map(Value::Blob)
        };
        values.push(v.unwrap_or(Value::Null));
    }
    Ok(Record { values, names })
}

pub(crate) fn bind_all<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    params: &[Param<'_>],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    for p in params {
        q = match *p {
            Param::Text(s) => q.bind(s),
            Param::Int(n) => q.bind(n),
        };
    }
    q
}
