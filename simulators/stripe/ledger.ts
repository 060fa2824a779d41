import { type ChargeSummary, summarize } from "../shared/charge-summary.ts";
import { stripeId, unixNow } from "../shared/ids.ts";
import type { CardProfile } from "../shared/test-tokens.ts";
import { renderIntent } from "./render.ts";

export type IntentStatus =
  | "requires_payment_method"
  | "requires_confirmation"
  | "requires_action"
  | "processing"
  | "requires_capture"
  | "succeeded"
  | "canceled";

export interface Intent {
  id: string;
  created: number;
  /** When it was created, in ms: the search index sees it only SIM_SEARCH_LAG_MS later. */
  createdMs: number;
  amount: bigint;
  currency: string;
  captureMethod: "automatic" | "manual";
  status: IntentStatus;
  paymentMethod: string | undefined;
  profile: CardProfile | undefined;
  metadata: Record<string, string>;
  description: string | null;
  amountCapturable: bigint;
  amountReceived: bigint;
  amountRefunded: bigint;
  /** Refunds answered `pending` and not settled yet (pm_sim_refund_pending). */
  amountRefundPending: bigint;
  latestCharge: string | null;
  lastPaymentError: Record<string, unknown> | null;
  nextAction: Record<string, unknown> | null;
  canceledAt: number | null;
  cancellationReason: string | null;
  /** Money was reserved or charged (what /_sim/charges counts). */
  authorized: boolean;
  captures: number;
  refundsSucceeded: number;
}

export interface Refund {
  id: string;
  created: number;
  amount: bigint;
  currency: string;
  paymentIntent: string;
  charge: string | null;
  status: "pending" | "succeeded" | "failed";
  reason: string | null;
  failureReason: string | null;
  metadata: Record<string, string>;
}

export type NewIntent = Pick<
  Intent,
  "amount" | "currency" | "captureMethod" | "paymentMethod" | "profile" | "metadata" | "description"
>;

export class StripeLedger {
  readonly intents = new Map<string, Intent>();
  readonly refunds = new Map<string, Refund>();

  createIntent(fields: NewIntent): Intent {
    const intent: Intent = {
      ...fields,
      id: stripeId("pi"),
      created: unixNow(),
      createdMs: Date.now(),
      status: fields.paymentMethod ? "requires_confirmation" : "requires_payment_method",
      amountCapturable: 0n,
      amountReceived: 0n,
      amountRefunded: 0n,
      amountRefundPending: 0n,
      latestCharge: null,
      lastPaymentError: null,
      nextAction: null,
      canceledAt: null,
      cancellationReason: null,
      authorized: false,
      captures: 0,
      refundsSucceeded: 0,
    };
    this.intents.set(intent.id, intent);
    return intent;
  }

  searchByMetadata(key: string, value: string): Intent[] {
    return [...this.intents.values()]
      .filter((i) => i.metadata[key] === value)
      .sort((a, b) => b.created - a.created);
  }

  /** Stripe's search is eventually consistent: new intents show up only after the index lag. */
  searchIndexed(key: string, value: string, lagMs: number): Intent[] {
    const cutoff = Date.now() - lagMs;
    return this.searchByMetadata(key, value).filter((i) => i.createdMs <= cutoff);
  }

  summary(paymentId: string): ChargeSummary {
    const intents = this.searchByMetadata("payment_id", paymentId);
    const entries = intents.map((i) => ({
      ...i,
      capturedAmount: i.amountReceived,
      refundedAmount: i.amountRefunded,
    }));
    return summarize(paymentId, entries, intents.map(renderIntent));
  }

  reset(): void {
    this.intents.clear();
    this.refunds.clear();
  }
}
