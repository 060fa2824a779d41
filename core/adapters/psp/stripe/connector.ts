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
  RefundStatusRequest,
  SyncOutcome,
  SyncRequest,
  VerifiedWebhookEvent,
  WebhookVerification,
} from "../../../ports/payment-connector.ts";
import {
  type AttemptHook,
  buildOrRefuse,
  diagnose,
  observed,
  refusedLocally,
  unknownLocally,
} from "../outcomes.ts";
import { type ResilienceSettings, ResilientHttp } from "../resilient-http.ts";
import { StripeClient, stripeRetryVerdict } from "./client.ts";
import { authorizeReply, cancelReply, captureReply, refundReply, syncReply } from "./replies.ts";
import {
  authorizeParams,
  captureParams,
  stripeIdempotencyKeys as keys,
  refundParams,
  type StripePaymentFields,
} from "./requests.ts";
import { verifyStripeWebhook } from "./webhook.ts";
import { interpretStripeEvent } from "./webhook-events.ts";

export interface StripeConnectorOptions extends ResilienceSettings {
  baseUrl: string;
  apiKey: string;
  /** The webhook signing secret, or every secret active during a rotation. */
  webhookSecret: string | readonly string[];
  /** Whether webhook events must be live-mode ones (PSP_ENVIRONMENT=live); default false. */
  live?: boolean;
  /** Where Stripe sends the shopper back after a redirect-based next action; sent only when set. */
  returnUrl?: string;
  onAttempt?: AttemptHook;
}

const intentPath = (id: string) => `/v1/payment_intents/${encodeURIComponent(id)}`;
const refundPath = (id: string) => `/v1/refunds/${encodeURIComponent(id)}`;

export class StripeConnector implements PaymentConnector {
  readonly name = "stripe" as const;
  readonly http: ResilientHttp;
  private readonly client: StripeClient;

  constructor(private readonly options: StripeConnectorOptions) {
    // A request that timed out is repeated under its idempotency key, which Stripe answers with the
    // stored response (Stripe's documented recovery); the budget keeps the whole call bounded.
    this.http = new ResilientHttp({
      ...options,
      budgetMs: options.budgetMs ?? 2 * options.timeoutMs,
      name: "stripe",
      retryVerdict: stripeRetryVerdict,
      retryTimeouts: true,
    });
    this.client = new StripeClient(this.http, options.apiKey);
  }

  authorize(req: AuthorizeRequest): Promise<AuthorizeOutcome> {
    return this.observe("authorize", () => this.createAndConfirm(req));
  }

  capture(req: CaptureRequest): Promise<CaptureOutcome> {
    if (req.pspReference === "") return Promise.resolve(refusedLocally("capture needs the PaymentIntent id"));
    const built = buildOrRefuse(() => captureParams(req));
    if ("refused" in built) return Promise.resolve(built.refused);
    return this.observe("capture", async () =>
      diagnose(
        await this.client.post(
          `${intentPath(req.pspReference)}/capture`,
          built.body,
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
    const built = buildOrRefuse(() => refundParams(req));
    if ("refused" in built) return Promise.resolve(built.refused);
    return this.observe("refund", async () =>
      diagnose(await this.client.post("/v1/refunds", built.body, keys.refund(req.refundId)), refundReply),
    );
  }

  /**
   * Authoritative sources only, never search (eventually consistent: "not found" proves nothing).
   * With the intent id: retrieve it. Without (the create call's answer was lost): replay the original
   * create-and-confirm under its Idempotency-Key; Stripe answers with the stored response, or, if the
   * first request never arrived, runs it now, once. Keys live 24 h at Stripe.
   */
  sync(req: SyncRequest): Promise<SyncOutcome> {
    if (req.pspReference)
      return this.observe("sync", async () => {
        const result = await this.client.get(intentPath(req.pspReference ?? ""));
        return diagnose(result, syncReply) as SyncOutcome;
      });
    const { paymentMethodToken, captureMethod } = req;
    if (paymentMethodToken === undefined || captureMethod === undefined)
      return Promise.resolve(
        unknownLocally(
          "Stripe sync without the intent id needs paymentMethodToken and captureMethod to replay",
        ),
      );
    return this.observe("sync", () => this.createAndConfirm({ ...req, paymentMethodToken, captureMethod }));
  }

  refundStatus(req: RefundStatusRequest): Promise<RefundOutcome> {
    if (req.pspRefundReference === "")
      return Promise.resolve(
        unknownLocally("refund status needs the Stripe refund id; replay the refund instead"),
      );
    return this.observe("refund_status", async () =>
      diagnose(await this.client.get(refundPath(req.pspRefundReference)), refundReply),
    );
  }

  verifyWebhook(
    rawBody: Buffer,
    headers: Record<string, string | undefined>,
    now?: Date,
  ): WebhookVerification {
    const { webhookSecret, live = false } = this.options;
    const secrets = typeof webhookSecret === "string" ? [webhookSecret] : webhookSecret;
    return verifyStripeWebhook(rawBody, headers, { secrets, live }, now);
  }

  interpretWebhook(event: VerifiedWebhookEvent): InterpretedWebhook {
    return interpretStripeEvent(event);
  }

  private async createAndConfirm(fields: StripePaymentFields): Promise<AuthorizeOutcome> {
    const built = buildOrRefuse(() => authorizeParams(fields, this.options.returnUrl));
    if ("refused" in built) return built.refused;
    const result = await this.client.post(
      "/v1/payment_intents",
      built.body,
      keys.authorize(fields.attemptId),
    );
    return diagnose(result, authorizeReply);
  }

  private observe<T extends { kind: string }>(operation: string, run: () => Promise<T>): Promise<T> {
    return observed(this.options.onAttempt, "stripe", operation, run);
  }
}
