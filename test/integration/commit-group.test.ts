import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CommitGroups } from "../../db/commit-group.ts";
import { createPool, type PoolClient } from "../../db/pool.ts";
import { stackEnv } from "../helpers/stack-env.ts";

const pool = createPool(stackEnv.databaseUrl, 6);
const table = `commit_group_${randomUUID().replaceAll("-", "").slice(0, 12)}`;

beforeAll(async () => {
  await pool.query(`CREATE TABLE ${table} (
    k text PRIMARY KEY,
    tx bigint NOT NULL,
    n bigserial,
    late text UNIQUE DEFERRABLE INITIALLY DEFERRED
  )`);
});
afterAll(async () => {
  await pool.query(`DROP TABLE IF EXISTS ${table}`);
  await pool.end();
});

/** Inserts row `k` and returns the id of the transaction that wrote it. */
const insert =
  (k: string, late: string | null = null) =>
  async (db: Pick<PoolClient, "query">) => {
    const { rows } = await db.query<{ tx: string }>(
      `INSERT INTO ${table} (k, tx, late) VALUES ($1, txid_current(), $2) RETURNING tx::text`,
      [k, late],
    );
    return rows[0]?.tx as string;
  };

async function stored(keys: string[]) {
  const { rows } = await pool.query<{ k: string; tx: string; n: string }>(
    `SELECT k, tx::text, n::text FROM ${table} WHERE k = ANY($1) ORDER BY n`,
    [keys],
  );
  return rows;
}

const keys = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

describe("group commit (db/commit-group.ts) on a real PostgreSQL", () => {
  it("commits work arriving together in one transaction, run in key order, and each caller gets its own result", async () => {
    const groups = new CommitGroups(pool, { maxInFlight: 1, maxSize: 32 });
    const ks = keys(`a${randomUUID().slice(0, 6)}`, 8).reverse();
    const results = await Promise.all(ks.map((k) => groups.transaction(k, insert(k))));

    const rows = await stored(ks);
    expect(rows).toHaveLength(8);
    expect(new Set(rows.map((r) => r.tx)).size).toBe(1);
    // Each caller's result is its own member's: the transaction id its insert saw.
    expect(results).toEqual(ks.map(() => rows[0]?.tx));
    // Run in key order, whatever the arrival order (reversed here).
    expect(rows.map((r) => r.k)).toEqual([...ks].sort());
  });

  it("never puts more than maxSize in one group", async () => {
    const groups = new CommitGroups(pool, { maxInFlight: 1, maxSize: 4 });
    const ks = keys(`b${randomUUID().slice(0, 6)}`, 10);
    await Promise.all(ks.map((k) => groups.statement(k, insert(k))));

    const perTx = new Map<string, number>();
    for (const r of await stored(ks)) perTx.set(r.tx, (perTx.get(r.tx) ?? 0) + 1);
    expect([...perTx.values()].sort()).toEqual([2, 4, 4]);
  });

  it("a member that fails gets its own error and writes nothing; the others commit without it", async () => {
    const groups = new CommitGroups(pool, { maxInFlight: 1, maxSize: 32 });
    const prefix = `c${randomUUID().slice(0, 6)}`;
    const taken = `${prefix}-taken`;
    await pool.query(`INSERT INTO ${table} (k, tx) VALUES ($1, 0)`, [taken]);
    const ks = keys(prefix, 5);

    const settled = await Promise.allSettled([
      ...ks.map((k) => groups.transaction(k, insert(k))),
      groups.transaction(taken, insert(taken)),
    ]);

    expect(settled.slice(0, 5).map((s) => s.status)).toEqual(Array(5).fill("fulfilled"));
    const failed = settled[5] as PromiseRejectedResult;
    expect(failed.status).toBe("rejected");
    expect((failed.reason as { code?: string }).code).toBe("23505");
    const rows = await stored([...ks, taken]);
    expect(rows.map((r) => r.k).sort()).toEqual([...ks, taken].sort());
    expect(rows.find((r) => r.k === taken)?.tx).toBe("0");
    // The group rolled back (its first try had them all in one transaction), then each ran alone.
    expect(new Set(rows.filter((r) => r.k !== taken).map((r) => r.tx)).size).toBe(5);
  });

  it("a COMMIT the server refuses rolls the group back, and each member then runs alone", async () => {
    const groups = new CommitGroups(pool, { maxInFlight: 1, maxSize: 32 });
    const prefix = `d${randomUUID().slice(0, 6)}`;
    const late = `${prefix}-late`;
    const [first, second, bystander] = keys(prefix, 3) as [string, string, string];

    // Two members with the same deferred-unique value: only COMMIT finds the clash.
    const settled = await Promise.allSettled([
      groups.transaction(first, insert(first, late)),
      groups.transaction(second, insert(second, late)),
      groups.transaction(bystander, insert(bystander)),
    ]);

    const outcomes = settled.map((s) => s.status);
    expect(outcomes.filter((s) => s === "rejected")).toHaveLength(1);
    const rejected = settled.find((s) => s.status === "rejected") as PromiseRejectedResult;
    expect((rejected.reason as { code?: string }).code).toBe("23505");
    const rows = await stored([first, second, bystander]);
    expect(rows.map((r) => r.k)).toContain(bystander);
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((r) => r.tx)).size).toBe(2);
  });

  it("a statement alone runs as autocommit (one round trip); grouped, inside the group's transaction", async () => {
    const groups = new CommitGroups(pool, { maxInFlight: 4, maxSize: 32 });
    // Outside an explicit transaction the statement is its own: it starts when the transaction does.
    const ownTransaction = (db: Pick<PoolClient, "query">) =>
      db
        .query<{ own: boolean }>("SELECT transaction_timestamp() = statement_timestamp() AS own")
        .then((r) => r.rows[0]?.own);
    expect(await groups.statement("alone", ownTransaction)).toBe(true);

    const single = new CommitGroups(pool, { maxInFlight: 1, maxSize: 32 });
    const grouped = await Promise.all(["x", "y", "z"].map((k) => single.statement(k, ownTransaction)));
    expect(grouped).toEqual([false, false, false]);
  });
});
