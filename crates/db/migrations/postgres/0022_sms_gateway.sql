-- The SMS gateway: each outbox message keeps its status (queued, sent,
-- delivered, failed, dead) and since when, why it failed, the gateway's id
-- for it (which its delivery reports name) and what it cost, in millionths
-- of the currency (see adapters::outbox).
ALTER TABLE sso_outbox ADD COLUMN status TEXT NOT NULL DEFAULT 'queued';
ALTER TABLE sso_outbox ADD COLUMN status_at BIGINT;
ALTER TABLE sso_outbox ADD COLUMN failure_reason TEXT;
ALTER TABLE sso_outbox ADD COLUMN gateway_id TEXT;
ALTER TABLE sso_outbox ADD COLUMN cost_currency TEXT;
ALTER TABLE sso_outbox ADD COLUMN cost_micros BIGINT;
-- What was sent before: sent, or wiped unsent (a code too old), or given
-- up on after the eight attempts the outbox then made.
UPDATE sso_outbox SET status = 'sent', status_at = sent_at WHERE sent_at IS NOT NULL;
UPDATE sso_outbox SET status = 'failed', status_at = sent_at, failure_reason = last_error, sent_at = NULL
    WHERE last_error = 'expired before delivery';
UPDATE sso_outbox SET status = 'dead', status_at = created_at, failure_reason = last_error
    WHERE sent_at IS NULL AND status = 'queued' AND attempts >= 8 AND lease_until IS NULL;
UPDATE sso_outbox SET status_at = created_at WHERE status_at IS NULL;
CREATE INDEX sso_outbox_due ON sso_outbox (status, available_at);
CREATE INDEX sso_outbox_gateway_id ON sso_outbox (gateway_id);
CREATE INDEX sso_outbox_to_phone ON sso_outbox (to_phone, created_at);
ALTER TABLE reg_outbox ADD COLUMN status TEXT NOT NULL DEFAULT 'queued';
ALTER TABLE reg_outbox ADD COLUMN status_at BIGINT;
ALTER TABLE reg_outbox ADD COLUMN failure_reason TEXT;
ALTER TABLE reg_outbox ADD COLUMN gateway_id TEXT;
ALTER TABLE reg_outbox ADD COLUMN cost_currency TEXT;
ALTER TABLE reg_outbox ADD COLUMN cost_micros BIGINT;
-- What was sent before: sent, or wiped unsent (a code too old), or given
-- up on after the eight attempts the outbox then made.
UPDATE reg_outbox SET status = 'sent', status_at = sent_at WHERE sent_at IS NOT NULL;
UPDATE reg_outbox SET status = 'failed', status_at = sent_at, failure_reason = last_error, sent_at = NULL
    WHERE last_error = 'expired before delivery';
UPDATE reg_outbox SET status = 'dead', status_at = created_at, failure_reason = last_error
    WHERE sent_at IS NULL AND status = 'queued' AND attempts >= 8 AND lease_until IS NULL;
UPDATE reg_outbox SET status_at = created_at WHERE status_at IS NULL;
CREATE INDEX reg_outbox_due ON reg_outbox (status, available_at);
CREATE INDEX reg_outbox_gateway_id ON reg_outbox (gateway_id);
CREATE INDEX reg_outbox_to_phone ON reg_outbox (to_phone, created_at);

-- Every delivery report the gateway sent, as it came: a message's status
-- history. One whose id no outbox holds yet waits (applied = 0) for the
-- worker to write that id; one that never matches is deleted after a week,
-- the others after 30 days (the sign-on's hourly purge).
CREATE TABLE sms_reports (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    gateway_id     TEXT NOT NULL,
    status         TEXT NOT NULL,
    failure_reason TEXT,
    network_code   TEXT,
    retry_count    BIGINT,
    received_at    BIGINT NOT NULL,
    applied        BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX sms_reports_gateway_id ON sms_reports (gateway_id);
CREATE INDEX sms_reports_waiting ON sms_reports (applied, received_at);
CREATE INDEX sms_reports_received ON sms_reports (received_at);
