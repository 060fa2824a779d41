import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../core/infra/config.ts";
import { DEV_DATA_KEK_ID } from "../../core/infra/dev-defaults.ts";
import { parseKeks } from "../../core/security/data-keys.ts";
import {
  EnvelopeError,
  isSealed,
  type Kek,
  Keyring,
  kekIdOf,
  open,
  rewrap,
  seal,
} from "../../core/security/envelope.ts";

const kek = (id: string): Kek => ({ id, key: randomBytes(32) });
const OLD = kek("kek_2024");
const NEW = kek("kek_2025");

/** Flips one bit of the base64url field at `index` (0 kek id … 4 ciphertext) of a sealed value. */
function tamper(sealed: string, index: number): string {
  const fields = sealed.slice("enc:v1:".length).split(":");
  const bytes = Buffer.from(fields[index] ?? "", "base64url");
  bytes[0] = (bytes[0] ?? 0) ^ 1;
  fields[index] = bytes.toString("base64url");
  return `enc:v1:${fields.join(":")}`;
}

describe("envelope encryption of one value", () => {
  const ring = new Keyring([NEW]);

  it.each(["pm_card_visa_1f2e", "", "Zoë — 東京 🙂", "x".repeat(70_000)])(
    "opens what it sealed (%#)",
    (text) => {
      const sealed = seal(ring, text);
      expect(isSealed(sealed)).toBe(true);
      expect(kekIdOf(sealed)).toBe("kek_2025");
      expect(open(ring, sealed)).toBe(text);
    },
  );

  it("never shows the plaintext, and never repeats a ciphertext", () => {
    const a = seal(ring, "cus_secret_42");
    const b = seal(ring, "cus_secret_42");
    expect(a).not.toContain("cus_secret_42");
    expect(Buffer.from(a).includes(Buffer.from("cus_secret_42"))).toBe(false);
    expect(a).not.toBe(b);
  });

  it.each([1, 2, 3, 4])("refuses a value whose field %i was altered", (field) => {
    expect(() => open(ring, tamper(seal(ring, "pm_card_visa"), field))).toThrow(EnvelopeError);
  });

  it("refuses a value sealed under a KEK it does not have, or relabelled as another KEK's", () => {
    const other = new Keyring([OLD]);
    expect(() => open(other, seal(ring, "x"))).toThrow(/kek_2025 is not configured/);
    const both = new Keyring([OLD, NEW]);
    const relabelled = seal(ring, "x").replace("enc:v1:kek_2025:", "enc:v1:kek_2024:");
    expect(() => open(both, relabelled)).toThrow(/failed authentication/);
  });

  it("refuses text that is not a sealed value", () => {
    expect(() => open(ring, "pm_card_visa")).toThrow(EnvelopeError);
    expect(() => open(ring, "enc:v1:kek_2025:AAAA")).toThrow(/malformed/);
  });
});

describe("KEK rotation", () => {
  it("seals under the newest KEK and opens under any configured one", () => {
    const before = seal(new Keyring([OLD]), "pm_card_mastercard");
    const during = new Keyring([OLD, NEW]);
    expect(kekIdOf(seal(during, "y"))).toBe("kek_2025");
    expect(open(during, before)).toBe("pm_card_mastercard");
  });

  it("re-wraps only the data key: the ciphertext stays, the old KEK is no longer needed", () => {
    const before = seal(new Keyring([OLD]), "pm_card_mastercard");
    const after = rewrap(new Keyring([OLD, NEW]), before);
    expect(kekIdOf(after)).toBe("kek_2025");
    expect(after.split(":").slice(-3)).toEqual(before.split(":").slice(-3));
    expect(open(new Keyring([NEW]), after)).toBe("pm_card_mastercard");
    expect(rewrap(new Keyring([OLD, NEW]), after)).toBe(after);
  });

  it("checks the keyring: 32-byte keys, plain ids, no id twice, a current key that exists", () => {
    expect(() => new Keyring([])).toThrow(EnvelopeError);
    expect(() => new Keyring([{ id: "k", key: randomBytes(16) }])).toThrow(/32 bytes/);
    expect(() => new Keyring([{ id: "a:b", key: randomBytes(32) }])).toThrow(/id/);
    expect(() => new Keyring([OLD, OLD])).toThrow(/twice/);
    expect(() => new Keyring([OLD], "kek_2025")).toThrow(/not in the keyring/);
  });
});

describe("KEKs from the environment", () => {
  const b64 = (k: Kek) => k.key.toString("base64");

  it("lists DATA_KEKS in order and makes DATA_KEK (with its id) the current one", () => {
    const { keks, problems } = parseKeks({
      DATA_KEKS: [`${OLD.id}:${b64(OLD)}`],
      DATA_KEK_ID: NEW.id,
      DATA_KEK: NEW.key.toString("base64url"),
    });
    expect(problems).toEqual([]);
    expect(keks.map((k) => k.id)).toEqual(["kek_2024", "kek_2025"]);
    expect(new Keyring(keks).current.id).toBe("kek_2025");
  });

  it("names the problem, never the key material", () => {
    const short = randomBytes(16).toString("base64");
    const { problems } = parseKeks({
      DATA_KEKS: [`k1:${short}`, "nocolon", `k1:${b64(OLD)}`, `k1:${b64(NEW)}`],
    });
    expect(problems.join(" ")).toMatch(/k1 must be 32 bytes/);
    expect(problems.join(" ")).toMatch(/<kek id>:<base64 key>/);
    expect(problems.join(" ")).toMatch(/k1 is configured twice/);
    expect(problems.join(" ")).not.toContain(short);
    expect(parseKeks({ DATA_KEKS: [], DATA_KEK: b64(NEW) }).problems).toEqual(["DATA_KEK needs DATA_KEK_ID"]);
  });

  it("uses the DEV DEFAULT KEK outside production only", () => {
    expect(loadConfig({ NODE_ENV: "test" }).DATA_KEKS.map((k) => k.id)).toEqual([DEV_DATA_KEK_ID]);
    const prod = {
      NODE_ENV: "production",
      DATABASE_URL: "postgres://svc:Vq8@db.internal:5432/payments?sslmode=verify-full",
      KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
    } as const;
    const refusal = (env: NodeJS.ProcessEnv) => {
      try {
        loadConfig(env);
        return "";
      } catch (err) {
        return (err as Error).message;
      }
    };
    expect(refusal(prod)).toContain("DATA_KEKS or DATA_KEK must be set in production");
  });
});
