import type { HttpResult, ResilientHttp } from "../resilient-http.ts";
import { stringifyWithBigInt } from "../wire-json.ts";

export const ADYEN_API_VERSION = "v71";

/** Adyen Checkout's HTTP surface: JSON POSTs with X-API-Key and Idempotency-Key. */
export class AdyenClient {
  constructor(
    private readonly http: ResilientHttp,
    private readonly apiKey: string,
  ) {}

  post(path: string, body: unknown, idempotencyKey: string): Promise<HttpResult> {
    return this.http.send({
      method: "POST",
      path: `/${ADYEN_API_VERSION}${path}`,
      headers: {
        "x-api-key": this.apiKey,
        "content-type": "application/json",
        "idempotency-key": idempotencyKey,
      },
      body: stringifyWithBigInt(body),
    });
  }
}
