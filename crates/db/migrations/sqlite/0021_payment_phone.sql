-- The number the payment gateway prompts: the buyer may pay from any
-- Kenyan mobile number (an organisation from its own), and the receipt
-- shows it masked. E.164; NULL for payments made before it was kept.
ALTER TABLE reg_payments ADD COLUMN payer_phone TEXT;

-- "Needs your action" and the transfers list ask which transfers wait for
-- a party's consent: by party, not by transfer (the primary key's order).
CREATE INDEX reg_consents_party ON reg_consents (party_id, transfer_id);
