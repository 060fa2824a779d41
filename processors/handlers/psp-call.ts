import type { PspName } from "../../core/domain/payment-status.ts";
import { attemptDuration } from "../../core/infra/metrics.ts";

/** Times one connector operation (retries included) into payment_attempt_duration_seconds. */
export async function callPsp<T extends { kind: string }>(
  psp: PspName,
  operation: string,
  call: () => Promise<T>,
): Promise<T> {
  const end = attemptDuration.startTimer({ psp, operation });
  const outcome = await call();
  end({ outcome: outcome.kind });
  return outcome;
}
