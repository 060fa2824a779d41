import { Writable } from "node:stream";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { createLogger, maskToken } from "../../core/infra/logger.ts";

/** A logger configured exactly as the service's, writing into an array. */
function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { log: createLogger({}, stream), text: () => lines.join("") };
}

function pgError(): Error {
  const err = new pg.DatabaseError(
    'duplicate key value violates unique constraint "payments_pkey"',
    0,
    "error",
  );
  Object.assign(err, {
    code: "23505",
    detail: "Key (payment_method_token)=(pm_card_visa_secret9) already exists.",
    where: "SQL statement with pm_card_visa_secret9",
    table: "payments",
  });
  return err;
}

describe("log redaction", () => {
  it("masks payment method tokens as prefix…last4", () => {
    expect(maskToken("pm_card_visa")).toBe("pm_…visa");
    expect(maskToken("tok_1NG8Du2eZvKYlo2C")).toBe("tok_…lo2C");
    expect(maskToken("short")).toBe("****");
    expect(maskToken(undefined)).toBeUndefined();
  });

  it("redacts PAN, CVV and secrets", () => {
    const { log, text } = capture();
    log.info(
      { pan: "4242424242424242", card: { cvv: "123", number: "4242424242424242" }, secret: "whsec_x" },
      "x",
    );
    expect(text()).not.toContain("4242424242424242");
    expect(text()).not.toContain('"123"');
    expect(text()).not.toContain("whsec_x");
    expect(text()).toContain("[REDACTED]");
  });

  it("redacts tokens, authorization, idempotency keys and signatures at any depth, in fields and bindings", () => {
    const { log, text } = capture();
    let deep: Record<string, unknown> = {
      Authorization: "Bearer sk_test_abcdef",
      "Idempotency-Key": "idem-key-123",
      "stripe-signature": "t=1,v1=deadbeef",
      additionalData: { hmacSignature: "c2lnbmF0dXJl" },
      payment_method: { type: "card", token: "pm_card_visa_abcd" },
      list: [{ api_key: "key-xyz" }],
    };
    for (let i = 0; i < 8; i++) deep = { level: deep };
    log.child({ idempotency_key: "bound-key-1" }).warn({ request: deep }, "deep");
    const out = text();
    for (const secret of [
      "sk_test_abcdef",
      "idem-key-123",
      "deadbeef",
      "c2lnbmF0dXJl",
      "key-xyz",
      "bound-key-1",
    ])
      expect(out).not.toContain(secret);
    expect(out).not.toContain("pm_card_visa_abcd");
    expect(out).toContain('"token":"pm_…abcd"');
    expect(out).toContain('"type":"card"');
  });

  it("logs an error by type, message and code, never pg's detail, wherever it sits", () => {
    const { log, text } = capture();
    log.error({ err: pgError() }, "insert failed");
    log.error({ context: { cause: pgError() } }, "nested");
    log.error(pgError());
    const lines = text()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(text()).not.toContain("secret9");
    expect(lines[0].err).toMatchObject({
      type: "DatabaseError",
      code: "23505",
      message: 'duplicate key value violates unique constraint "payments_pkey"',
    });
    expect(lines[0].err.detail).toBeUndefined();
    expect(lines[1].context.cause.code).toBe("23505");
    expect(lines[2].err.code).toBe("23505");
  });

  it("survives cycles and huge objects", () => {
    const { log, text } = capture();
    const cyclic: Record<string, unknown> = { name: "a" };
    cyclic.self = cyclic;
    log.info({ cyclic }, "x");
    expect(JSON.parse(text()).cyclic).toEqual({ name: "a", self: "[Circular]" });
    log.info({ many: Array.from({ length: 5_000 }, (_, i) => i) }, "y");
    expect(JSON.parse(text().trim().split("\n")[1] ?? "").many).toContain("[TRUNCATED]");
  });
});
