import type {
  AuthorizeOutcome,
  CallDiagnostics,
  CancelOutcome,
  CaptureOutcome,
  PspFailure,
  RefundOutcome,
} from "../../ports/payment-connector.ts";
import { reportIntegrationError } from "./alerts.ts";
import type { HttpReply, HttpResult } from "./resilient-http.ts";

type Bare<T> = T extends unknown ? Omit<T, "diagnostics"> : never;
export type AuthorizeResult = Bare<AuthorizeOutcome>;
export type CaptureResult = Bare<CaptureOutcome>;
export type CancelResult = Bare<CancelOutcome>;
export type RefundResult = Bare<RefundOutcome>;

/** A PSP answer mapped to the domain, with the PSP's own status word kept for the attempt row. */
export interface Mapped<T> {
  outcome: T;
  rawStatus?: string;
}

export type Diagnosed<T> = T & { diagnostics: CallDiagnostics };

export function indeterminate(reason: string, pspReference?: string): PspFailure {
  return pspReference === undefined
    ? { kind: "indeterminate", reason }
    : { kind: "indeterminate", reason, pspReference };
}

/** Attaches diagnostics; transport failures become indeterminate / unavailable without a mapper. */
export function diagnose<T>(result: HttpResult, map: (reply: HttpReply) => Mapped<T | PspFailure>) {
  if (result.kind === "indeterminate") {
    const diagnostics: CallDiagnostics = { requests: result.requests, httpStatus: result.lastStatus };
    return { ...indeterminate(result.reason), diagnostics } as Diagnosed<T | PspFailure>;
  }
  if (result.kind === "unavailable") {
    return {
      kind: "unavailable",
      reason: result.reason,
      diagnostics: { requests: result.requests },
    } as Diagnosed<T | PspFailure>;
  }
  const mapped = map(result.reply);
  const diagnostics: CallDiagnostics = {
    requests: result.requests,
    httpStatus: result.reply.status,
    rawStatus: mapped.rawStatus,
  };
  return { ...mapped.outcome, diagnostics } as Diagnosed<T | PspFailure>;
}

/** Refuses a call that cannot be addressed to the PSP at all; no request is made. */
export function refusedLocally(message: string, pspCode = "missing_psp_reference"): Diagnosed<PspFailure> {
  return { kind: "rejected", pspCode, message, diagnostics: { requests: 0 } };
}

/** Thrown while building a request for an amount the PSP cannot express in its own minor units. */
export class UnrepresentableAmount extends Error {}

/**
 * Builds a request body, or refuses the call without sending anything when the amount has no exact
 * form in the PSP's minor units (Stripe ISK with a fraction of a krona cannot exist, Adyen IDR sen).
 */
export function buildOrRefuse<B>(build: () => B): { body: B } | { refused: Diagnosed<PspFailure> } {
  try {
    return { body: build() };
  } catch (error) {
    if (!(error instanceof UnrepresentableAmount)) throw error;
    return {
      refused: refusedLocally(
        `amount not representable at the PSP: ${error.message}`,
        "amount_not_representable",
      ),
    };
  }
}

/** Why a status read was not made: it cannot settle anything, so it is unknown, not a refusal. */
export function unknownLocally(reason: string): Diagnosed<PspFailure> {
  return { kind: "indeterminate", reason, diagnostics: { requests: 0 } };
}

export type AttemptHook = (psp: string, operation: string, outcome: string, seconds: number) => void;

/**
 * Times a whole connector operation (retries included), reports its outcome kind, and raises the
 * integration alerts (alerts.ts).
 */
export async function observed<T extends { kind: string; diagnostics?: CallDiagnostics }>(
  hook: AttemptHook | undefined,
  psp: string,
  operation: string,
  run: () => Promise<T>,
): Promise<T> {
  const started = performance.now();
  const outcome = await run();
  try {
    reportIntegrationError(psp, operation, outcome);
    hook?.(psp, operation, outcome.kind, (performance.now() - started) / 1000);
  } catch {
    // Metrics must never change a payment outcome.
  }
  return outcome;
}
