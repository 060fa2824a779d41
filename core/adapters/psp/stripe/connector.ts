import type { InterpretedWebhook } from "../../../domain/psp-facts.ts";
import type {
  AuthorizeOutcome,
  AuthorizeRequest,
  CancelOutcome,
  CancelRequest,
  CaptureOutcome,
  CaptureRequest,
  PaymentConnector,
  RefundOutcome,
  RefundRequest,
  SyncOutcome,
  SyncRequest,
  VerifiedWebhookEvent,
  WebhookVerification,
} from "../../../ports/payment-connector.ts";
import { type AttemptHook, diagnose, observed, refusedLocally } from "../outcomes.ts";
import { type ResilienceSettings, ResilientHttp } from "../resilient-http.ts";
import { StripeClient, stripeRetryable } from "./client.ts";
import { authorizeReply, cancelReply, captureReply, refundReply } from "./replies.ts";
import {
  attemptSearchQuery,
  authorizeParams,
  captureParams,
  stripeIdempotencyKeys as keys,
  refundParams,
} from "./requests.ts";
import { syncReply } from "./sync.ts";
import { verifyStripeWebhook } from "./webhook.ts";
import { interpretStripeEvent } from "./webhook-events.ts";

export interface StripeConnectorOptions extends ResilienceSettings {
  baseUrl: string;
  apiKey: string;
  webhookSecret: string;
  onAttempt?: AttemptHook;
}

const intentPath = (id: string) => `/v1/payment_intents/${encodeURIComponent(id)}`;

export class StripeConnector implements PaymentConnector {
  readonly name = "stripe" as const;
  readonly http: ResilientHttp;
  private readonly client: StripeClient;

  constructor(private readonly options: StripeConnectorOptions) {
    this.http = new ResilientHttp({ ...options, name: "stripe", isRetryable: stripeRetryable });
    this.client = new StripeClient(this.http, options.apiKey);
  }

  authorize(req: AuthorizeRequest): Promise<AuthorizeOutcome> {
    return this.observe("authorize", async () =>
      diagnose(
        await this.client.post("/v1/payment_intents", authorizeParams(req), keys.authorize(req.attemptId)),
        authorizeReply,
      ),
    );
  }

  capture(req: CaptureRequest): Promise<CaptureOutcome> {
    if (req.pspReference === "") return Promise.resolve(refusedLocally("capture needs the PaymentIntent id"));
    return this.observe("capture", async () =>
      diagnose(
        await this.client.post(
          `${intentPath(req.pspReference)}/capture`,
          captureParams(req),
          keys.capture(req.attemptId),
        ),
        captureReply,
      ),
    );
  }

  cancel(req: CancelRequest): Promise<CancelOutcome> {
    if (req.pspReference === "") return Promise.resolve(refusedLocally("cancel needs the PaymentIntent id"));
    return this.observe("cancel", async () =>
      diagnose(
        await this.client.post(`${intentPath(req.pspReference)}/cancel`, {}, keys.cancel(req.attemptId)),
        cancelReply,
      ),
    );
  }

  refund(req: RefundRequest): Promise<RefundOutcome> {
    if (req.pspReference === "") return Promise.resolve(refusedLocally("refund needs the PaymentIntent id"));
    return this.observe("refund", async () =>
      diagnose(
        await this.client.post("/v1/refunds", refundParams(req), keys.refund(req.refundId)),
        refundReply,
      ),
    );
  }

  /** By id when the create call answered; otherwise by the attempt id we put in metadata. */
  sync(req: SyncRequest): Promise<SyncOutcome> {
    return this.observe("sync", async () => {
      const result = req.pspReference
        ? await this.client.get(intentPath(req.pspReference))
        : await this.client.get("/v1/payment_intents/search", { query: attemptSearchQuery(req.attemptId) });
      return diagnose(result, syncReply) as SyncOutcome;
    });
  }

  verifyWebhook(
    rawBody: Buffer,
    headers: Record<string, string | undefined>,
    now?: Date,
  ): WebhookVerification {
    return verifyStripeWebhook(rawBody, headers, this.options.webhookSecret, now);
  }

  interpretWebhook(event: VerifiedWebhookEvent): InterpretedWebhook {
    return interpretStripeEvent(event);
  }

  private observe<T extends { kind: string }>(operation: string, run: () => Promise<T>): Promise<T> {
    return observed(this.options.onAttempt, "stripe", operation, run);
  }
}
