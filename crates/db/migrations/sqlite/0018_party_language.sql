-- The language the registry writes to a party in ("en", "sw"): taken from
-- the provider's `locale` claim at each sign-in, or the person's choice on
-- the registry's pages; NULL for one who never chose: English.
ALTER TABLE reg_parties ADD COLUMN lang TEXT;
