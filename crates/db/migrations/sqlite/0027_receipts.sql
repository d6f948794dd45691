-- A payment is one M-Pesa receipt, however tims hears of it (the STK
-- callback, a query, a paybill confirmation, the statement): the
-- statement's reconciliation and the attempts' answers look receipts up.
CREATE INDEX reg_payment_attempts_receipt ON reg_payment_attempts (receipt);
