-- The journal: every change to the register (ownership, logbooks, the
-- steps of transfers, staff actions), one row per change, written in the
-- change's own transaction by the registry's `journal` module. `entry` is
-- the change in its canonical encoding (versioned JSON, fixed field order,
-- see `journal.rs`), which a tamper-evident history will hash; the other
-- columns index it. A transfer's timeline is its `transfer_step` entries in
-- `transfer_seq` order.
CREATE TABLE reg_journal (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    at           BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    transfer_id  TEXT,
    transfer_seq BIGINT,
    vehicle_id   TEXT,
    actor_id     TEXT,
    acting_for   TEXT,
    address      TEXT,
    entry        TEXT NOT NULL,
    UNIQUE (transfer_id, transfer_seq)
);
CREATE INDEX reg_journal_vehicle ON reg_journal (vehicle_id, seq);

-- The timelines written so far become the journal's first entries, in the
-- same encoding, and their table goes.
INSERT INTO reg_journal (at, kind, transfer_id, transfer_seq, vehicle_id, actor_id, acting_for, address, entry)
SELECT e.at, 'transfer_step', e.transfer_id, e.seq, t.vehicle_id, e.actor_id, e.acting_for, e.address,
       '{"v":1,"at":' || e.at || ',"actor":' || json_quote(e.actor_id) || ',"for":' || json_quote(e.acting_for)
       || ',"kind":"transfer_step","transfer":' || json_quote(e.transfer_id) || ',"seq":' || e.seq
       || ',"step":' || json_quote(e.action) || ',"from":' || json_quote(e.from_state)
       || ',"to":' || json_quote(e.to_state) || ',"detail":' || json_quote(e.detail) || '}'
FROM reg_transfer_events e JOIN reg_transfers t ON t.id = e.transfer_id
ORDER BY e.at, e.transfer_id, e.seq;
DROP TABLE reg_transfer_events;
