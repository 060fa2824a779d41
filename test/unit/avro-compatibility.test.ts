import { isDeepStrictEqual } from "node:util";
import { describe, expect, it } from "vitest";
import {
  type AvroSchema,
  avroType,
  currentSchemaFiles,
  historyStems,
  loadSchemaHistories,
  loadSchemaHistory,
  readIncompatibility,
  withAddedField,
  withChangedField,
  withoutField,
} from "../helpers/avro-contracts.ts";

// Schema evolution rules: docs/schema-evolution.md. The registry enforces BACKWARD per subject (see
// test/integration/avro-compatibility.test.ts); this file runs the same check locally with avsc, against
// every earlier revision (transitively), and adds the FORWARD check our rules also require.

const histories = loadSchemaHistories();
const byStem = (stem: string) => {
  const h = histories.find((x) => x.stem === stem);
  if (!h) throw new Error(`no avro/${stem}.avsc`);
  return h;
};

describe("avro/history holds every released revision of every contract", () => {
  it("finds the contracts", () => {
    expect(currentSchemaFiles().length).toBeGreaterThanOrEqual(8);
  });

  it.each(histories.map((h) => [h.file, h] as const))("%s has at least one snapshot", (_file, h) => {
    expect(h.revisions.length, `add avro/history/${h.stem}/v1.avsc`).toBeGreaterThan(0);
  });

  it("has no history folder without a contract in avro/", () => {
    const stems = new Set(histories.map((h) => h.stem));
    expect(historyStems().filter((s) => !stems.has(s))).toEqual([]);
  });

  it.each(histories.map((h) => [h.file, h] as const))(
    "%s is identical to its latest snapshot",
    (_file, h) => {
      const latest = h.revisions.at(-1);
      const next = `avro/history/${h.stem}/v${h.revisions.length + 1}.avsc`;
      expect(
        isDeepStrictEqual(h.current.schema, latest?.schema),
        `avro/${h.file} changed since its latest snapshot: copy it to ${next} (docs/schema-evolution.md)`,
      ).toBe(true);
    },
  );

  it.each(histories.flatMap((h) => h.revisions.map((r) => [`${h.stem}/v${r.version}`, r.schema] as const)))(
    "%s is a valid Avro schema",
    (_name, schema) => {
      expect(() => avroType(schema)).not.toThrow();
    },
  );
});

describe("BACKWARD: each schema reads data written with every earlier revision", () => {
  const pairs = histories.flatMap((h) => [
    ...h.revisions.map(
      (old) => [`avro/${h.file} reads ${h.stem}/v${old.version}`, h.current.schema, old.schema] as const,
    ),
    ...h.revisions.flatMap((newer) =>
      h.revisions
        .filter((older) => older.version < newer.version)
        .map(
          (older) =>
            [
              `${h.stem}/v${newer.version} reads ${h.stem}/v${older.version}`,
              newer.schema,
              older.schema,
            ] as const,
        ),
    ),
  ]);

  it.each(pairs)("%s", (_name, reader, writer) => {
    expect(readIncompatibility(reader, writer)).toBeNull();
  });
});

describe("FORWARD (our rule on top of the registry's BACKWARD): every earlier revision reads current data", () => {
  const pairs = histories.flatMap((h) =>
    h.revisions.map(
      (old) => [`${h.stem}/v${old.version} reads avro/${h.file}`, old.schema, h.current.schema] as const,
    ),
  );

  it.each(pairs)("%s", (_name, reader, writer) => {
    expect(readIncompatibility(reader, writer)).toBeNull();
  });
});

describe("the check tells compatible changes from breaking ones (derived from payment-authorized.v1)", () => {
  const current = byStem("payment-authorized.v1").current.schema;
  const backward = (next: AvroSchema) => readIncompatibility(next, current);
  const forward = (next: AvroSchema) => readIncompatibility(current, next);

  it("accepts an identical schema", () => {
    expect(backward(current)).toBeNull();
    expect(forward(current)).toBeNull();
  });

  it("accepts a new optional field with a default, both ways", () => {
    const next = withAddedField(current, { name: "sales_channel", type: ["null", "string"], default: null });
    expect(backward(next)).toBeNull();
    expect(forward(next)).toBeNull();
  });

  it("accepts removing a field that had a default, both ways", () => {
    const next = withoutField(current, "needs_review");
    expect(backward(next)).toBeNull();
    expect(forward(next)).toBeNull();
  });

  it("rejects a new required field without a default", () => {
    const next = withAddedField(current, { name: "sales_channel", type: "string" });
    expect(backward(next)).toMatch(/sales_channel|incompatible|no default/i);
  });

  it("rejects changing a field's type", () => {
    expect(
      backward(withChangedField(current, "amount_minor", (f) => ({ ...f, type: "string" }))),
    ).not.toBeNull();
    expect(backward(withChangedField(current, "order_id", (f) => ({ ...f, type: "int" })))).not.toBeNull();
    expect(backward(withChangedField(current, "amount", (f) => ({ ...f, type: "double" })))).not.toBeNull();
  });

  it("rejects a type change inside a nested record", () => {
    const next = withChangedField(current, "payment_method", (f) => {
      const nested = structuredClone(f.type) as AvroSchema;
      nested.fields = nested.fields.map((n) => (n.name === "type" ? { ...n, type: "int" } : n));
      return { ...f, type: nested };
    });
    expect(backward(next)).not.toBeNull();
  });

  it("rejects renaming a field", () => {
    const next = withChangedField(current, "psp_reference", (f) => ({ ...f, name: "pspReference" }));
    expect(backward(next)).not.toBeNull();
  });

  it("rejects renaming the record", () => {
    expect(backward({ ...current, name: "PaymentAuthorised" })).not.toBeNull();
  });

  it("catches, with the FORWARD check, what BACKWARD alone lets through", () => {
    // Removing a required field: new readers are fine, consumers still on the old schema are not.
    const removed = withoutField(current, "psp_reference");
    expect(backward(removed)).toBeNull();
    expect(forward(removed)).not.toBeNull();
    // Widening int to long: Avro promotes old ints, but old readers cannot take a long.
    const widened = withChangedField(current, "risk_score", (f) => ({ ...f, type: ["null", "long"] }));
    expect(backward(widened)).toBeNull();
    expect(forward(widened)).not.toBeNull();
  });

  it("accepts widening an enum that declares a default, and rejects it without one", () => {
    const channel = (symbols: string[], withDefault: boolean) =>
      withAddedField(current, {
        name: "channel",
        type: { type: "enum", name: "Channel", symbols, ...(withDefault ? { default: "UNKNOWN" } : {}) },
        default: "UNKNOWN",
      });
    const v1 = channel(["UNKNOWN", "WEB", "POS"], true);
    const v2 = channel(["UNKNOWN", "WEB", "POS", "MOTO"], true);
    expect(readIncompatibility(v2, v1)).toBeNull();
    expect(readIncompatibility(v1, v2)).toBeNull();
    const v1NoDefault = channel(["UNKNOWN", "WEB", "POS"], false);
    const v2NoDefault = channel(["UNKNOWN", "WEB", "POS", "MOTO"], false);
    expect(readIncompatibility(v2NoDefault, v1NoDefault)).toBeNull();
    expect(readIncompatibility(v1NoDefault, v2NoDefault)).not.toBeNull();
  });

  it("fails the history check when a breaking revision is snapshotted", () => {
    // What the BACKWARD test above would see if someone committed v2 = v1 + a required field.
    const v1 = loadSchemaHistory("payment-authorized.v1.avsc").revisions[0]?.schema;
    if (!v1) throw new Error("no v1 snapshot of payment-authorized");
    const v2 = withAddedField(v1, { name: "sales_channel", type: "string" });
    expect(readIncompatibility(v2, v1)).not.toBeNull();
  });
});
