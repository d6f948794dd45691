-- A replayed answer to an Idempotency-Key carries the Location header of the
-- first (a 201's), as the first did.
ALTER TABLE reg_idempotency ADD COLUMN location TEXT;
