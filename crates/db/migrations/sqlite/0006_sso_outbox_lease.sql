-- The sign-on's outbox is leased a batch at a time, as the registry's is:
-- the rows a worker got carry its lease's mark (see adapters::outbox).
ALTER TABLE sso_outbox ADD COLUMN lease_token TEXT;
