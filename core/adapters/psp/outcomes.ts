import type {
  AuthorizeOutcome,
  CallDiagnostics,
  CancelOutcome,
  CaptureOutcome,
  PspFailure,
  RefundOutcome,
} from "../../ports/payment-connector.ts";
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
export function refusedLocally(message: string): Diagnosed<PspFailure> {
  return { kind: "rejected", pspCode: "missing_psp_reference", message, diagnostics: { requests: 0 } };
}

export type AttemptHook = (psp: string, operation: string, outcome: string, seconds: number) => void;

/** Times a whole connector operation (retries included) and reports its outcome kind. */
export async function observed<T extends { kind: string }>(
  hook: AttemptHook | undefined,
  psp: string,
  operation: string,
  run: () => Promise<T>,
): Promise<T> {
  const started = performance.now();
  const outcome = await run();
  try {
    hook?.(psp, operation, outcome.kind, (performance.now() - started) / 1000);
  } catch {
    // Metrics must never change a payment outcome.
  }
  return outcome;
}
