-- What each SMS is for (sign_in, transfer_submit, ...) and what it is about
-- (a transfer's reference, an organisation's KRA PIN), kept beside its text
-- so that whoever reads the development SMS sink picks the right code
-- without parsing texts.
ALTER TABLE sso_outbox ADD COLUMN purpose TEXT;
ALTER TABLE sso_outbox ADD COLUMN reference TEXT;
ALTER TABLE reg_outbox ADD COLUMN purpose TEXT;
ALTER TABLE reg_outbox ADD COLUMN reference TEXT;
