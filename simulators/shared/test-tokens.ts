/** What a payment-method token makes the simulated PSP do. Shared by the Stripe and Adyen simulators. */
export type DeclineReason = "generic_decline" | "insufficient_funds" | "fraudulent";

/**
 * - `timeout`: the charge is recorded as approved but the answer is held back (SIM_HANG_MS);
 * - `psp_error`: every request answers 500 and nothing is recorded;
 * - `psp_error_once`: the first request per idempotency key answers 500 unrecorded, a retry succeeds;
 * - `slow`: approves after SIM_SLOW_MS;
 * - `auth_error`: every request with this token answers 401 as for a wrong API key, nothing recorded;
 * - `rate_limited`: every request with this token answers 429, nothing recorded.
 */
export type Fault = "timeout" | "psp_error" | "psp_error_once" | "slow" | "auth_error" | "rate_limited";

/** Planted discrepancies in the daily settlement report (simulators/shared/settlement.ts). */
export type SettlementFault = "missing" | "amount_mismatch" | "duplicate";

export interface CardProfile {
  result: "approve" | "decline" | "requires_action";
  decline?: DeclineReason;
  fault?: Fault;
  settlement?: SettlementFault;
  refundFails: boolean;
  /** Adyen answers captures `received`, then a CAPTURE notification with success=false. */
  captureFails: boolean;
  /** Adyen answers cancels `received`, then a CANCELLATION notification with success=false. */
  cancelFails: boolean;
  /** Stripe answers refunds `pending` and settles them SIM_REFUND_SETTLE_MS later (Adyen refunds always wait). */
  refundPending: boolean;
  duplicateWebhooks: boolean;
  /** The authorization's webhooks are held back SIM_WEBHOOK_DELAY_MS, so later events overtake them. */
  outOfOrderWebhooks: boolean;
  brand: string;
  last4: string;
}

const APPROVE: CardProfile = {
  result: "approve",
  refundFails: false,
  captureFails: false,
  cancelFails: false,
  refundPending: false,
  duplicateWebhooks: false,
  outOfOrderWebhooks: false,
  brand: "visa",
  last4: "4242",
};

const KNOWN: Readonly<Record<string, Partial<CardProfile>>> = {
  pm_card_visa: {},
  pm_card_mastercard: { brand: "mastercard", last4: "4444" },
  pm_card_chargeDeclined: { result: "decline", decline: "generic_decline", last4: "0002" },
  pm_card_chargeDeclinedInsufficientFunds: {
    result: "decline",
    decline: "insufficient_funds",
    last4: "9995",
  },
  pm_card_chargeDeclinedFraudulent: { result: "decline", decline: "fraudulent", last4: "0019" },
  pm_card_authenticationRequired: { result: "requires_action", last4: "3184" },
  pm_sim_timeout: { fault: "timeout" },
  pm_sim_psp_error: { fault: "psp_error" },
  pm_sim_psp_error_once: { fault: "psp_error_once" },
  pm_sim_slow: { fault: "slow" },
  pm_sim_psp_auth_error: { fault: "auth_error" },
  pm_sim_rate_limited: { fault: "rate_limited" },
  pm_sim_capture_fail: { captureFails: true },
  pm_sim_cancel_fail: { cancelFails: true },
  pm_sim_refund_fail: { refundFails: true },
  pm_sim_refund_pending: { refundPending: true },
  pm_sim_duplicate_webhook: { duplicateWebhooks: true },
  pm_sim_out_of_order_webhook: { outOfOrderWebhooks: true },
  pm_sim_settle_missing: { settlement: "missing" },
  pm_sim_settle_amount_mismatch: { settlement: "amount_mismatch" },
  pm_sim_settle_duplicate: { settlement: "duplicate" },
};

/** The simulators' public test tokens: fixtures, not customer data (the replay tool keeps them). */
export const isSimulatorTestToken = (token: string): boolean => Object.hasOwn(KNOWN, token);

/** undefined means the PSP does not know this payment method at all. */
export function cardProfile(token: string): CardProfile | undefined {
  const known = KNOWN[token];
  if (known !== undefined) return { ...APPROVE, ...known };
  return token.startsWith("pm_") || token.startsWith("tok_") ? { ...APPROVE } : undefined;
}
