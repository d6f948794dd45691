-- Owners keyed by party first: "does this person own this vehicle", asked
-- by every inquiry, reads the part of the index that holds that person's
-- vehicles; an index by vehicle serves the owner lists. (SQLite also
-- stores its vehicles in registration-number order; PostgreSQL's heap
-- reaches a vehicle through the reg_no index either way.)
ALTER TABLE reg_vehicle_owners DROP CONSTRAINT reg_vehicle_owners_pkey;
ALTER TABLE reg_vehicle_owners ADD PRIMARY KEY (party_id, vehicle_id);
DROP INDEX reg_vehicle_owners_party;
CREATE INDEX reg_vehicle_owners_vehicle ON reg_vehicle_owners (vehicle_id);
