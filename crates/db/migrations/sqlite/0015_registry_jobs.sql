-- The registry's periodic jobs (transfer expiry, purges, sweeps), one row
-- each, run by adapters::jobs: a node runs a job once it is due (next_at)
-- and no other node holds it (lease_until), taking both in one conditional
-- update, so that several nodes on one database run each job once per
-- interval; a lease left by a node that stopped mid-run runs out.
CREATE TABLE reg_jobs (
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
