-- The hourly purge of old history finds the oldest rows by these.
CREATE INDEX reg_outbox_created ON reg_outbox (created_at);
CREATE INDEX reg_buyer_lookups_at ON reg_buyer_lookups (at);
