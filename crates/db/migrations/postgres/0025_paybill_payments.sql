-- Every paybill payment M-Pesa confirms (C2B), kept as it came, once per
-- M-Pesa transaction id (`trans_id`, which is also the receipt number):
-- the account number the payer typed (`bill_ref`), the amount, the number
-- as M-Pesa sent it (newer APIs mask or hash it) and the payer's name.
-- `transfer_id` and `attempt_id` name the transfer whose invoice reference
-- it matched and the payment attempt that recorded it (which settles the
-- fee or is flagged for staff); a payment that matched no transfer has
-- neither and `note` says why: staff find its owner or refund it.
CREATE TABLE reg_paybill_payments (
    trans_id     TEXT PRIMARY KEY,
    bill_ref     TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    shortcode    TEXT NOT NULL,
    msisdn       TEXT NOT NULL,
    payer_name   TEXT NOT NULL,
    trans_time   TEXT NOT NULL,
    transfer_id  TEXT REFERENCES reg_transfers (id),
    attempt_id   TEXT REFERENCES reg_payment_attempts (id),
    note         TEXT,
    received_at  BIGINT NOT NULL
);
CREATE INDEX reg_paybill_payments_received ON reg_paybill_payments (received_at);
-- The daily payments report reads the attempts answered in a day.
CREATE INDEX reg_payment_attempts_answered ON reg_payment_attempts (answered_at);
