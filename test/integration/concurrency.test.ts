import { describe, expect, it } from "vitest";
import { api } from "../helpers/api.ts";
import { testDb } from "../helpers/db.ts";
import { createAndConfirm, createPayment } from "../helpers/flows.ts";
import { simulatorCharges } from "../helpers/psp-simulators.ts";

describe.each(["stripe", "adyen"] as const)("concurrency on %s", (psp) => {
  it("20 parallel confirms of one payment charge it exactly once", async () => {
    const created = await createPayment({ psp, amount: "25.00" });
    const id = created.body.payment_id;
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => api.post(`/payments/${id}/confirm`, {})),
    );

    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    for (const a of answers.filter((x) => x.status === 409)) expect(a.body.error.code).toBe("invalid_state");
    expect((await simulatorCharges(psp, id)).authorizations).toBe(1);
    const attempts = await testDb().query(
      "SELECT count(*)::int AS n FROM payment_attempts WHERE payment_id = $1",
      [id],
    );
    expect(attempts.rows[0].n).toBe(1);
  });

  it("20 parallel refunds never exceed the captured amount", async () => {
    const { paymentId } = await createAndConfirm({ psp, amount: "10.00" });
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => api.post(`/payments/${paymentId}/refund`, { amount: "1.00" })),
    );
    const accepted = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 409);
    expect(accepted).toHaveLength(10);
    expect(refused).toHaveLength(10);
    for (const r of refused) expect(r.body.error.code).toBe("refund_exceeds_captured");

    const ledger = await testDb().query(
      `SELECT sum(amount)::text AS total, count(*)::int AS n FROM refunds WHERE payment_id = $1 AND status <> 'failed'`,
      [paymentId],
    );
    expect(ledger.rows[0]).toEqual({ total: "10.00", n: 10 });
    const charges = await simulatorCharges(psp, paymentId);
    expect(charges.refunds).toBe(10);
    expect(charges.refunded_amount).toBe(1000n);
  });
});
