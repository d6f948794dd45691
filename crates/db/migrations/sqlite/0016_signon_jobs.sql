-- The sign-on's periodic jobs (the purge of expired rows), one row each,
-- run by adapters::jobs as the registry's are (reg_jobs, 0015): a node runs
-- a job once it is due and no other node holds its lease.
CREATE TABLE sso_jobs (
    name             TEXT PRIMARY KEY,
    next_at          INTEGER NOT NULL,
    lease_until      INTEGER,
    lease_token      TEXT,
    runs             INTEGER NOT NULL DEFAULT 0,
    failures         INTEGER NOT NULL DEFAULT 0,
    last_started_at  INTEGER,
    last_finished_at INTEGER,
    last_error       TEXT
);
