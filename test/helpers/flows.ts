import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import { type ApiResponse, api } from "./api.ts";
import { newPaymentBody, type PaymentBodyOverrides } from "./factories.ts";

/** Options for every call of a flow: another merchant's key, say. */
export type FlowOptions = Pick<NonNullable<Parameters<typeof api.post>[2]>, "apiKey" | "baseUrl">;

export async function createPayment(
  overrides: PaymentBodyOverrides = {},
  opts: FlowOptions = {},
): Promise<ApiResponse> {
  const created = await api.post("/payments", newPaymentBody(overrides), opts);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created;
}

export async function createAndConfirm(overrides: PaymentBodyOverrides = {}, opts: FlowOptions = {}) {
  const created = await createPayment(overrides, opts);
  const confirmed = await api.post(`/payments/${created.body.payment_id}/confirm`, {}, opts);
  return { paymentId: created.body.payment_id as string, created, confirmed };
}

/** Polls GET /payments/{id} until `done` holds (for outcomes that arrive asynchronously). */
export async function waitForPayment(
  paymentId: string,
  done: (p: any) => boolean,
  timeoutMs = 30_000,
  opts: FlowOptions = {},
): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await api.get(`/payments/${paymentId}`, opts);
    if (res.status === 200 && done(res.body)) return res.body;
    if (Date.now() > deadline) throw new Error(`payment ${paymentId} still ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * A capture or void answered 202 is accepted by the PSP and decided later (Adyen `[capture-received]`,
 * then its CAPTURE / CANCELLATION notification): waits for the payment to reach `status`.
 */
export async function settledOperation(
  answer: ApiResponse,
  paymentId: string,
  status: "succeeded" | "canceled",
  opts: FlowOptions = {},
): Promise<any> {
  expect([200, 202], JSON.stringify(answer.body)).toContain(answer.status);
  if (answer.status === 200) return answer.body;
  return waitForPayment(paymentId, (p) => p.status === status, 30_000, opts);
}

/** Answers that leave the outcome open: accepted but not decided yet, shed, or the key still in flight. */
function undecided(answer: ApiResponse): boolean {
  const code = answer.body?.error?.code;
  return (
    answer.status === 202 ||
    (answer.status === 503 && code === "overloaded") ||
    (answer.status === 409 && code === "idempotency_key_in_use")
  );
}

/**
 * POSTs as a careful client does: with an Idempotency-Key, re-sent unchanged while the answer leaves the
 * outcome open (202, 503 `overloaded`, the key still in flight), until the service gives the command's
 * final answer. A deadline that passes fails the test. Use it where a test counts outcomes and a loaded
 * shared service may answer some requests before it knows them.
 */
export async function postUntilDecided(
  path: string,
  body: unknown,
  opts: FlowOptions = {},
  timeoutMs = 60_000,
): Promise<ApiResponse> {
  const idempotencyKey = `decided-${randomUUID()}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await api.post(path, body, { ...opts, idempotencyKey });
    if (!undecided(answer)) return answer;
    if (Date.now() > deadline) {
      throw new Error(
        `POST ${path} still undecided after ${timeoutMs} ms: ${answer.status} ${JSON.stringify(answer.body)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
