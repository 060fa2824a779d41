import type { CaptureMethod } from "../../../domain/payment-status.ts";
import {
  type AuthorizeResult,
  type CancelResult,
  type CaptureResult,
  indeterminate,
  type Mapped,
  type RefundResult,
} from "../outcomes.ts";
import type { HttpReply } from "../resilient-http.ts";
import { successBody } from "../wire-json.ts";
import { errorOutcome, paymentOutcome } from "./transformers.ts";
import { modificationResponse, paymentResponse } from "./wire.ts";

// Adyen HTTP answers → outcomes. Modifications are asynchronous: "received" means accepted, and the
// final word comes in a CAPTURE / CANCELLATION / REFUND notification.

const unreadable = (what: string) => ({ outcome: indeterminate(`unreadable Adyen ${what}`) });

export function authorizeReply(requested: { minor: bigint; captureMethod: CaptureMethod }) {
  return (reply: HttpReply): Mapped<AuthorizeResult> => {
    if (reply.status >= 300) return errorOutcome(reply);
    const body = successBody(reply, paymentResponse);
    return body ? paymentOutcome(body, requested) : unreadable("payment response");
  };
}

function received(reply: HttpReply) {
  const body = successBody(reply, modificationResponse);
  return body?.status === "received" ? body : undefined;
}

/** `received` is not a capture: the CAPTURE notification decides, and it may say success=false. */
export function captureReply(reply: HttpReply): Mapped<CaptureResult> {
  if (reply.status >= 300) return errorOutcome(reply);
  const body = received(reply);
  if (!body) return unreadable("capture response");
  return { rawStatus: body.status, outcome: { kind: "capture_pending", pspReference: body.pspReference } };
}

/** Likewise for a cancel: the CANCELLATION notification decides. */
export function cancelReply(reply: HttpReply): Mapped<CancelResult> {
  if (reply.status >= 300) return errorOutcome(reply);
  const body = received(reply);
  if (!body) return unreadable("cancel response");
  return { rawStatus: body.status, outcome: { kind: "cancel_pending", pspReference: body.pspReference } };
}

export function refundReply(reply: HttpReply): Mapped<RefundResult> {
  if (reply.status >= 300) return errorOutcome(reply);
  const body = received(reply);
  if (!body) return unreadable("refund response");
  return {
    rawStatus: body.status,
    outcome: { kind: "refund_pending", pspRefundReference: body.pspReference },
  };
}
