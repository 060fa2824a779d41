import { describe, expect, it } from "vitest";
import { api } from "../helpers/api.ts";
import { createAndConfirm } from "../helpers/flows.ts";

describe("/metrics", () => {
  it("exposes the payment metrics named in the spec, with psp and outcome labels", async () => {
    await createAndConfirm({ psp: "stripe" });
    await createAndConfirm({ psp: "stripe", token: "pm_card_chargeDeclined" });
    const res = await api.get("/metrics");
    expect(res.status).toBe(200);
    const text = String(res.body);
    expect(text).toMatch(
      /payment_attempt_duration_seconds_bucket\{[^}]*psp="stripe"[^}]*outcome="authorized"/,
    );
    expect(text).toMatch(/payment_attempt_duration_seconds_count\{[^}]*outcome="declined"/);
    expect(text).toMatch(/payment_authorized_total\{[^}]*psp="stripe"[^}]*\} [1-9]/);
    const rate = /payment_failure_rate\{psp="stripe"\} ([0-9.e-]+)/.exec(text);
    expect(Number(rate?.[1])).toBeGreaterThan(0);
    expect(Number(rate?.[1])).toBeLessThan(1);
    expect(text).toMatch(/kafka_consumer_lag\{topic="payment\.commands\.v1",partition="\d+"\}/);
    expect(text).toMatch(/processor_batch_size_count \d+/);
  });
});

describe("health", () => {
  it("answers /healthz and reports dependencies on /readyz", async () => {
    expect((await api.get("/healthz")).status).toBe(200);
    const ready = await api.get("/readyz");
    expect(ready.status).toBe(200);
  });
});
