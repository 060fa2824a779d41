import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { maskToken, redactOptions } from "../../core/infra/logger.ts";

describe("log redaction", () => {
  it("masks payment method tokens, keeping them recognisable", () => {
    expect(maskToken("pm_card_visa")).toBe("pm_c…visa");
    expect(maskToken("short")).toBe("****");
    expect(maskToken(undefined)).toBeUndefined();
  });

  it("redacts PAN, CVV and secrets with the service logger's redaction rules", () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = pino({ redact: redactOptions }, stream);
    log.info(
      { pan: "4242424242424242", card: { cvv: "123", number: "4242424242424242" }, secret: "whsec_x" },
      "x",
    );
    const out = lines.join("");
    expect(out).not.toContain("4242424242424242");
    expect(out).not.toContain('"123"');
    expect(out).not.toContain("whsec_x");
    expect(out).toContain("[REDACTED]");
  });
});
