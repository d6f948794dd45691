-- Every file in the upload store has a row here, written before the file
-- is stored: 'pending' until its transfer points at it, 'live' while it
-- does, 'replaced' once a newer scan took its place (until the file is
-- deleted). A file whose write or transaction never finished is found by
-- its pending row and deleted; nothing is stored that no row accounts for.
CREATE TABLE reg_uploads (
    key         TEXT PRIMARY KEY,
    transfer_id TEXT NOT NULL,
    state       TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX reg_uploads_state ON reg_uploads (state, updated_at);
INSERT INTO reg_uploads (key, transfer_id, state, created_at, updated_at)
    SELECT logbook_key, id, 'live', updated_at, updated_at FROM reg_transfers WHERE logbook_key IS NOT NULL;
