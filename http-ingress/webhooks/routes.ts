import Router from "@koa/router";
import { errors } from "../../core/domain/errors.ts";
import { findCardData } from "../../core/domain/pan-guard.ts";
import { PSP_NAMES } from "../../core/domain/payment-status.ts";
import { webhooksReceived } from "../../core/infra/metrics.ts";
import type { WebhookVerification } from "../../core/ports/payment-connector.ts";
import type { IngressContext, IngressDeps, IngressState } from "../context.ts";
import { httpErrors } from "../http-errors.ts";
import { parseJson } from "../middleware/json-body.ts";
import { rawBody } from "../middleware/raw-body.ts";
import { receiveEvents } from "./intake.ts";
import { ADYEN_ACCEPTED, type StripeWebhookAck } from "./schema.ts";

type Failure = Extract<WebhookVerification, { ok: false }>["reason"];

const REFUSALS: Record<Failure, () => Error> = {
  missing_signature: httpErrors.webhookSignatureMissing,
  bad_signature: httpErrors.webhookSignatureInvalid,
  stale_timestamp: httpErrors.webhookTimestampExpired,
  malformed: httpErrors.webhookMalformed,
};

// processed_psp_events.event_id is VARCHAR(255); a longer id cannot be deduplicated.
const MAX_EVENT_ID = 255;
/** The PSPs' own references: Adyen's are 16 characters and were once all digits (a Luhn pass is chance). */
const PSP_REFERENCE_KEYS = new Set(["pspreference", "originalreference"]);

/**
 * POST /webhooks/stripe and /webhooks/adyen: rawBody (Content-Type, size, shape) → verify (the
 * connector, over the exact bytes) → PAN guard → dedupe insert → publish → 2xx. No idempotency keys:
 * the signature is the authentication. PSP events carry tokens and references, never card numbers;
 * one that does is refused before anything is stored, so a misconfigured PSP cannot put a PAN in our
 * database or on Kafka.
 */
export function webhookRoutes(deps: IngressDeps): Router<IngressState> {
  const router = new Router<IngressState>();
  const body = rawBody();
  for (const psp of PSP_NAMES) {
    router.post(`/webhooks/${psp}`, body, async (ctx) => {
      const intake = deps.webhooks;
      if (!intake) throw errors.unavailable("Webhook intake is not configured");
      const verification = intake.connectors[psp].verifyWebhook(
        ctx.state.rawBody ?? Buffer.alloc(0),
        headersOf(ctx),
      );
      if (!verification.ok) {
        webhooksReceived.inc({ psp, result: "rejected" });
        ctx.state.log.warn({ psp, reason: verification.reason }, "webhook rejected");
        throw REFUSALS[verification.reason]();
      }
      for (const skipped of verification.ignored ?? []) {
        // Signed by the PSP but not for this deployment: acknowledged so the PSP does not retry it for days.
        webhooksReceived.inc({ psp, result: "ignored" });
        ctx.state.log.warn(
          { psp, psp_reference: skipped.pspReference, event_type: skipped.type, reason: skipped.reason },
          "webhook event ignored",
        );
      }
      if (verification.events.some((e) => e.eventId === "" || e.eventId.length > MAX_EVENT_ID))
        throw httpErrors.webhookMalformed();
      const finding = findCardData(parseJson((ctx.state.rawBody ?? Buffer.alloc(0)).toString("utf8")), {
        referenceKeys: PSP_REFERENCE_KEYS,
      });
      if (finding) {
        ctx.state.log.warn(
          { psp, field: finding.field, reason: finding.reason },
          "webhook refused: card data",
        );
        throw httpErrors.panNotAllowed(finding.field, finding.reason);
      }
      let result: { duplicates: number };
      try {
        result = await receiveEvents(
          deps.pool,
          intake,
          verification.events,
          ctx.state.traceparent,
          ctx.state.log,
        );
      } catch (err) {
        ctx.state.log.error(
          { err: (err as Error).message, psp },
          "webhook not taken; the PSP will redeliver",
        );
        throw errors.unavailable("The webhook could not be recorded; deliver it again");
      }
      ctx.status = 200;
      if (psp === "adyen") {
        // Adyen treats anything but this body as a failed delivery.
        ctx.type = "text/plain";
        ctx.body = ADYEN_ACCEPTED;
      } else ctx.body = { received: true, duplicate: result.duplicates > 0 } satisfies StripeWebhookAck;
    });
  }
  return router;
}

function headersOf(ctx: IngressContext): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(ctx.headers))
    out[name] = Array.isArray(value) ? value.join(",") : value;
  return out;
}
