import { execFile } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { promisify } from "node:util";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commandResult } from "../../core/domain/command-result.ts";
import { loadConfig } from "../../core/infra/config.ts";
import { type Kek, Keyring } from "../../core/security/envelope.ts";
import { installKeyring, keyringFromConfig } from "../../core/security/field-crypto.ts";
import { findCommandResult, saveCommandResult } from "../../db/repositories/commands-repo.ts";
import { findPayment, insertPayment } from "../../db/repositories/payments-repo.ts";
import { replaceSealedValues, SEALED_COLUMNS } from "../../db/repositories/sealed-columns-repo.ts";
import { findVaultedPaymentMethod, vaultPaymentMethod } from "../../db/repositories/vault-repo.ts";
import { newDomainPayment } from "../helpers/factories.ts";
import { privateDatabase } from "../helpers/private-database.ts";
import { TEST_MERCHANT_ID } from "../helpers/test-key.ts";

const run = promisify(execFile);
const OLD: Kek = { id: "kek_rotate_old", key: randomBytes(32) };
const NEW: Kek = { id: "kek_rotate_new", key: randomBytes(32) };
const b64 = (k: Kek) => `${k.id}:${k.key.toString("base64")}`;
const tag = randomBytes(4).toString("hex");

let db: { pool: pg.Pool; drop(): Promise<void> };
let url: string;
const sealedPaymentId = randomUUID();
const legacyPaymentId = randomUUID();
const commandId = randomUUID();
let vaultRef: string;

async function rotate(keks: Kek[]): Promise<string> {
  const { stdout } = await run("node", ["--import", "tsx", "scripts/keys/main.ts", "--batch=2"], {
    env: {
      ...withoutKekSettings(process.env),
      NODE_ENV: "test",
      DATABASE_URL: url,
      DATA_KEKS: keks.map(b64).join(","),
    },
    timeout: 60_000,
  });
  return stdout;
}

function withoutKekSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { DATA_KEK: _key, DATA_KEK_ID: _id, DATA_KEKS: _keys, ...rest } = env;
  return rest;
}

/** Every stored value of every sealed column, as text (JSONB strings unwrapped). */
async function storedValues(): Promise<string[]> {
  const values: string[] = [];
  for (const c of SEALED_COLUMNS) {
    const expr = c.kind === "text" ? c.column : `${c.column} #>> '{}'`;
    const { rows } = await db.pool.query<{ v: string }>(
      `SELECT ${expr} AS v FROM ${c.table} WHERE ${c.column} IS NOT NULL`,
    );
    values.push(...rows.map((r) => r.v));
  }
  return values;
}

beforeAll(async () => {
  db = await privateDatabase("keys_rotate");
  url = (db.pool.options as { connectionString: string }).connectionString;
  installKeyring(new Keyring([OLD]));
  const sealed = newDomainPayment({
    paymentId: sealedPaymentId,
    paymentMethodToken: `pm_card_visa_${tag}`,
    customerId: `cus_sealed_${tag}`,
    description: `sealed ${tag}`,
    metadata: { note: `meta_${tag}` },
  });
  await insertPayment(db.pool, sealed);
  vaultRef = await vaultPaymentMethod(db.pool, TEST_MERCHANT_ID, `pm_card_vault_${tag}`);
  await saveCommandResult(
    db.pool,
    { commandId, paymentId: sealedPaymentId, type: "create" },
    commandResult.payment("created", sealed),
  );
  // Written before encryption at rest: plain text and plain JSON.
  const legacy = newDomainPayment({ paymentId: legacyPaymentId });
  await insertPayment(db.pool, legacy);
  await db.pool.query(
    `UPDATE payments SET payment_method_token = $2, customer_id = $3, description = $4, metadata = $5
     WHERE payment_id = $1`,
    [
      legacyPaymentId,
      `pm_card_legacy_${tag}`,
      `cus_legacy_${tag}`,
      `legacy ${tag}`,
      { note: `legacy_${tag}` },
    ],
  );
  await db.pool.query(
    `INSERT INTO processed_commands (command_id, payment_id, command_type, http_status, response)
     VALUES ($1, $2, 'create', 201, $3)`,
    [randomUUID(), legacyPaymentId, { customer_id: `cus_legacy_${tag}` }],
  );
}, 60_000);

afterAll(async () => {
  installKeyring(keyringFromConfig(loadConfig()));
  await db?.drop();
});

describe("npm run keys:rotate", () => {
  it("brings every value under the new KEK: re-wraps the sealed ones, seals the legacy plain ones", async () => {
    const before = await storedValues();
    expect(before.some((v) => v.startsWith(`enc:v1:${OLD.id}:`))).toBe(true);
    expect(before).toContain(`pm_card_legacy_${tag}`);

    const out = await rotate([OLD, NEW]);
    expect(out).toContain(`current KEK ${NEW.id}`);
    expect(out).toMatch(/payments\.payment_method_token: 1 re-wrapped, 1 plain sealed/);
    expect(out).toMatch(/processed_commands\.response: 1 re-wrapped, 1 plain sealed/);

    const after = await storedValues();
    expect(after.length).toBe(before.length);
    expect(after.every((v) => v.startsWith(`enc:v1:${NEW.id}:`))).toBe(true);
    const { rows } = await db.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM payments p WHERE p::text LIKE $1",
      [`%${tag}%`],
    );
    expect(rows[0]?.n).toBe(0);
  }, 90_000);

  it("leaves everything readable with the new KEK alone, so the old one can be removed", async () => {
    installKeyring(new Keyring([NEW]));
    expect(await findPayment(db.pool, sealedPaymentId)).toMatchObject({
      paymentMethodToken: `pm_card_visa_${tag}`,
      customerId: `cus_sealed_${tag}`,
      description: `sealed ${tag}`,
      metadata: { note: `meta_${tag}` },
    });
    expect(await findPayment(db.pool, legacyPaymentId)).toMatchObject({
      paymentMethodToken: `pm_card_legacy_${tag}`,
      customerId: `cus_legacy_${tag}`,
      metadata: { note: `legacy_${tag}` },
    });
    expect(await findVaultedPaymentMethod(db.pool, vaultRef, TEST_MERCHANT_ID)).toBe(`pm_card_vault_${tag}`);
    expect(await findCommandResult(db.pool, commandId)).toMatchObject({
      kind: "payment",
      disposition: "created",
      payment: {
        paymentId: sealedPaymentId,
        customerId: `cus_sealed_${tag}`,
        metadata: { note: `meta_${tag}` },
      },
    });
  });

  it("finds nothing left to do when run again", async () => {
    const out = await rotate([OLD, NEW]);
    expect(out).toContain(`0 values now under ${NEW.id}`);
  }, 60_000);

  it("never overwrites a value a running service changed after it was read", async () => {
    const column = SEALED_COLUMNS.find((c) => c.table === "payments" && c.column === "customer_id");
    if (!column) throw new Error("payments.customer_id is not a sealed column");
    const written = await replaceSealedValues(db.pool, column, [
      { key: [sealedPaymentId], stored: "enc:v1:kek_rotate_old:what-was-read-earlier", next: "enc:v1:x:y" },
    ]);
    expect(written).toBe(0);
    expect((await findPayment(db.pool, sealedPaymentId))?.customerId).toBe(`cus_sealed_${tag}`);
  });
});
