-- Every lookup of a buyer by ID number or KRA PIN (it shows the name the
-- registers give), kept for the agency's staff to see who looked up whom:
-- the person who typed it, the party they acted for, the identifier as
-- typed once checked, whether a party was found, and when. `outcome` is
-- found, not_found, or refused (the person's budget was spent, so nothing
-- was looked up). The registry's `transfers::lookup` counts the distinct
-- identifiers a person looked up in the last hour and day from it.
CREATE TABLE reg_buyer_lookups (
    id         TEXT PRIMARY KEY,
    person_id  TEXT NOT NULL REFERENCES reg_parties (id),
    acting_for TEXT NOT NULL,
    doc_type   TEXT NOT NULL,
    doc_number TEXT NOT NULL,
    outcome    TEXT NOT NULL,
    address    TEXT,
    at         BIGINT NOT NULL
);
CREATE INDEX reg_buyer_lookups_person ON reg_buyer_lookups (person_id, at);
CREATE INDEX reg_buyer_lookups_document ON reg_buyer_lookups (doc_type, doc_number, at);
