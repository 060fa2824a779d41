import { describe, expect, it } from "vitest";
import { accessLogSampler } from "../../http-ingress/access-log.ts";

describe("access log sampling", () => {
  it("writes 1 in N fast successes at info, the rest at debug", () => {
    const level = accessLogSampler(4);
    const levels = Array.from({ length: 12 }, () => level(200, 0.01));
    expect(levels.filter((l) => l === "info")).toHaveLength(3);
    expect(levels.slice(0, 4)).toEqual(["debug", "debug", "debug", "info"]);
  });

  it("always writes errors and slow requests at info, without using up the sample", () => {
    const level = accessLogSampler(2);
    expect(level(400, 0.01)).toBe("info");
    expect(level(402, 0.01)).toBe("info");
    expect(level(503, 0.001)).toBe("info");
    expect(level(201, 1.5)).toBe("info");
    expect([level(200, 0.01), level(200, 0.01)]).toEqual(["debug", "info"]);
  });

  it("writes everything at info with a sample of 1", () => {
    const level = accessLogSampler(1);
    expect([level(200, 0), level(201, 0), level(204, 0)]).toEqual(["info", "info", "info"]);
  });
});
