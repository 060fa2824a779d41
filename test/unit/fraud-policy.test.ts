import { describe, expect, it } from "vitest";
import { applyFraudPolicy } from "../../core/domain/fraud-policy.ts";

const policy = { blockScore: 80, fallbackMaxMinor: 50_000n };

describe("fraud policy", () => {
  it("blocks what the scorer blocks, and anything at or above the block score", () => {
    expect(
      applyFraudPolicy({ available: true, riskScore: 99, decision: "block", reasons: [] }, 100n, policy)
        .action,
    ).toBe("block");
    expect(
      applyFraudPolicy({ available: true, riskScore: 80, decision: "approve", reasons: [] }, 100n, policy)
        .action,
    ).toBe("block");
  });

  it("proceeds on approve and flags review decisions", () => {
    expect(
      applyFraudPolicy({ available: true, riskScore: 10, decision: "approve", reasons: [] }, 100n, policy),
    ).toEqual({
      action: "proceed",
      riskScore: 10,
      decision: "approve",
      needsReview: false,
    });
    expect(
      applyFraudPolicy({ available: true, riskScore: 60, decision: "review", reasons: [] }, 100n, policy),
    ).toMatchObject({
      action: "proceed",
      needsReview: true,
    });
  });

  it("with the service down, continues small payments flagged for review and refuses large ones", () => {
    const down = { available: false as const, reason: "timeout" };
    expect(applyFraudPolicy(down, 50_000n, policy)).toEqual({
      action: "proceed",
      riskScore: null,
      decision: "unavailable",
      needsReview: true,
    });
    expect(applyFraudPolicy(down, 50_001n, policy)).toEqual({ action: "refuse", reason: "timeout" });
  });

  it("with our credentials refused, refuses every payment: a misconfiguration never waves payments through", () => {
    const refused = { available: false as const, configurationError: true as const, reason: "HTTP 401" };
    expect(applyFraudPolicy(refused, 1n, policy)).toEqual({ action: "refuse", reason: "HTTP 401" });
  });
});
