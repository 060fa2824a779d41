import { describe, expect, it } from "vitest";
import { api, opsUrl } from "../helpers/api.ts";
import { createAndConfirm } from "../helpers/flows.ts";

describe("/metrics", () => {
  it("exposes the payment metrics named in the spec, with psp and outcome labels", async () => {
    await createAndConfirm({ psp: "stripe" });
    await createAndConfirm({ psp: "stripe", token: "pm_card_chargeDeclined" });
    const res = await api.get("/metrics", { baseUrl: opsUrl() });
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
    const commandTopic = (process.env.COMMAND_TOPIC ?? "payment.commands.v1").replaceAll(".", "\\.");
    expect(text).toMatch(new RegExp(`kafka_consumer_lag\\{topic="${commandTopic}",partition="\\d+"\\}`));
    expect(text).toMatch(/processor_batch_size_count \d+/);
    // Group commits, intake reads and claims are batched; each kind has served commands by now.
    for (const kind of ["commit", "intake", "claim"])
      expect(text).toMatch(new RegExp(`processor_db_batch_size_count\\{kind="${kind}"\\} [1-9]`));
    expect(text).toMatch(
      new RegExp(`processor_message_duration_seconds_count\\{topic="${commandTopic}"\\} [1-9]`),
    );
    expect(text).toMatch(new RegExp(`processor_in_flight_messages\\{topic="${commandTopic}"\\} \\d+`));
  });
});

describe("health", () => {
  it("answers /healthz and reports dependencies on /readyz", async () => {
    expect((await api.get("/healthz")).status).toBe(200);
    const ready = await api.get("/readyz");
    expect(ready).toMatchObject({ status: 200, body: { status: "ready" } });
    const detail = await api.get("/readyz", { baseUrl: opsUrl() });
    expect(detail.body.checks).toEqual({
      postgres: { status: "up" },
      kafka: { status: "up" },
      schema_registry: { status: "up" },
    });
    expect((await api.get("/metrics")).status).toBe(404);
  });
});
