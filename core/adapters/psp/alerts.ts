import { Counter } from "prom-client";
import { logger } from "../../infra/logger.ts";
import type { CallDiagnostics } from "../../ports/payment-connector.ts";

/**
 * PSP answers that need a person, not a retry: our credentials refused (configuration_error), or an
 * idempotency key reused with other parameters (a bug on our side, and the first request under the
 * key may have charged). Counted and logged at error level by the connectors themselves, so no
 * caller can forget to.
 */
export const pspIntegrationErrors = new Counter({
  name: "psp_integration_errors_total",
  help: "PSP answers that point at our integration (credentials, idempotency key misuse), by PSP, operation and kind",
  labelNames: ["psp", "operation", "kind"] as const,
});

type Observed = { kind: string; diagnostics?: CallDiagnostics; pspCode?: string; reason?: string };

export function integrationErrorKind(outcome: Observed): string | undefined {
  if (outcome.kind === "configuration_error") return "configuration_error";
  if (outcome.kind === "indeterminate" && outcome.diagnostics?.rawStatus === "idempotency_error")
    return "idempotency_error";
  return undefined;
}

export function reportIntegrationError(psp: string, operation: string, outcome: Observed): void {
  const kind = integrationErrorKind(outcome);
  if (kind === undefined) return;
  pspIntegrationErrors.inc({ psp, operation, kind });
  logger.error(
    {
      psp,
      operation,
      kind,
      psp_code: outcome.pspCode,
      reason: outcome.reason,
      http_status: outcome.diagnostics?.httpStatus,
    },
    kind === "configuration_error"
      ? "PSP refused our credentials: fix the PSP configuration"
      : "PSP idempotency key reused with other parameters: outcome unknown until synced",
  );
}
