-- Refresh tokens the registry no longer keeps (a session signed out, or
-- idle too long) and still has to have revoked at the provider. A token
-- goes in here in the same transaction that takes it from its session, so
-- one the provider could not be told of is tried again, not forgotten
-- while it still works there. Tokens are stored as the sessions store them
-- (sealed under the operator's secrets key when one is set).
CREATE TABLE reg_revocations (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token      TEXT NOT NULL,
    attempts   BIGINT NOT NULL DEFAULT 0,
    next_at    BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    last_error TEXT
);
CREATE INDEX reg_revocations_due ON reg_revocations (next_at);

-- Sessions are deleted once well past their longest life (see the
-- registry's minute sweep), found by age.
CREATE INDEX reg_sessions_created ON reg_sessions (created_at);
