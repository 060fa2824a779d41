import type { HttpReply, HttpRequest, HttpResult, ResilientHttp } from "../resilient-http.ts";
import { encodeForm, type FormParam } from "./form-encoding.ts";

const STRIPE_VERSION = "2024-06-20";

/** Stripe's HTTP surface as the connector uses it: form-encoded POSTs with idempotency keys, GETs. */
export class StripeClient {
  constructor(
    private readonly http: ResilientHttp,
    private readonly apiKey: string,
  ) {}

  post(
    path: string,
    params: Readonly<Record<string, FormParam>>,
    idempotencyKey: string,
  ): Promise<HttpResult> {
    return this.http.send({
      method: "POST",
      path,
      headers: {
        ...this.headers(),
        "content-type": "application/x-www-form-urlencoded",
        "idempotency-key": idempotencyKey,
      },
      body: encodeForm(params),
    });
  }

  get(path: string, query?: Record<string, string>): Promise<HttpResult> {
    const search = query === undefined ? "" : `?${new URLSearchParams(query).toString()}`;
    const request: HttpRequest = { method: "GET", path: `${path}${search}`, headers: this.headers() };
    return this.http.send(request);
  }

  private headers(): Record<string, string> {
    return { authorization: `Bearer ${this.apiKey}`, "stripe-version": STRIPE_VERSION };
  }
}

/**
 * Stripe's own word first: `Stripe-Should-Retry: true|false` says whether repeating the request can
 * help. Without it, a 409 is an earlier request under the same idempotency key still running.
 */
export function stripeRetryVerdict(reply: Pick<HttpReply, "status" | "headers">): boolean | undefined {
  const header = reply.headers.get("stripe-should-retry");
  if (header === "true") return true;
  if (header === "false") return false;
  return reply.status === 409 ? true : undefined;
}
