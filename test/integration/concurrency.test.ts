import { describe, expect, it } from "vitest";
import type { ApiResponse } from "../helpers/api.ts";
import { testDb } from "../helpers/db.ts";
import { createPayment, postUntilDecided } from "../helpers/flows.ts";
import { simulatorCharges } from "../helpers/psp-simulators.ts";

describe.each(["stripe", "adyen"] as const)("concurrency on %s", (psp) => {
  it("20 parallel confirms of one payment charge it exactly once", async () => {
    const created = await createPayment({ psp, amount: "25.00" });
    const id = created.body.payment_id;
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => postUntilDecided(`/payments/${id}/confirm`, {})),
    );

    const statuses = answers.map((a) => a.status).sort();
    expect(statuses, summary(answers)).toEqual([200, ...Array(19).fill(409)]);
    for (const a of answers.filter((x) => x.status === 409)) expect(a.body.error.code).toBe("invalid_state");
    expect((await simulatorCharges(psp, id)).authorizations).toBe(1);
    const attempts = await testDb().query(
      "SELECT count(*)::int AS n FROM payment_attempts WHERE payment_id = $1",
      [id],
    );
    expect(attempts.rows[0].n).toBe(1);
  });

  it("20 parallel refunds never exceed the captured amount", async () => {
    const paymentId = (await createPayment({ psp, amount: "10.00" })).body.payment_id;
    const confirmed = await postUntilDecided(`/payments/${paymentId}/confirm`, {});
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => postUntilDecided(`/payments/${paymentId}/refund`, { amount: "1.00" })),
    );
    expect(answers.map((a) => a.status).sort(), summary(answers)).toEqual([
      ...Array(10).fill(200),
      ...Array(10).fill(409),
    ]);
    const refused = answers.filter((a) => a.status === 409);
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

function summary(answers: ApiResponse[]): string {
  return answers.map((a) => `${a.status} ${a.body?.error?.code ?? a.body?.status ?? ""}`).join(", ");
}
