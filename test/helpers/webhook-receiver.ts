import type { IncomingHttpHeaders } from "node:http";
import type { PaymentConnector, VerifiedWebhookEvent } from "../../core/ports/payment-connector.ts";
import { eventually } from "./wait.ts";

/** A webhook delivery a test's own receiver took, raw. */
export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * Waits for a delivery to `/webhooks/<psp>` that verifies with the connector and carries an event of
 * `type` about `pspReference`. A delivery that fails verification fails the test at once.
 */
export async function verifiedEventFor(
  received: readonly ReceivedWebhook[],
  connector: PaymentConnector,
  pspReference: string,
  type: string,
  timeoutMs = 5_000,
): Promise<VerifiedWebhookEvent> {
  let badSignature: string | null = null;
  const event = await eventually(
    `a ${type} webhook for ${pspReference}`,
    async () => {
      for (const delivery of received.filter((r) => r.path === `/webhooks/${connector.name}`)) {
        const headers = Object.fromEntries(Object.entries(delivery.headers).map(([k, v]) => [k, String(v)]));
        const verified = connector.verifyWebhook(delivery.body, headers);
        if (!verified.ok) {
          badSignature = verified.reason;
          return null;
        }
        const found = verified.events.find((e) => e.pspReference === pspReference && e.type === type);
        if (found) return found;
      }
      return undefined;
    },
    timeoutMs,
    50,
  );
  if (event === null) throw new Error(`webhook failed verification: ${badSignature}`);
  return event;
}
