import type { PaymentStatus } from "../../core/domain/payment-status.ts";

/**
 * The forward order of payment statuses, written for the tests (not read from the code under test): a
 * PSP answer may only move a payment to an equal or higher rank.
 */
export const FORWARD_RANK: Readonly<Record<PaymentStatus, number>> = {
  requires_payment_method: 0,
  requires_confirmation: 0,
  processing: 1,
  requires_action: 2,
  requires_capture: 3,
  succeeded: 4,
  partially_refunded: 5,
  refunded: 6,
  failed: 7,
  canceled: 7,
};
