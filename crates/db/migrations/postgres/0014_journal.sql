-- The journal: every change to the register (ownership, logbooks, the
-- steps of transfers, staff actions), one row per change, written in the
-- change's own transaction by the registry's `journal` module. `entry` is
-- the change in its canonical encoding (versioned JSON, fixed field order,
-- see `journal.rs`), which a tamper-evident history will hash; the other
-- columns index it. A transfer's timeline is its `transfer_step` entries in
-- `transfer_seq` order.
CREATE TABLE reg_journal (
    seq          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
       '{"v":1,"at":' || e.at || ',"actor":' || COALESCE(to_json(e.actor_id)::text, 'null')
       || ',"for":' || COALESCE(to_json(e.acting_for)::text, 'null')
       || ',"kind":"transfer_step","transfer":' || to_json(e.transfer_id)::text || ',"seq":' || e.seq
       || ',"step":' || to_json(e.action)::text || ',"from":' || COALESCE(to_json(e.from_state)::text, 'null')
       || ',"to":' || to_json(e.to_state)::text || ',"detail":' || COALESCE(to_json(e.detail)::text, 'null') || '}'
FROM reg_transfer_events e JOIN reg_transfers t ON t.id = e.transfer_id
ORDER BY e.at, e.transfer_id, e.seq;
DROP TABLE reg_transfer_events;
