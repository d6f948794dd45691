-- The officer's review (issue 13): a rejection names its reason from the
-- list (domain::transfer::RejectReason, by its stored name) beside the
-- officer's own words in `reason`; a transfer returned to the seller for a
-- new scan remembers which scan was returned, so that it is resubmitted
-- only with another.
ALTER TABLE reg_transfers ADD COLUMN reason_code TEXT;
ALTER TABLE reg_transfers ADD COLUMN returned_scan TEXT;
