import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "../helpers/api.ts";
import { newPaymentBody } from "../helpers/factories.ts";
import {
  eventually,
  type PrivateService,
  processState,
  startPrivateService,
} from "../helpers/private-service.ts";
import { simCharges } from "../helpers/psp-simulators.ts";

// Its own service, database and simulators: these tests pause and kill the PSP.
let svc: PrivateService;

beforeAll(async () => {
  svc = await startPrivateService("lifecycle", {
    PSP_TIMEOUT_MS: "2000",
    JANITOR_INTERVAL_MS: "500",
    JANITOR_MIN_AGE_MS: "6000",
    JANITOR_FIRST_CHECK_MS: "1000",
    JANITOR_MAX_BACKOFF_MS: "2000",
    REPLY_TIMEOUT_MS: "8000",
  });
}, 180_000);

afterAll(async () => {
  await svc?.stop();
});

const post = (path: string, body: unknown = {}) => api.post(path, body, { baseUrl: svc.baseUrl });
const get = (path: string) => api.get(path, { baseUrl: svc.baseUrl });

async function paidPayment(psp: "stripe" | "adyen") {
  const created = await post("/payments", newPaymentBody({ psp, amount: "10.00" }));
  expect(created.status).toBe(201);
  const confirmed = await post(`/payments/${created.body.payment_id}/confirm`);
  expect(confirmed.status).toBe(200);
  expect(confirmed.body.status).toBe("succeeded");
  return created.body.payment_id as string;
}

async function attempts(paymentId: string) {
  const { rows } = await svc.db.query(
    "SELECT operation, status, sync_count FROM payment_attempts WHERE payment_id = $1 ORDER BY started_at",
    [paymentId],
  );
  return rows as Array<{ operation: string; status: string; sync_count: number }>;
}

describe("a refund whose PSP call timed out (the stuck refund)", () => {
  it("is settled by the janitor once the PSP answers again, and a second refund is accepted", async () => {
    const paymentId = await paidPayment("stripe");
    const stripe = svc.sims.stripe.process.child;
    stripe.kill("SIGSTOP");
    expect(await processState(stripe.pid as number)).toBe("T");
    let refund: Awaited<ReturnType<typeof post>>;
    try {
      refund = await post(`/payments/${paymentId}/refund`, { amount: "1.00" });
    } finally {
      stripe.kill("SIGCONT");
    }
    expect(refund.status).toBe(202);
    expect(refund.body.status).toBe("pending");

    const settled = await eventually("the refund to settle", async () => {
      const { rows } = await svc.db.query("SELECT status FROM refunds WHERE refund_id = $1", [
        refund.body.refund_id,
      ]);
      return rows[0]?.status === "pending" ? undefined : (rows[0]?.status as string);
    });
    const atPsp = await simCharges(svc.sims.stripe.base, paymentId);
    if (settled === "succeeded") expect(atPsp.refunded_amount).toBe(100n);
    else expect(atPsp.refunded_amount).toBe(0n);
    expect(await get(`/payments/${paymentId}`)).toMatchObject({
      body: { amount_refunded: settled === "succeeded" ? "1.00" : "0.00" },
    });

    const second = await post(`/payments/${paymentId}/refund`, { amount: "2.00" });
    expect(second.status).toBe(200);
    expect(second.body.status).toBe("succeeded");
  }, 60_000);
});

describe("an authorization whose answer never came", () => {
  it("is never failed by a local error: with the PSP unreachable it stays processing, then settles once", async () => {
    const created = await post("/payments", newPaymentBody({ psp: "stripe" }));
    const paymentId = created.body.payment_id as string;
    const stripe = svc.sims.stripe.process.child;
    stripe.kill("SIGSTOP");
    expect(await processState(stripe.pid as number)).toBe("T");
    const confirmed = await post(`/payments/${paymentId}/confirm`);
    expect(confirmed.status).toBe(202);
    expect(confirmed.body.status).toBe("processing");
    // The PSP goes away before it ever answered: every janitor re-read is refused before it is sent.
    await svc.sims.stripe.process.stop("SIGKILL");
    await eventually("janitor checks against the unreachable PSP", async () => {
      const [a] = await attempts(paymentId);
      return a && a.sync_count >= 2 ? a : undefined;
    });
    const [open] = await attempts(paymentId);
    expect(open?.status).toBe("unknown");
    expect((await get(`/payments/${paymentId}`)).body.status).toBe("processing");
    // A client retry meets the open attempt instead of starting a second charge.
    const retry = await post(`/payments/${paymentId}/confirm`);
    expect(retry.status).toBe(409);

    await svc.restartSim("stripe");
    const settled = await eventually("the authorization to settle", async () => {
      const p = (await get(`/payments/${paymentId}`)).body;
      return p.status === "processing" ? undefined : p;
    });
    // The killed simulator never processed the request: the replay under the same key charges once.
    expect(settled.status).toBe("succeeded");
    expect((await simCharges(svc.sims.stripe.base, paymentId)).authorizations).toBe(1);
  }, 90_000);
});
