import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AdyenConnector } from "../../core/adapters/psp/adyen/connector.ts";
import { StripeConnector } from "../../core/adapters/psp/stripe/connector.ts";
import { authorizeRequest } from "../helpers/psp-requests.ts";

// A scripted PSP over real HTTP: each request takes the next step of the script, so transport
// behaviour (timeouts, retry headers, throttling) can be driven exactly. Requests are recorded.
type Step = { hangMs?: number; status: number; body: unknown; headers?: Record<string, string> };

let server: Server;
let baseUrl = "";
let script: Step[] = [];
const seen: Array<{ path: string; idempotencyKey: string | undefined }> = [];

function handle(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  req.on("end", () => {
    seen.push({ path: req.url ?? "", idempotencyKey: req.headers["idempotency-key"] as string | undefined });
    const step = script.shift() ?? {
      status: 500,
      body: { error: { type: "api_error", message: "script ended" } },
    };
    const answer = () => {
      if (res.destroyed) return;
      res.writeHead(step.status, { "content-type": "application/json", ...step.headers });
      res.end(JSON.stringify(step.body));
    };
    if (step.hangMs) setTimeout(answer, step.hangMs);
    else answer();
  });
}

const succeeded = {
  id: "pi_script",
  object: "payment_intent",
  amount: 1000,
  amount_capturable: 0,
  amount_received: 1000,
  currency: "usd",
  status: "succeeded",
  capture_method: "automatic",
};
const apiError = { error: { type: "api_error", message: "An unknown error occurred" } };
const rateLimited = {
  error: { type: "invalid_request_error", code: "rate_limit", message: "Too many requests" },
};

const fast = { minBackoffMs: 10, maxBackoffMs: 20 };
const stripe = (timing: { timeoutMs: number; budgetMs?: number }) =>
  new StripeConnector({ baseUrl, apiKey: "sk_test_script", webhookSecret: "whsec", ...fast, ...timing });

describe("PSP transport: timeouts, retry verdicts and throttling", () => {
  beforeAll(async () => {
    server = createServer(handle);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    script = [];
    seen.length = 0;
  });

  it("Stripe repeats a timed-out request under the same Idempotency-Key and takes the stored answer", async () => {
    script = [
      { hangMs: 1_000, status: 200, body: succeeded },
      { status: 200, body: succeeded },
    ];
    const req = authorizeRequest();
    const outcome = await stripe({ timeoutMs: 200 }).authorize(req);
    expect(outcome).toMatchObject({ kind: "authorized", diagnostics: { requests: 2 } });
    expect(seen.map((s) => s.idempotencyKey)).toEqual([`authz_${req.attemptId}`, `authz_${req.attemptId}`]);
  });

  it("stops within its budget when the PSP never answers: indeterminate", async () => {
    script = Array.from({ length: 10 }, () => ({ hangMs: 2_000, status: 200, body: succeeded }));
    const started = Date.now();
    const outcome = await stripe({ timeoutMs: 200, budgetMs: 500 }).authorize(authorizeRequest());
    const elapsed = Date.now() - started;
    expect(outcome.kind).toBe("indeterminate");
    expect(outcome.diagnostics.requests).toBeGreaterThanOrEqual(2);
    expect(elapsed).toBeLessThan(900);
  });

  it("does not repeat a 500 that Stripe marks Stripe-Should-Retry: false", async () => {
    script = [{ status: 500, body: apiError, headers: { "stripe-should-retry": "false" } }];
    const outcome = await stripe({ timeoutMs: 1_000 }).authorize(authorizeRequest());
    expect(outcome).toMatchObject({ kind: "indeterminate", diagnostics: { requests: 1, httpStatus: 500 } });
  });

  it("repeats a 4xx that Stripe marks Stripe-Should-Retry: true", async () => {
    const lockTimeout = { error: { type: "invalid_request_error", code: "lock_timeout", message: "locked" } };
    script = [
      { status: 400, body: lockTimeout, headers: { "stripe-should-retry": "true" } },
      { status: 200, body: succeeded },
    ];
    const outcome = await stripe({ timeoutMs: 1_000 }).authorize(authorizeRequest());
    expect(outcome).toMatchObject({ kind: "authorized", diagnostics: { requests: 2 } });
  });

  it("reads nothing but 429s as unavailable, and 429s after a 500 as indeterminate", async () => {
    script = Array.from({ length: 4 }, () => ({ status: 429, body: rateLimited }));
    expect(await stripe({ timeoutMs: 1_000 }).authorize(authorizeRequest())).toMatchObject({
      kind: "unavailable",
      diagnostics: { requests: 4 },
    });
    script = [
      { status: 500, body: apiError },
      ...Array.from({ length: 3 }, () => ({ status: 429, body: rateLimited })),
    ];
    expect((await stripe({ timeoutMs: 1_000 }).authorize(authorizeRequest())).kind).toBe("indeterminate");
  });

  it("Adyen: nothing but 429s is unavailable; a timeout is not repeated (no retry of timeouts)", async () => {
    const adyen = new AdyenConnector({
      baseUrl,
      apiKey: "k",
      merchantAccount: "M",
      hmacKeyHex: "00",
      timeoutMs: 200,
      ...fast,
    });
    const throttled = {
      status: 429,
      errorCode: "000",
      message: "Too Many Requests",
      errorType: "validation",
    };
    script = Array.from({ length: 4 }, () => ({ status: 429, body: throttled }));
    expect((await adyen.authorize(authorizeRequest())).kind).toBe("unavailable");
    script = [{ hangMs: 1_000, status: 200, body: {} }];
    expect(await adyen.authorize(authorizeRequest())).toMatchObject({
      kind: "indeterminate",
      diagnostics: { requests: 1 },
    });
  });
});
