import { describe, expect, it } from "vitest";
import { randomHex, secureRandomBytes } from "../../core/infra/secure-random.ts";

describe("secureRandomBytes (pooled CSPRNG block)", () => {
  it("hands out every byte once: 20,000 draws of 16 bytes across many block refills are all distinct", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) seen.add(secureRandomBytes(16).toString("hex"));
    expect(seen.size).toBe(20_000);
  });

  it("returns exactly the size asked, across block boundaries and above the pooled size", () => {
    for (let i = 0; i < 2_000; i++) expect(secureRandomBytes(7)).toHaveLength(7);
    expect(secureRandomBytes(4_000)).toHaveLength(4_000);
    expect(randomHex(8)).toMatch(/^[0-9a-f]{16}$/);
  });

  it("gives the caller its own buffer: wiping one (as the envelope does with a data key) leaves the next intact", () => {
    const first = secureRandomBytes(32);
    const second = secureRandomBytes(32);
    const before = Buffer.from(second);
    first.fill(0);
    expect(second.equals(before)).toBe(true);
    expect(second.equals(Buffer.alloc(32))).toBe(false);
  });

  it("draws bytes that look uniform: each bit of 64 KiB is set about half the time", () => {
    const sample = Buffer.concat(Array.from({ length: 4_096 }, () => secureRandomBytes(16)));
    let ones = 0;
    for (const byte of sample) for (let b = 0; b < 8; b++) ones += (byte >> b) & 1;
    const bits = sample.length * 8;
    // Binomial(524288, 0.5): sd ≈ 362; 6 sd is a bound a fair source never reaches in practice.
    expect(Math.abs(ones - bits / 2)).toBeLessThan(6 * Math.sqrt(bits / 4));
  });
});
