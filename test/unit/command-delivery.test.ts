import { describe, expect, it } from "vitest";
import { classifySendFailure } from "../../core/infra/kafka.ts";
import { commandDeliveryTimeoutMs } from "../../http-ingress/command-bus.ts";

// Finding 11: "not queued" may be said only when the delivery report proves the command was not
// written, and the producer must give its report before the ingress answers.
describe("command delivery", () => {
  it.each([10_000, 3_000, 1_000, 2])("gives up delivering before a %i ms reply wait ends", (reply) => {
    const delivery = commandDeliveryTimeoutMs(reply);
    expect(delivery).toBeGreaterThan(0);
    expect(delivery).toBeLessThan(reply);
  });

  it("keeps librdkafka's 5-minute default from outliving the answer (10 s wait: 8 s)", () => {
    expect(commandDeliveryTimeoutMs(10_000)).toBe(8_000);
  });

  it.each([
    ["queue full (never enqueued)", -184],
    ["unknown topic", -188],
    ["message too large", 10],
    ["not enough replicas (append refused)", 19],
    ["topic authorization failed", 29],
  ])("calls %s not sent", (_name, code) => {
    expect(classifySendFailure({ code })).toBe("not_sent");
  });

  it.each([
    ["message timed out (may have been in flight)", -192],
    ["request timed out", 7],
    ["transport failure", -195],
    ["not enough replicas after append", 20],
    ["fatal idempotence error", -150],
  ])("calls %s unknown", (_name, code) => {
    expect(classifySendFailure({ code })).toBe("unknown");
  });

  it("calls a failure without a code (our own deadline) unknown", () => {
    expect(classifySendFailure(new Error("timed out after 10000 ms"))).toBe("unknown");
    expect(classifySendFailure(null)).toBe("unknown");
  });
});
