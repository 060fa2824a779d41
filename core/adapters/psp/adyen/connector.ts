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
import { AdyenClient } from "./client.ts";
import { authorizeReply, cancelReply, captureReply, refundReply } from "./replies.ts";
import {
  captureBody,
  adyenIdempotencyKeys as keys,
  type PaymentFields,
  paymentBody,
  refundBody,
  syncFields,
} from "./requests.ts";
import { adyenRetryVerdict } from "./transformers.ts";
import { verifyAdyenWebhook } from "./webhook.ts";
import { interpretAdyenEvent } from "./webhook-events.ts";

export interface AdyenConnectorOptions extends ResilienceSettings {
  baseUrl: string;
  apiKey: string;
  merchantAccount: string;
  /** The notification HMAC key, or every key active during a rotation. */
  hmacKeyHex: string | readonly string[];
  /** Whether notifications must be live ones (PSP_ENVIRONMENT=live); default false. */
  live?: boolean;
  onAttempt?: AttemptHook;
}

const modificationPath = (psp: string, kind: string) => `/payments/${encodeURIComponent(psp)}/${kind}`;

export class AdyenConnector implements PaymentConnector {
  readonly name = "adyen" as const;
  readonly http: ResilientHttp;
  private readonly client: AdyenClient;

  constructor(private readonly options: AdyenConnectorOptions) {
    this.http = new ResilientHttp({ ...options, name: "adyen", retryVerdict: adyenRetryVerdict });
    this.client = new AdyenClient(this.http, options.apiKey);
  }

  authorize(req: AuthorizeRequest): Promise<AuthorizeOutcome> {
    return this.observe("authorize", () => this.postPayment(req));
  }

  capture(req: CaptureRequest): Promise<CaptureOutcome> {
    if (req.pspReference === "")
      return Promise.resolve(refusedLocally("capture needs the payment pspReference"));
    const built = buildOrRefuse(() => captureBody(req, this.options.merchantAccount));
    if ("refused" in built) return Promise.resolve(built.refused);
    return this.observe("capture", async () => {
      const path = modificationPath(req.pspReference, "captures");
      return diagnose(await this.client.post(path, built.body, keys.capture(req.attemptId)), captureReply);
    });
  }

  cancel(req: CancelRequest): Promise<CancelOutcome> {
    if (req.pspReference === "")
      return Promise.resolve(refusedLocally("cancel needs the payment pspReference"));
    return this.observe("cancel", async () => {
      const body = { merchantAccount: this.options.merchantAccount, reference: req.attemptId };
      const path = modificationPath(req.pspReference, "cancels");
      return diagnose(await this.client.post(path, body, keys.cancel(req.attemptId)), cancelReply);
    });
  }

  refund(req: RefundRequest): Promise<RefundOutcome> {
    if (req.pspReference === "")
      return Promise.resolve(refusedLocally("refund needs the payment pspReference"));
    const built = buildOrRefuse(() => refundBody(req, this.options.merchantAccount));
    if ("refused" in built) return Promise.resolve(built.refused);
    return this.observe("refund", async () => {
      const path = modificationPath(req.pspReference, "refunds");
      return diagnose(await this.client.post(path, built.body, keys.refund(req.refundId)), refundReply);
    });
  }

  /**
   * Adyen has no status API: the original /payments request is re-sent under its Idempotency-Key and
   * Adyen answers with the stored result. If the original never arrived, this authorizes now (once).
   */
  sync(req: SyncRequest): Promise<SyncOutcome> {
    const fields = syncFields(req);
    if (fields === undefined) {
      const reason = "Adyen sync needs paymentMethodToken and captureMethod to replay /payments";
      return Promise.resolve({ kind: "indeterminate", reason, diagnostics: { requests: 0 } });
    }
    return this.observe("sync", () => this.postPayment(fields));
  }

  /**
   * Adyen Checkout has no refund status API: a refund is `received`, and only the REFUND (success
   * true or false) or REFUND_FAILED notification ends it. Re-sending /refunds under the same key
   * would only replay `received`, so no request is made: the answer stays `refund_pending`.
   */
  refundStatus(req: RefundStatusRequest): Promise<RefundOutcome> {
    if (req.pspRefundReference === "")
      return Promise.resolve(unknownLocally("no Adyen refund reference; replay the refund instead"));
    return Promise.resolve({
      kind: "refund_pending",
      pspRefundReference: req.pspRefundReference,
      diagnostics: { requests: 0, rawStatus: "no_status_api" },
    });
  }

  verifyWebhook(
    rawBody: Buffer,
    _headers: Record<string, string | undefined>,
    now?: Date,
  ): WebhookVerification {
    const { hmacKeyHex, merchantAccount, live = false } = this.options;
    const hmacKeysHex = typeof hmacKeyHex === "string" ? [hmacKeyHex] : hmacKeyHex;
    return verifyAdyenWebhook(rawBody, { hmacKeysHex, merchantAccount, live }, now);
  }

  private async postPayment(fields: PaymentFields): Promise<AuthorizeOutcome> {
    const built = buildOrRefuse(() => paymentBody(fields, this.options.merchantAccount));
    if ("refused" in built) return built.refused;
    const result = await this.client.post("/payments", built.body, keys.authorize(fields.attemptId));
    return diagnose(
      result,
      authorizeReply({ minor: fields.amount.minor, captureMethod: fields.captureMethod }),
    );
  }

  interpretWebhook(event: VerifiedWebhookEvent): InterpretedWebhook {
    return interpretAdyenEvent(event);
  }

  private observe<T extends { kind: string }>(operation: string, run: () => Promise<T>): Promise<T> {
    return observed(this.options.onAttempt, "adyen", operation, run);
  }
}
