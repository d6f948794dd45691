-- The sign-on's tables. Times are INTEGER milliseconds since the epoch (UTC).

CREATE TABLE sso_accounts (
    id                TEXT PRIMARY KEY,
    account_type      TEXT NOT NULL,
    id_number         TEXT NOT NULL,
    full_name         TEXT NOT NULL,
    phone             TEXT NOT NULL,
    phone_verified_at BIGINT,
    email             TEXT,
    password_hash     TEXT NOT NULL,
    sms_alerts        BIGINT NOT NULL DEFAULT 1,
    blocked_at        BIGINT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    UNIQUE (account_type, id_number)
);
CREATE INDEX sso_accounts_id_number ON sso_accounts (id_number);

-- Consecutive failed sign-ins by the identity typed ("citizen:12345678"),
-- whether or not an account has it.
CREATE TABLE sso_signin_failures (
    key            TEXT PRIMARY KEY,
    failures       BIGINT NOT NULL,
    last_failed_at BIGINT NOT NULL
);

CREATE TABLE sso_sessions (
    id_hash      TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES sso_accounts (id),
    stage        TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    ended_at     BIGINT
);
CREATE INDEX sso_sessions_account ON sso_sessions (account_id);

CREATE TABLE sso_challenges (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES sso_accounts (id),
    purpose     TEXT NOT NULL,
    subject     TEXT NOT NULL,
    code_hash   TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    failures    BIGINT NOT NULL DEFAULT 0,
    used_at     BIGINT,
    UNIQUE (account_id, purpose, subject)
);

CREATE TABLE sso_sms_sends (
    phone   TEXT NOT NULL,
    sent_at BIGINT NOT NULL
);
CREATE INDEX sso_sms_sends_phone ON sso_sms_sends (phone, sent_at);

CREATE TABLE sso_outbox (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    to_phone     TEXT NOT NULL,
    body         TEXT NOT NULL,
    secret       BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    available_at BIGINT NOT NULL,
    attempts     BIGINT NOT NULL DEFAULT 0,
    lease_until  BIGINT,
    sent_at      BIGINT,
    last_error   TEXT
);
CREATE INDEX sso_outbox_pending ON sso_outbox (sent_at, available_at);

CREATE TABLE sso_orgs (
    kra_pin    TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE sso_memberships (
    account_id   TEXT NOT NULL REFERENCES sso_accounts (id),
    kra_pin      TEXT NOT NULL REFERENCES sso_orgs (kra_pin),
    role         TEXT NOT NULL,
    status       TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    decided_by   TEXT,
    decided_at   BIGINT,
    PRIMARY KEY (account_id, kra_pin)
);
CREATE INDEX sso_memberships_org ON sso_memberships (kra_pin);

CREATE TABLE sso_keys (
    kid         TEXT PRIMARY KEY,
    private_pem TEXT NOT NULL,
    n           TEXT NOT NULL,
    e           TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    retired_at  BIGINT
);

CREATE TABLE sso_clients (
    client_id                 TEXT PRIMARY KEY,
    secret_hash               TEXT NOT NULL,
    name                      TEXT NOT NULL,
    redirect_uris             TEXT NOT NULL,
    post_logout_redirect_uris TEXT NOT NULL,
    created_at                BIGINT NOT NULL
);

CREATE TABLE sso_auth_codes (
    code_hash      TEXT PRIMARY KEY,
    client_id      TEXT NOT NULL,
    account_id     TEXT NOT NULL REFERENCES sso_accounts (id),
    session_hash   TEXT NOT NULL,
    redirect_uri   TEXT NOT NULL,
    scope          TEXT NOT NULL,
    nonce          TEXT,
    code_challenge TEXT NOT NULL,
    auth_time      BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    used_at        BIGINT
);

CREATE TABLE sso_refresh_tokens (
    token_hash   TEXT PRIMARY KEY,
    client_id    TEXT NOT NULL,
    account_id   TEXT NOT NULL REFERENCES sso_accounts (id),
    grant_id     TEXT NOT NULL,
    scope        TEXT NOT NULL,
    auth_time    BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    used_at      BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX sso_refresh_tokens_grant ON sso_refresh_tokens (grant_id);

CREATE TABLE sso_secrets (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
