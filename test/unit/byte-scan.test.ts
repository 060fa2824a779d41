import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { needlesIn } from "../../scripts/security/byte-scan.ts";

const chunks = (...parts: string[]) => Readable.from(parts.map((p) => Buffer.from(p)));
const needles = ["pm_card_visa_1f2e", "4242424242424242"].map((n) => Buffer.from(n));

describe("the at-rest scan's byte search", () => {
  it("finds a needle split across chunks", async () => {
    expect(await needlesIn(chunks("xx pm_card_vi", "sa_1f2e yy"), needles)).toEqual(new Set([0]));
    expect(await needlesIn(chunks("4", "2424242", "42424242", "zz"), needles)).toEqual(new Set([1]));
  });

  it("finds nothing where there is nothing", async () => {
    expect(await needlesIn(chunks("pm_card_visa_1f2", "x 424242424242424"), needles)).toEqual(new Set());
  });
});
