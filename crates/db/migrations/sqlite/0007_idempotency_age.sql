-- The minute's sweep looks for Idempotency-Key answers old enough to
-- forget; this index lets it look without reading the whole table.
CREATE INDEX reg_idempotency_created ON reg_idempotency (created_at);
