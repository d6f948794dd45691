-- Who pays a transfer's fee, and the platform's access fee on it, as the
-- fee schedule's policy said on the day the transfer was opened (a later
-- schedule does not change a transfer under way): `payer` is
-- buyer_at_acceptance or seller_at_submission. The invoice is fee_cents
-- plus platform_fee_cents.
ALTER TABLE reg_transfers ADD COLUMN payer TEXT NOT NULL DEFAULT 'buyer_at_acceptance';
ALTER TABLE reg_transfers ADD COLUMN platform_fee_cents BIGINT NOT NULL DEFAULT 0;
-- What became of a paid fee when its transfer ended without a change of
-- owner (reg_payments.state refund_due, then refunded by staff with the
-- refund's reference; or kept for a resubmission), and who refunded it.
ALTER TABLE reg_payments ADD COLUMN refund_ref TEXT;
ALTER TABLE reg_payments ADD COLUMN refunded_at BIGINT;
ALTER TABLE reg_payments ADD COLUMN refunded_by TEXT;
-- A transfer paid for by a payment kept from an earlier one (the same
-- vehicle, seller, buyer and payer, ended within the policy's keep_days):
-- the earlier transfer's id. Nobody is asked to pay it again.
ALTER TABLE reg_transfers ADD COLUMN fee_kept_from TEXT;
