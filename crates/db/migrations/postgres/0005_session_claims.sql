-- A page session re-reads its person's claims (their organisations above
-- all) from the provider every few minutes, as an API call does, with the
-- refresh token its sign-in was given; a session whose refresh the provider
-- refuses ends. Sessions from before have neither and are asked to sign in
-- again at their next page.
ALTER TABLE reg_sessions ADD COLUMN refresh_token TEXT;
ALTER TABLE reg_sessions ADD COLUMN claims_at BIGINT NOT NULL DEFAULT 0;

-- Refresh tokens of sessions left idle are forgotten by a sweep, which
-- finds them here.
CREATE INDEX reg_sessions_holding_refresh ON reg_sessions (last_seen_at) WHERE refresh_token IS NOT NULL;
