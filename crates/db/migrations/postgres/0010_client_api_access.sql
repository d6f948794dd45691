-- A client the operator grants API access gets access tokens whose audience
-- includes the registry's API (`tims-api`) beside its own id.
ALTER TABLE sso_clients ADD COLUMN api_access BIGINT NOT NULL DEFAULT 0;
