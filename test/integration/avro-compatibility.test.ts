import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMAND_SCHEMA_FILE, EVENT_SCHEMA_FILES, valueSubject } from "../../core/infra/topics.ts";
import {
  type AvroSchema,
  loadSchemaHistories,
  type SchemaHistory,
  withAddedField,
  withChangedField,
} from "../helpers/avro-contracts.ts";
import { stackEnv } from "../helpers/stack-env.ts";

/*
 * BACKWARD compatibility of every contract in avro/ against every revision in avro/history/, decided by
 * the real schema registry (Apicurio 3 through its Confluent-compatible API). Each schema's revisions
 * are registered under a throwaway subject with compatibility BACKWARD, then the current file is
 * checked against each version. Apicurio specifics this relies on (checked against 3.0.x):
 *  - the global default compatibility is NONE, so the rule must be set per subject (PUT /config/<s>);
 *  - a compatibility check against a subject that does not exist answers {"is_compatible": true}
 *    (Confluent answers 404), so the test first asserts that the versions it registered are there;
 *  - `?verbose=true` is accepted but the answer carries no messages; registering an incompatible
 *    schema answers 409 with the offending fields in `message`.
 */

const REGISTRY = stackEnv.registryUrl.replace(/\/+$/, "");
const CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
const RUN = `compat-test-${Date.now()}-${randomBytes(3).toString("hex")}`;
const created = new Set<string>();

interface Answer {
  status: number;
  body: Record<string, unknown> | unknown[] | null;
}

async function call(method: string, path: string, body?: unknown): Promise<Answer> {
  const res = await fetch(`${REGISTRY}${path}`, {
    method,
    headers: { accept: CONTENT_TYPE, ...(body === undefined ? {} : { "content-type": CONTENT_TYPE }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Answer["body"]) : null };
}

const enc = encodeURIComponent;

async function register(subject: string, schema: AvroSchema): Promise<Answer> {
  created.add(subject);
  return call("POST", `/subjects/${enc(subject)}/versions`, {
    schemaType: "AVRO",
    schema: JSON.stringify(schema),
  });
}

async function setBackward(subject: string): Promise<void> {
  const put = await call("PUT", `/config/${enc(subject)}`, { compatibility: "BACKWARD" });
  expect(put.status, JSON.stringify(put.body)).toBe(200);
  const get = await call("GET", `/config/${enc(subject)}`);
  expect(get.body).toMatchObject({ compatibilityLevel: "BACKWARD" });
}

async function versions(subject: string): Promise<unknown> {
  return (await call("GET", `/subjects/${enc(subject)}/versions`)).body;
}

/** The registry's verdict on `schema` against one version ("latest", or a number) of `subject`. */
async function isCompatible(
  subject: string,
  version: number | "latest",
  schema: AvroSchema,
): Promise<boolean> {
  const answer = await call("POST", `/compatibility/subjects/${enc(subject)}/versions/${version}`, {
    schemaType: "AVRO",
    schema: JSON.stringify(schema),
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  const verdict = (answer.body as { is_compatible?: unknown }).is_compatible;
  expect(typeof verdict, JSON.stringify(answer.body)).toBe("boolean");
  return verdict as boolean;
}

/** Registers every revision of a contract, in order, under a fresh BACKWARD subject. */
async function registerHistory(h: SchemaHistory, suffix = ""): Promise<string> {
  const subject = `${RUN}-${h.stem}${suffix}`;
  for (const rev of h.revisions) {
    const answer = await register(subject, rev.schema);
    expect(answer.status, `${h.stem}/v${rev.version}: ${JSON.stringify(answer.body)}`).toBe(200);
    // After the first version, so every later snapshot is itself checked by the registry.
    if (rev.version === 1) await setBackward(subject);
  }
  // Apicurio answers is_compatible=true for unknown subjects: make sure ours really holds the history.
  expect(await versions(subject)).toEqual(h.revisions.map((r) => r.version));
  return subject;
}

const histories = loadSchemaHistories();

beforeAll(async () => {
  const up = await fetch(`${REGISTRY}/subjects`).then(
    (r) => r.ok,
    () => false,
  );
  if (!up)
    throw new Error(`schema registry not reachable at ${REGISTRY}: start the stack (npm run stack:up)`);
});

afterAll(async () => {
  for (const subject of created) {
    await call("DELETE", `/subjects/${enc(subject)}`).catch(() => undefined);
    await call("DELETE", `/subjects/${enc(subject)}?permanent=true`).catch(() => undefined);
  }
});

describe("registry: BACKWARD compatibility of avro/ against avro/history/", () => {
  it.each(histories.map((h) => [h.file, h] as const))("%s", async (_file, h) => {
    expect(h.revisions.length).toBeGreaterThan(0);
    const subject = await registerHistory(h);
    for (const rev of h.revisions) {
      expect(await isCompatible(subject, rev.version, h.current.schema), `against v${rev.version}`).toBe(
        true,
      );
    }
    expect(await isCompatible(subject, "latest", h.current.schema)).toBe(true);
  });
});

describe("registry: a deliberately breaking change is caught", () => {
  const h = histories.find((x) => x.file === EVENT_SCHEMA_FILES["payment.authorized.v1"]);
  if (!h) throw new Error("avro/payment-authorized.v1.avsc is missing");
  const current = h.current.schema;
  let subject = "";

  beforeAll(async () => {
    subject = await registerHistory(h, "-breaking");
  });

  it("rejects a new required field without a default", async () => {
    const next = withAddedField(current, { name: "sales_channel", type: "string" });
    expect(await isCompatible(subject, "latest", next)).toBe(false);
    // …and refuses to register it, naming the field.
    const answer = await register(subject, next);
    expect(answer.status).toBe(409);
    expect(JSON.stringify(answer.body)).toMatch(/sales_channel/);
  });

  it("rejects a changed field type", async () => {
    expect(
      await isCompatible(
        subject,
        "latest",
        withChangedField(current, "amount_minor", (f) => ({ ...f, type: "string" })),
      ),
    ).toBe(false);
    expect(
      await isCompatible(
        subject,
        "latest",
        withChangedField(current, "order_id", (f) => ({ ...f, type: "int" })),
      ),
    ).toBe(false);
  });

  it("rejects a renamed field", async () => {
    const next = withChangedField(current, "psp_reference", (f) => ({ ...f, name: "pspReference" }));
    expect(await isCompatible(subject, "latest", next)).toBe(false);
  });

  it("accepts a new optional field with a default", async () => {
    const next = withAddedField(current, { name: "sales_channel", type: ["null", "string"], default: null });
    expect(await isCompatible(subject, "latest", next)).toBe(true);
  });

  it("checks against the version asked for, not only the latest", async () => {
    // v2 adds an optional field; a candidate that makes it required reads v2 data but not v1 data.
    const added = withAddedField(current, { name: "sales_channel", type: "string", default: "" });
    const required = withAddedField(current, { name: "sales_channel", type: "string" });
    const chain = `${subject}-versions`;
    expect((await register(chain, current)).status).toBe(200);
    await setBackward(chain);
    expect((await register(chain, added)).status).toBe(200);
    expect(await versions(chain)).toEqual([1, 2]);
    expect(await isCompatible(chain, 2, required)).toBe(true);
    expect(await isCompatible(chain, 1, required)).toBe(false);
  });
});

describe("registry: the service's own subjects enforce BACKWARD", () => {
  // The service registers these at start-up (core/infra/schemas.ts); Apicurio's global default is NONE,
  // so this proves the per-subject rule is set. Subjects not registered yet (fresh stack) are skipped.
  const topics = ["payment.commands.v1", ...Object.keys(EVENT_SCHEMA_FILES)];

  it.each(topics)("%s-value", async (topic) => {
    const subject = valueSubject(topic);
    const known = await versions(subject);
    if (!Array.isArray(known)) return;
    const config = await call("GET", `/config/${enc(subject)}`);
    expect(config.body).toMatchObject({
      compatibilityLevel: expect.stringMatching(/^(BACKWARD|FULL)(_TRANSITIVE)?$/),
    });
  });

  it("knows the command schema file", () => {
    expect(histories.map((x) => x.file)).toContain(COMMAND_SCHEMA_FILE);
  });
});
