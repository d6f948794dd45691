-- The registry's tables. Times are INTEGER milliseconds since the epoch (UTC),
-- calendar dates TEXT 'YYYY-MM-DD', money INTEGER cents (KES).

-- People and organisations the registry knows: owners, buyers, financiers,
-- staff. A person is known by the kind and number of their identity document
-- and linked to the sign-on's subject at their first sign-in; an
-- organisation by its KRA PIN. Phone, name and alerts preference are copied
-- from the provider's claims at each sign-in.
CREATE TABLE reg_parties (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    doc_type    TEXT NOT NULL,
    doc_number  TEXT NOT NULL,
    name        TEXT NOT NULL,
    org_kind    TEXT,
    subject     TEXT UNIQUE,
    phone       TEXT,
    sms_alerts  BIGINT NOT NULL DEFAULT 1,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (doc_type, doc_number)
);

-- Who may act for an organisation, as the provider's claims last said.
CREATE TABLE reg_org_members (
    org_id    TEXT NOT NULL REFERENCES reg_parties (id),
    person_id TEXT NOT NULL REFERENCES reg_parties (id),
    role      TEXT NOT NULL,
    seen_at   BIGINT NOT NULL,
    PRIMARY KEY (org_id, person_id)
);
CREATE INDEX reg_org_members_person ON reg_org_members (person_id);

-- The agency's staff, granted by an operator.
CREATE TABLE reg_staff (
    person_id  TEXT PRIMARY KEY REFERENCES reg_parties (id),
    role       TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    granted_by TEXT NOT NULL
);

CREATE TABLE reg_vehicles (
    id             TEXT PRIMARY KEY,
    reg_no         TEXT NOT NULL UNIQUE,
    chassis_no     TEXT NOT NULL UNIQUE,
    engine_no      TEXT NOT NULL,
    make           TEXT NOT NULL,
    model          TEXT NOT NULL,
    body           TEXT NOT NULL,
    colour         TEXT NOT NULL,
    year           BIGINT NOT NULL,
    class          TEXT NOT NULL,
    engine_cc      BIGINT,
    trailer_wheels BIGINT,
    logbook_serial TEXT NOT NULL,
    status         TEXT NOT NULL,
    version        BIGINT NOT NULL DEFAULT 0,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);

-- Owners on the logbook: one or more, and a financier while a loan is open.
CREATE TABLE reg_vehicle_owners (
    vehicle_id TEXT NOT NULL REFERENCES reg_vehicles (id),
    party_id   TEXT NOT NULL REFERENCES reg_parties (id),
    role       TEXT NOT NULL,
    since      BIGINT NOT NULL,
    PRIMARY KEY (vehicle_id, party_id)
);
CREATE INDEX reg_vehicle_owners_party ON reg_vehicle_owners (party_id);

CREATE TABLE reg_transfers (
    id                TEXT PRIMARY KEY,
    reference         TEXT NOT NULL UNIQUE,
    vehicle_id        TEXT NOT NULL REFERENCES reg_vehicles (id),
    -- The vehicle's id while the transfer is open, NULL once it is closed:
    -- the unique index makes "one open transfer per vehicle" the database's
    -- rule, on both backends.
    open_vehicle_id   TEXT UNIQUE,
    state             TEXT NOT NULL,
    seller_id         TEXT NOT NULL REFERENCES reg_parties (id),
    created_by        TEXT NOT NULL REFERENCES reg_parties (id),
    buyer_id          TEXT NOT NULL REFERENCES reg_parties (id),
    buyer_type        TEXT NOT NULL,
    logbook_key       TEXT,
    logbook_type      TEXT,
    logbook_size      BIGINT,
    logbook_sha256    TEXT,
    fee_cents         BIGINT NOT NULL,
    fee_schedule      TEXT NOT NULL,
    fee_rule          TEXT NOT NULL,
    payment_ref       TEXT,
    postal_address    TEXT,
    collection_office TEXT,
    reason            TEXT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    expires_at        BIGINT NOT NULL,
    submitted_at      BIGINT,
    queued_at         BIGINT,
    decided_at        BIGINT,
    version           BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX reg_transfers_queue ON reg_transfers (state, queued_at);
CREATE INDEX reg_transfers_vehicle ON reg_transfers (vehicle_id);
CREATE INDEX reg_transfers_seller ON reg_transfers (seller_id);
CREATE INDEX reg_transfers_buyer ON reg_transfers (buyer_id);
CREATE INDEX reg_transfers_expiry ON reg_transfers (expires_at) WHERE open_vehicle_id IS NOT NULL;

-- Joint owners' and financiers' consent to a transfer.
CREATE TABLE reg_consents (
    transfer_id TEXT NOT NULL REFERENCES reg_transfers (id),
    party_id    TEXT NOT NULL REFERENCES reg_parties (id),
    role        TEXT NOT NULL,
    decision    TEXT,
    decided_by  TEXT,
    decided_at  BIGINT,
    PRIMARY KEY (transfer_id, party_id)
);

-- The timeline: every transition, who, acting for whom, when, from where.
CREATE TABLE reg_transfer_events (
    id          TEXT PRIMARY KEY,
    transfer_id TEXT NOT NULL REFERENCES reg_transfers (id),
    seq         BIGINT NOT NULL,
    at          BIGINT NOT NULL,
    action      TEXT NOT NULL,
    from_state  TEXT,
    to_state    TEXT NOT NULL,
    actor_id    TEXT,
    acting_for  TEXT,
    address     TEXT,
    detail      TEXT,
    UNIQUE (transfer_id, seq)
);

-- One-time codes for actions on transfers, bound to person and purpose.
CREATE TABLE reg_codes (
    person_id  TEXT NOT NULL REFERENCES reg_parties (id),
    purpose    TEXT NOT NULL,
    code_hash  TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    failures   BIGINT NOT NULL DEFAULT 0,
    used_at    BIGINT,
    PRIMARY KEY (person_id, purpose)
);

CREATE TABLE reg_sms_sends (
    phone   TEXT NOT NULL,
    sent_at BIGINT NOT NULL
);
CREATE INDEX reg_sms_sends_phone ON reg_sms_sends (phone, sent_at);

CREATE TABLE reg_outbox (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    to_phone     TEXT NOT NULL,
    body         TEXT NOT NULL,
    secret       BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    available_at BIGINT NOT NULL,
    attempts     BIGINT NOT NULL DEFAULT 0,
    lease_until  BIGINT,
    lease_token  TEXT,
    sent_at      BIGINT,
    last_error   TEXT
);
CREATE INDEX reg_outbox_pending ON reg_outbox (sent_at, available_at);

CREATE TABLE reg_payments (
    id           TEXT PRIMARY KEY,
    transfer_id  TEXT NOT NULL UNIQUE REFERENCES reg_transfers (id),
    amount_cents BIGINT NOT NULL,
    payer_id     TEXT NOT NULL REFERENCES reg_parties (id),
    provider     TEXT NOT NULL,
    provider_ref TEXT,
    state        TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    settled_at   BIGINT
);

CREATE TABLE reg_logbooks (
    transfer_id TEXT PRIMARY KEY REFERENCES reg_transfers (id),
    vehicle_id  TEXT NOT NULL REFERENCES reg_vehicles (id),
    serial      TEXT NOT NULL UNIQUE,
    state       TEXT NOT NULL,
    office      TEXT NOT NULL,
    ready_by    TEXT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- Fee schedules as data: a gazetted change is loaded, not released.
CREATE TABLE reg_fee_schedules (
    version        TEXT PRIMARY KEY,
    effective_from TEXT NOT NULL,
    body           TEXT NOT NULL,
    loaded_at      BIGINT NOT NULL
);

-- Gazetted public holidays an operator adds (the fixed ones are in the profile).
CREATE TABLE reg_holidays (
    day      TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    added_at BIGINT NOT NULL
);

-- Browser sessions of the registry, after an OpenID Connect sign-in.
CREATE TABLE reg_sessions (
    id_hash      TEXT PRIMARY KEY,
    person_id    TEXT NOT NULL REFERENCES reg_parties (id),
    id_token     TEXT NOT NULL,
    acting_for   TEXT,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    ended_at     BIGINT
);

-- Sign-ins under way: state, nonce and PKCE verifier, for ten minutes.
CREATE TABLE reg_logins (
    state_hash TEXT PRIMARY KEY,
    pending    TEXT NOT NULL,
    return_to  TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Idempotency-Key records: the first answer to a key, replayed after.
CREATE TABLE reg_idempotency (
    principal    TEXT NOT NULL,
    idem_key     TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       BIGINT,
    body         TEXT,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (principal, idem_key)
);

-- The registry's own secrets (the code pepper, a generated client secret).
CREATE TABLE reg_secrets (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
