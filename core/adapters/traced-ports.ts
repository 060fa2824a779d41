import type { PspName } from "../domain/payment-status.ts";
import { inSpan, SpanKind } from "../infra/tracing/spans.ts";
import type { FraudScorer } from "../ports/fraud-scorer.ts";
import type { PaymentConnector } from "../ports/payment-connector.ts";

const PSP_CALLS = ["authorize", "capture", "cancel", "refund", "sync", "refundStatus"] as const;

/** The connector with a span around every PSP call (`psp.stripe.authorize`, …); the HTTP requests nest inside. */
export function tracedConnector(connector: PaymentConnector): PaymentConnector {
  const traced = Object.create(connector) as PaymentConnector;
  for (const call of PSP_CALLS) {
    const original = connector[call].bind(connector) as (req: unknown) => Promise<unknown>;
    (traced as unknown as Record<string, unknown>)[call] = (req: { paymentId?: string }) =>
      inSpan(
        `psp.${connector.name}.${call}`,
        {
          kind: SpanKind.CLIENT,
          attributes: { "payment.psp": connector.name, "payment.id": req.paymentId ?? "" },
        },
        () => original(req),
      );
  }
  return traced;
}

export function tracedConnectors(
  connectors: Record<PspName, PaymentConnector>,
): Record<PspName, PaymentConnector> {
  return { stripe: tracedConnector(connectors.stripe), adyen: tracedConnector(connectors.adyen) };
}

export function tracedFraudScorer(scorer: FraudScorer): FraudScorer {
  return {
    evaluate: (req) => inSpan("fraud.evaluate", { kind: SpanKind.CLIENT }, () => scorer.evaluate(req)),
  };
}
