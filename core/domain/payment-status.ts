export const PAYMENT_STATUSES = [
  "requires_payment_method",
  "requires_confirmation",
  "requires_action",
  "processing",
  "requires_capture",
  "succeeded",
  "failed",
  "canceled",
  "partially_refunded",
  "refunded",
] as const;

export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export const TERMINAL_STATUSES: ReadonlySet<PaymentStatus> = new Set(["failed", "canceled", "refunded"]);

export const CAPTURE_METHODS = ["automatic", "manual"] as const;
export type CaptureMethod = (typeof CAPTURE_METHODS)[number];
export type PspName = "stripe" | "adyen";
export const PSP_NAMES: readonly PspName[] = ["stripe", "adyen"];
