import { register } from "prom-client";
import { describe, expect, it } from "vitest";
import { ResilientHttp } from "../../core/adapters/psp/resilient-http.ts";
import { freePort } from "../helpers/free-port.ts";
import { eventually } from "../helpers/wait.ts";

const openBreakers = async (breaker: string) =>
  (await register.getSingleMetric("circuit_breaker_open")?.get())?.values.find(
    (v) => v.labels.breaker === breaker,
  )?.value;

describe("circuit_breaker_open", () => {
  it("is 1 while a dependency's breaker is open and back to 0 once it lets a probe through", async () => {
    // Nothing listens there: every request is refused before it is sent, a failure for the breaker.
    const port = await freePort();
    const http = new ResilientHttp({
      name: "unit-breaker",
      baseUrl: `http://127.0.0.1:${port}`,
      timeoutMs: 500,
      retries: 0,
      breaker: { volumeThreshold: 2, errorThresholdPercentage: 50, resetTimeoutMs: 300 },
    });
    expect(await openBreakers("unit-breaker")).toBe(0);
    const get = { method: "GET" as const, path: "/v1/ping", headers: {} };
    await http.send(get);
    await http.send(get);
    expect(http.isOpen).toBe(true);
    expect(await openBreakers("unit-breaker")).toBe(1);
    // A second breaker of the same dependency (the janitor's own connectors) adds to the count.
    const other = new ResilientHttp({
      name: "unit-breaker",
      baseUrl: `http://127.0.0.1:${port}`,
      timeoutMs: 500,
      retries: 0,
    });
    expect(other.isOpen).toBe(false);
    expect(await openBreakers("unit-breaker")).toBe(1);
    await eventually("the breaker to half-open after its reset timeout", async () =>
      http.isOpen ? undefined : true,
    );
    expect(await openBreakers("unit-breaker")).toBe(0);
    // The probe fails: open again.
    await http.send(get);
    expect(http.isOpen).toBe(true);
    expect(await openBreakers("unit-breaker")).toBe(1);
  });
});
