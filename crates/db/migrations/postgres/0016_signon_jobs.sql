-- The sign-on's periodic jobs (the purge of expired rows), one row each,
-- run by adapters::jobs as the registry's are (reg_jobs, 0015): a node runs
-- a job once it is due and no other node holds its lease.
CREATE TABLE sso_jobs (
    name             TEXT PRIMARY KEY,
    next_at          BIGINT NOT NULL,
    lease_until      BIGINT,
    lease_token      TEXT,
    runs             BIGINT NOT NULL DEFAULT 0,
    failures         BIGINT NOT NULL DEFAULT 0,
    last_started_at  BIGINT,
    last_finished_at BIGINT,
    last_error       TEXT
);
