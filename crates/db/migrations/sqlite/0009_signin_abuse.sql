-- Codes sent to a phone are budgeted per purpose, so that codes someone
-- else asks for (a recovery) never use up the owner's sign-in codes.
ALTER TABLE sso_sms_sends ADD COLUMN purpose TEXT NOT NULL DEFAULT 'sign_in';
CREATE INDEX sso_sms_sends_purpose ON sso_sms_sends (phone, purpose, sent_at);

-- Browsers an account has signed in from. A sign-in from one of them is not
-- slowed by failures others cause with the account's ID number; it has its
-- own count of failures (kept in sso_signin_failures under the device's key).
CREATE TABLE sso_devices (
    id_hash      TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES sso_accounts (id),
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL
);
CREATE INDEX sso_devices_account ON sso_devices (account_id);
CREATE INDEX sso_devices_used ON sso_devices (last_used_at);

-- Account recovery attempts. One is kept for every attempt, whether or not
-- the ID number has an account (account_id is then empty and the code was
-- never sent), so that both answer alike and count wrong codes alike.
CREATE TABLE sso_recoveries (
    id_hash    TEXT PRIMARY KEY,
    account_id TEXT,
    code_hash  TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    failures   BIGINT NOT NULL DEFAULT 0,
    used_at    BIGINT
);
CREATE INDEX sso_recoveries_created ON sso_recoveries (created_at);

-- Old failed sign-ins are purged by age.
CREATE INDEX sso_signin_failures_last ON sso_signin_failures (last_failed_at);
