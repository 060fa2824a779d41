/** What a run observed, gathered after it settled; the checks are pure functions of it. */
import type { Psp } from "../plan-types.ts";

export interface LedgerPayment {
  paymentId: string;
  orderId: string;
  psp: Psp;
  currency: string;
  status: string;
  amountMinor: bigint;
  capturableMinor: bigint;
  capturedMinor: bigint;
  refundedMinor: bigint;
  refundPendingMinor: bigint;
  needsReview: boolean;
  failureReason: string | null;
}

export interface LedgerRefund {
  refundId: string;
  paymentId: string;
  amountMinor: bigint;
  status: string;
}

export interface OpenAttempt {
  paymentId: string;
  operation: string;
  status: string;
}

/** An open row of the manual review queue, when the schema has one. */
export interface OpenReview {
  paymentId: string;
  reason: string | null;
}

/** One payment as the PSP simulators see it (summed over both PSPs: routing may move it). */
export interface PspView {
  authorizations: number;
  capturedMinor: bigint;
  refundedMinor: bigint;
  /** Authorized and neither captured nor released yet. */
  heldMinor: bigint;
}

export type EventKind = "authorized" | "captured" | "failed" | "canceled" | "refunded";

export interface SeenEvent {
  paymentId: string;
  eventId: string | undefined;
  kind: EventKind;
  refundId: string | null;
  /** The per-payment sequence number, when the schema carries one. */
  sequence: number | null;
}

/** One HTTP answer (or the lack of one) the campaign's client got. */
export interface Answer {
  status: number | null;
  retryAfter: string | null;
  replayed: boolean;
  body: unknown;
  error: string | null;
}

export interface Exchange extends Answer {
  label: string;
  method: string;
  path: string;
  key: string | null;
}

export interface ReplayPair {
  label: string;
  /** The first answer under the key that was not a 5xx (a 503 releases the key). */
  first: Answer;
  again: Answer;
}

export interface Observations {
  payments: LedgerPayment[];
  refunds: LedgerRefund[];
  openAttempts: OpenAttempt[];
  /** null: the schema has no review queue table. */
  openReviews: OpenReview[] | null;
  psp: Map<string, PspView>;
  events: SeenEvent[];
  exchanges: Exchange[];
  replays: ReplayPair[];
  /** Payment ids the API handed out (201/202) and autopay orders' derived ids. */
  expectedPaymentIds: string[];
  /** Payments of autopay orders: no client is there to retry their confirm. */
  autopayPaymentIds: string[];
}

export interface Violation {
  check:
    | "psp-ledger"
    | "unresolved"
    | "events"
    | "http"
    | "replay"
    | "quiescence"
    | "crash"
    | "outbox"
    | "fault";
  paymentId?: string;
  detail: string;
}
