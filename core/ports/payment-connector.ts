import type { Money } from "../domain/money.ts";
import type { NextAction } from "../domain/payment.ts";
import type { CaptureMethod, PspName } from "../domain/payment-status.ts";
import type { InterpretedWebhook } from "../domain/psp-facts.ts";

/**
 * How a PSP call ended, seen from the ledger:
 * - success variants carry what the PSP reported;
 * - `declined` is a business refusal (card declined, insufficient funds): nothing was charged;
 * - `rejected` is a terminal technical refusal (invalid request, not capturable): nothing changed at the PSP;
 * - `indeterminate` means we cannot know (timeout after send, 5xx after retries): NEVER success, sync later;
 * - `unavailable` means the request provably never left (circuit open, connection refused before
 *   sending, a run of 429s): nothing happened at the PSP for THIS request;
 * - `configuration_error` means the PSP refused our credentials or account setup (401/403): nothing
 *   happened, it is never a decline, and the payment stays retryable once an operator fixes the config.
 */
export type PspFailure =
  | { kind: "declined"; declineCode: string; pspCode: string; message: string; pspReference?: string }
  | { kind: "rejected"; pspCode: string; message: string; pspReference?: string }
  | { kind: "indeterminate"; reason: string; pspReference?: string }
  | { kind: "unavailable"; reason: string }
  | { kind: "configuration_error"; pspCode: string; message: string };

export type { NextAction } from "../domain/payment.ts";

export interface CallDiagnostics {
  /** Raw PSP status/result code as received, for payment_attempts. */
  rawStatus?: string;
  httpStatus?: number;
  /** Number of HTTP requests made, retries included. */
  requests: number;
}

export type AuthorizeOutcome = (
  | {
      kind: "authorized";
      pspReference: string;
      captured: boolean;
      amountCapturable: bigint;
      amountCaptured: bigint;
    }
  | { kind: "requires_action"; pspReference: string; nextAction?: NextAction }
  | PspFailure
) & { diagnostics: CallDiagnostics };

/**
 * `capture_pending` / `cancel_pending`: the PSP accepted the request but decides later (Adyen
 * `[capture-received]`); the CAPTURE / CANCELLATION notification ends it, never this answer.
 */
export type CaptureOutcome = (
  | { kind: "captured"; amountCaptured: bigint; pspReference: string }
  | { kind: "capture_pending"; pspReference: string }
  | PspFailure
) & {
  diagnostics: CallDiagnostics;
};

export type CancelOutcome = (
  | { kind: "canceled"; pspReference: string }
  | { kind: "cancel_pending"; pspReference: string }
  | PspFailure
) & {
  diagnostics: CallDiagnostics;
};

export type RefundOutcome = (
  | { kind: "refund_succeeded"; pspRefundReference: string }
  | { kind: "refund_pending"; pspRefundReference: string }
  | { kind: "refund_failed"; pspRefundReference?: string; pspCode: string; message: string }
  | PspFailure
) & { diagnostics: CallDiagnostics };

export interface AuthorizeRequest {
  paymentId: string;
  orderId: string;
  /** Our attempt id; the PSP idempotency key is derived from it, so a retry can never charge twice. */
  attemptId: string;
  amount: Money;
  paymentMethodToken: string;
  captureMethod: CaptureMethod;
  customerId?: string;
  description?: string;
}

export interface CaptureRequest {
  paymentId: string;
  attemptId: string;
  pspReference: string;
  amount: Money;
}

export interface CancelRequest {
  paymentId: string;
  attemptId: string;
  pspReference: string;
}

export interface RefundRequest {
  paymentId: string;
  refundId: string;
  attemptId: string;
  pspReference: string;
  amount: Money;
  reason?: string;
}

/** Re-reads an authorization whose outcome is unknown. pspReference is absent when the create call timed out. */
export interface SyncRequest {
  paymentId: string;
  attemptId: string;
  pspReference?: string;
  amount: Money;
  /** Needed by PSPs without a status API (Adyen): the original request is replayed under its idempotency key. */
  paymentMethodToken?: string;
  captureMethod?: CaptureMethod;
}

/** Re-reads a refund the PSP answered `pending` (or whose answer never came and was replayed). */
export interface RefundStatusRequest {
  paymentId: string;
  refundId: string;
  attemptId: string;
  pspReference: string;
  pspRefundReference: string;
}

export type SyncOutcome = AuthorizeOutcome | ({ kind: "not_found" } & { diagnostics: CallDiagnostics });

export interface VerifiedWebhookEvent {
  psp: PspName;
  eventId: string;
  type: string;
  pspReference: string;
  occurredAt: Date;
  data: Record<string, unknown>;
}

/** A correctly signed event that is not for this deployment: acknowledged, logged, not applied. */
export interface IgnoredWebhookEvent {
  pspReference: string;
  type: string;
  reason: string;
}

export type WebhookVerification =
  | { ok: true; events: VerifiedWebhookEvent[]; ignored?: IgnoredWebhookEvent[] }
  | { ok: false; reason: "missing_signature" | "bad_signature" | "stale_timestamp" | "malformed" };

export interface PaymentConnector {
  readonly name: PspName;
  authorize(req: AuthorizeRequest): Promise<AuthorizeOutcome>;
  capture(req: CaptureRequest): Promise<CaptureOutcome>;
  cancel(req: CancelRequest): Promise<CancelOutcome>;
  refund(req: RefundRequest): Promise<RefundOutcome>;
  /**
   * Re-reads an authorization whose outcome is unknown, from an authoritative source only: a retrieve
   * by id, or a replay of the original request under its idempotency key. Never a search index.
   */
  sync(req: SyncRequest): Promise<SyncOutcome>;
  /** The current state of a refund; `refund_pending` when the PSP has no status API (Adyen). */
  refundStatus(req: RefundStatusRequest): Promise<RefundOutcome>;
  verifyWebhook(
    rawBody: Buffer,
    headers: Record<string, string | undefined>,
    now?: Date,
  ): WebhookVerification;
  /** Pure: what a verified event means for the ledger, in PSP-neutral terms (no I/O). */
  interpretWebhook(event: VerifiedWebhookEvent): InterpretedWebhook;
}
