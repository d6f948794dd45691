-- no-transaction
-- Inquiry by registration number is the registry's busiest read. Two
-- tables are rebuilt so that it touches as few pages as possible:
-- * vehicles are stored in registration-number order (WITHOUT ROWID, keyed
--   by reg_no), so an inquiry descends one B-tree instead of an index and
--   then the table; the id stays unique for the tables that refer to it;
-- * owners are keyed by party first, so "does this person own this
--   vehicle" reads the page that holds that person's vehicles, which stays
--   in cache while they use the registry; an index by vehicle serves the
--   owner lists.
-- SQLite rebuilds a table by copy and rename with foreign keys off, which
-- is possible only outside a transaction; the copy itself is one
-- transaction, and it keeps every row, so every reference still holds.
PRAGMA foreign_keys = OFF;
BEGIN;

CREATE TABLE reg_vehicles_new (
    id             TEXT NOT NULL UNIQUE,
    reg_no         TEXT PRIMARY KEY,
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
) WITHOUT ROWID;
INSERT INTO reg_vehicles_new (id, reg_no, chassis_no, engine_no, make, model, body, colour, year, class,
                              engine_cc, trailer_wheels, logbook_serial, status, version, created_at, updated_at)
    SELECT id, reg_no, chassis_no, engine_no, make, model, body, colour, year, class,
           engine_cc, trailer_wheels, logbook_serial, status, version, created_at, updated_at
    FROM reg_vehicles;
DROP TABLE reg_vehicles;
ALTER TABLE reg_vehicles_new RENAME TO reg_vehicles;

CREATE TABLE reg_vehicle_owners_new (
    vehicle_id TEXT NOT NULL REFERENCES reg_vehicles (id),
    party_id   TEXT NOT NULL REFERENCES reg_parties (id),
    role       TEXT NOT NULL,
    since      BIGINT NOT NULL,
    PRIMARY KEY (party_id, vehicle_id)
) WITHOUT ROWID;
INSERT INTO reg_vehicle_owners_new (vehicle_id, party_id, role, since)
    SELECT vehicle_id, party_id, role, since FROM reg_vehicle_owners;
DROP TABLE reg_vehicle_owners;
ALTER TABLE reg_vehicle_owners_new RENAME TO reg_vehicle_owners;
CREATE INDEX reg_vehicle_owners_vehicle ON reg_vehicle_owners (vehicle_id);

COMMIT;
PRAGMA foreign_keys = ON;
