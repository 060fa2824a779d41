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
