-- The settlement import links a refund line to its refund through the refund attempt's PSP reference
-- (docs/settlement.md); payments already have payments_psp_reference_idx for charge lines.
CREATE INDEX IF NOT EXISTS payment_attempts_refund_reference_idx
  ON payment_attempts (psp, psp_reference) WHERE operation = 'refund';
