import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commandResult } from "../../core/domain/command-result.ts";
import { errors } from "../../core/domain/errors.ts";
import { loadConfig } from "../../core/infra/config.ts";
import { installKeyring, keyringFromConfig } from "../../core/security/field-crypto.ts";
import { BatchedLookup } from "../../db/natural-batches.ts";
import { createPool } from "../../db/pool.ts";
import { findPaymentIdsOfAttempts, insertAttempt } from "../../db/repositories/attempts-repo.ts";
import { claimCommands } from "../../db/repositories/claims-repo.ts";
import {
  type IntakeRequest,
  readCommandIntakes,
  saveCommandResult,
} from "../../db/repositories/commands-repo.ts";
import { insertPayment } from "../../db/repositories/payments-repo.ts";
import { vaultPaymentMethod } from "../../db/repositories/vault-repo.ts";
import { newDomainPayment } from "../helpers/factories.ts";
import { stackEnv } from "../helpers/stack-env.ts";
import { TEST_MERCHANT_ID } from "../helpers/test-key.ts";

const pool = createPool(stackEnv.databaseUrl, 4);
afterAll(() => pool.end());
beforeAll(() => installKeyring(keyringFromConfig(loadConfig())));

const request = (over: Partial<IntakeRequest> = {}): IntakeRequest => ({
  commandId: randomUUID(),
  paymentId: null,
  vaultRef: null,
  merchantId: TEST_MERCHANT_ID,
  ...over,
});

describe("one intake read for many commands (readCommandIntakes)", () => {
  it("answers each command in order: its stored reply, its attempt, its payment and its vaulted card", async () => {
    const payment = newDomainPayment({ paymentMethodToken: "pm_card_intake" });
    await insertPayment(pool, payment);
    const answered = request();
    await saveCommandResult(
      pool,
      { commandId: answered.commandId, paymentId: payment.paymentId, type: "capture" },
      commandResult.rejected(errors.invalidState("no")),
    );
    const started = request({ paymentId: payment.paymentId });
    await insertAttempt(pool, {
      attemptId: randomUUID(),
      paymentId: payment.paymentId,
      commandId: started.commandId,
      operation: "authorize",
      psp: "stripe",
      amount: 1000n,
      currency: payment.currency,
      firstCheckMs: 60_000,
    });
    const vaultRef = await vaultPaymentMethod(pool, TEST_MERCHANT_ID, "pm_card_vaulted_intake");
    const vaulted = request({ vaultRef });
    const otherMerchant = request({ vaultRef, merchantId: "mer_someone_else" });
    const missingPayment = request({ paymentId: randomUUID() });
    const fresh = request();

    const intakes = await readCommandIntakes(pool, [
      answered,
      started,
      vaulted,
      otherMerchant,
      missingPayment,
      fresh,
    ]);

    expect(intakes).toHaveLength(6);
    const [a, s, v, o, m, f] = intakes;
    expect(a?.result).toMatchObject({ kind: "rejected" });
    expect(a?.hasAttempt).toBe(false);
    expect(s?.result).toBeNull();
    expect(s?.hasAttempt).toBe(true);
    expect(s?.payment?.paymentId).toBe(payment.paymentId);
    expect(s?.payment?.amount).toBe(1000n);
    expect(v?.vaultCiphertext).not.toBeNull();
    expect(v?.vaultCiphertext).not.toContain("pm_card_vaulted_intake");
    expect(o?.vaultCiphertext).toBeNull();
    expect(m?.payment).toBeNull();
    expect(f).toEqual({ result: null, hasAttempt: false, vaultCiphertext: null });
    // No payment asked for: none given, not even an empty one.
    expect(a).not.toHaveProperty("payment");
  });

  it("a batch with one request PostgreSQL refuses fails only that request", async () => {
    const sizes: number[] = [];
    const lookups = new BatchedLookup(
      { maxInFlight: 1, maxSize: 32 },
      (requests: IntakeRequest[]) => readCommandIntakes(pool, requests),
      (n) => sizes.push(n),
    );
    const settled = await Promise.allSettled([
      lookups.load(request()),
      lookups.load(request({ commandId: "not-a-uuid" })),
      lookups.load(request()),
    ]);
    expect(sizes[0]).toBe(3);
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(((settled[1] as PromiseRejectedResult).reason as { code?: string }).code).toBe("22P02");
  });
});

describe("the payments webhooks name by attempt, looked up together (findPaymentIdsOfAttempts)", () => {
  it("answers each attempt id in the order asked, null for one we do not know", async () => {
    const attemptOf = async () => {
      const payment = newDomainPayment();
      await insertPayment(pool, payment);
      const attemptId = randomUUID();
      await insertAttempt(pool, {
        attemptId,
        paymentId: payment.paymentId,
        commandId: randomUUID(),
        operation: "authorize",
        psp: "stripe",
        amount: 1000n,
        currency: payment.currency,
        firstCheckMs: 60_000,
      });
      return { attemptId, paymentId: payment.paymentId };
    };
    const a = await attemptOf();
    const b = await attemptOf();
    const unknown = randomUUID();
    expect(await findPaymentIdsOfAttempts(pool, [b.attemptId, unknown, a.attemptId, b.attemptId])).toEqual([
      b.paymentId,
      null,
      a.paymentId,
      b.paymentId,
    ]);
  });
});

describe("claims taken in one statement (claimCommands)", () => {
  it("takes free and lapsed claims, refuses held ones, and lets only the first of two copies in", async () => {
    const free = randomUUID();
    const held = randomUUID();
    const lapsed = randomUUID();
    const twice = randomUUID();
    expect(await claimCommands(pool, [{ commandId: held, owner: "holder" }], 60_000)).toEqual([true]);
    expect(await claimCommands(pool, [{ commandId: lapsed, owner: "dead" }], 60_000)).toEqual([true]);
    await pool.query(
      "UPDATE command_claims SET lease_until = now() - interval '1 second' WHERE command_id = $1",
      [lapsed],
    );

    const taken = await claimCommands(
      pool,
      [
        { commandId: free, owner: "me-1" },
        { commandId: held, owner: "me-2" },
        { commandId: lapsed, owner: "me-3" },
        { commandId: twice, owner: "me-4" },
        { commandId: twice.toUpperCase(), owner: "me-5" },
      ],
      60_000,
    );

    expect(taken).toEqual([true, false, true, true, false]);
    const { rows } = await pool.query<{ command_id: string; owner: string }>(
      "SELECT command_id, owner FROM command_claims WHERE command_id = ANY($1) ORDER BY owner",
      [[free, held, lapsed, twice]],
    );
    expect(Object.fromEntries(rows.map((r) => [r.command_id, r.owner]))).toEqual({
      [free]: "me-1",
      [held]: "holder",
      [lapsed]: "me-3",
      [twice]: "me-4",
    });
  });
});
