import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpFraudScorer } from "../../core/adapters/fraud/http-fraud-scorer.ts";
import type { FraudRequest } from "../../core/ports/fraud-scorer.ts";
import { freePort } from "../helpers/free-port.ts";
import { money } from "../helpers/psp-requests.ts";
import { simulatorEnv as env, requireSimulator } from "../helpers/psp-simulators.ts";
import { type ServiceProcess, spawnService, waitForHttp } from "../helpers/service-process.ts";

function fraudRequest(overrides: Partial<FraudRequest> = {}): FraudRequest {
  return {
    paymentId: randomUUID(),
    orderId: "4242",
    amount: money(2_500n),
    paymentMethodToken: "pm_card_visa",
    psp: "stripe",
    ...overrides,
  };
}

const scorer = (timeoutMs?: number) =>
  new HttpFraudScorer({
    baseUrl: env.fraudBase,
    apiKey: env.fraudApiKey,
    ...(timeoutMs ? { timeoutMs } : {}),
    minBackoffMs: 10,
  });

describe("HTTP fraud scorer against the fraud simulator", () => {
  beforeAll(() => requireSimulator(env.fraudBase));

  it("approves an ordinary card with a low, stable score", async () => {
    const req = fraudRequest({ customerId: "cus_1" });
    const first = await scorer().evaluate(req);
    expect(first).toMatchObject({ available: true, decision: "approve" });
    expect(first.available && first.riskScore < 65).toBe(true);
    expect(await scorer().evaluate(req)).toEqual(first);
  });

  it("does not block PSP decline test cards, so the PSP decline is exercised", async () => {
    const verdict = await scorer().evaluate(fraudRequest({ paymentMethodToken: "pm_card_chargeDeclined" }));
    expect(verdict).toMatchObject({ available: true, decision: "approve" });
  });

  it("sends large amounts to review", async () => {
    const verdict = await scorer().evaluate(fraudRequest({ amount: money(1_000_000n) }));
    expect(verdict).toMatchObject({ available: true, decision: "review" });
  });

  it("blocks pm_card_radarBlock with the highest risk", async () => {
    const verdict = await scorer().evaluate(fraudRequest({ paymentMethodToken: "pm_card_radarBlock" }));
    expect(verdict).toEqual({
      available: true,
      riskScore: 99,
      decision: "block",
      reasons: ["test_token_radar_block"],
    });
  });

  it("reports a service that is down as unavailable instead of throwing", async () => {
    const verdict = await scorer().evaluate(fraudRequest({ paymentMethodToken: "pm_sim_fraud_down" }));
    expect(verdict).toMatchObject({ available: false });
  });

  it("gives up on a hanging service within its timeout", async () => {
    const started = performance.now();
    const verdict = await scorer(300).evaluate(fraudRequest({ paymentMethodToken: "pm_sim_fraud_timeout" }));
    expect(verdict).toMatchObject({ available: false });
    expect(performance.now() - started).toBeLessThan(1_500);
  });
});

describe("the fraud service's credential", () => {
  // A simulator of its own, configured with a key, so the shared one's settings do not matter.
  const KEY = "fraud_key_suite";
  let sim: ServiceProcess;
  let base = "";
  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    sim = spawnService(
      "simulators/fraud/main.ts",
      { PORT: String(port), FRAUD_API_KEY: KEY },
      "fraud-sim-key-suite",
    );
    await waitForHttp(`${base}/health`, 30_000, sim.child);
  });
  afterAll(() => sim?.stop("SIGKILL"));

  const keyed = (apiKey: string) => new HttpFraudScorer({ baseUrl: base, apiKey, minBackoffMs: 10 });

  it("is sent as a bearer key, and the right one gets a score", async () => {
    expect(await keyed(KEY).evaluate(fraudRequest())).toMatchObject({ available: true, decision: "approve" });
  });

  it("refused (401) is a configuration error, not a fraud decision or a passing outage", async () => {
    const verdict = await keyed("fraud_wrong_key").evaluate(fraudRequest());
    expect(verdict).toMatchObject({ available: false, configurationError: true });
    expect(verdict.available === false && verdict.reason).toContain("FRAUD_API_KEY");
  });

  it("the simulator refuses a caller without the key", async () => {
    const res = await fetch(`${base}/fraud/evaluate`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({}),
    });
    expect(res.status).toBe(401);
  });
});
