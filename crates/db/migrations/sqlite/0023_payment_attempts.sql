-- Each request to the payment gateway is an attempt, recorded in its own
-- transaction before the gateway is asked, numbered per transfer (two
-- requests racing for the same number: one wins, the other is refused), and
-- reached by the gateway's callback only through its own unguessable
-- address, kept here as a SHA-256 hash. `state` is one of requested,
-- pending, unknown, settled, failed, abandoned or flagged (paid, but with
-- another amount or after the fee was settled: for staff).
-- `result_code` and `result_desc` are the gateway's, raw, for staff.
CREATE TABLE reg_payment_attempts (
    id           TEXT PRIMARY KEY,
    transfer_id  TEXT NOT NULL REFERENCES reg_transfers (id),
    attempt_no   BIGINT NOT NULL,
    amount_cents BIGINT NOT NULL,
    payer_id     TEXT NOT NULL REFERENCES reg_parties (id),
    payer_phone  TEXT NOT NULL,
    provider     TEXT NOT NULL,
    secret_hash  TEXT NOT NULL UNIQUE,
    provider_ref TEXT,
    state        TEXT NOT NULL,
    result_code  TEXT,
    result_desc  TEXT,
    receipt      TEXT,
    paid_cents   BIGINT,
    paid_phone   TEXT,
    created_at   BIGINT NOT NULL,
    answered_at  BIGINT,
    queried_at   BIGINT,
    queries      BIGINT NOT NULL DEFAULT 0,
    UNIQUE (transfer_id, attempt_no)
);
CREATE UNIQUE INDEX reg_payment_attempts_ref ON reg_payment_attempts (provider, provider_ref);
CREATE INDEX reg_payment_attempts_open ON reg_payment_attempts (state, created_at);
-- The budget of unpaid prompts counts by number and by person.
CREATE INDEX reg_payment_attempts_phone ON reg_payment_attempts (payer_phone, created_at);
CREATE INDEX reg_payment_attempts_payer ON reg_payment_attempts (payer_id, created_at);
