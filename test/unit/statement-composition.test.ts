import { describe, expect, it } from "vitest";
import { GroupInsert } from "../../db/group-insert.ts";
import type { PoolClient } from "../../db/pool.ts";
import { withWrites } from "../../db/statement.ts";
import { takePending, write, writeBehind } from "../../db/write-behind.ts";

describe("withWrites", () => {
  it("puts the writes in front of the last statement as CTEs, renumbering every placeholder", () => {
    const s = withWrites(
      [
        { name: "a", text: "INSERT INTO a (x, y) VALUES ($1, $2)", values: [1, 2] },
        { name: "b", text: "INSERT INTO b (x, y, z) VALUES ($1, $2, $2)", values: [3, 4] },
      ],
      { name: "last", text: "SELECT $1::int + $2::int AS n", values: [5, 6] },
    );
    expect(s.text).toBe(
      "WITH w0 AS (INSERT INTO a (x, y) VALUES ($1, $2)),\n" +
        "w1 AS (INSERT INTO b (x, y, z) VALUES ($3, $4, $4))\n" +
        "SELECT $5::int + $6::int AS n",
    );
    expect(s.values).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("merges with a last statement that has CTEs of its own, and names each text differently", () => {
    const last = {
      name: "save",
      text: "WITH saved AS (INSERT INTO r VALUES ($1) RETURNING 1) SELECT 1 FROM saved",
      values: ["r"],
    };
    const one = withWrites([{ name: "a", text: "DELETE FROM a WHERE k = $1", values: ["k"] }], last);
    expect(one.text).toBe(
      "WITH w0 AS (DELETE FROM a WHERE k = $1),\nsaved AS (INSERT INTO r VALUES ($2) RETURNING 1) SELECT 1 FROM saved",
    );
    const other = withWrites([{ name: "b", text: "DELETE FROM b WHERE k = $1", values: ["k"] }], last);
    expect(one.name).not.toBe(other.name);
    expect(one.name.length).toBeLessThanOrEqual(63);
  });

  it("leaves a statement without writes as it is", () => {
    const last = { name: "x", text: "SELECT $1", values: [1] };
    expect(withWrites([], last)).toBe(last);
  });
});

describe("GroupInsert", () => {
  /** Records each INSERT's arrays and holds it open until the test releases it. */
  function recordingDb() {
    const calls: unknown[][] = [];
    const releases: Array<() => void> = [];
    let failNext = false;
    const db = {
      query: (q: { values: unknown[] }) => {
        calls.push(q.values);
        const fail = failNext;
        failNext = false;
        return new Promise((resolve, reject) =>
          releases.push(() => (fail ? reject(new Error("insert failed")) : resolve({ rows: [] }))),
        );
      },
    };
    return { db: db as never, calls, releases, failNextInsert: () => (failNext = true) };
  }
  const flush = () => new Promise((r) => setImmediate(r));

  it("writes the rows that arrive while an INSERT runs as one INSERT, and resolves each after its own", async () => {
    const { db, calls, releases } = recordingDb();
    const group = new GroupInsert<{ a: number; b: string }>(db, {
      name: "t",
      text: "INSERT INTO t SELECT * FROM unnest($1::int[], $2::text[])",
      columns: (r) => [r.a, r.b],
    });
    const resolved: number[] = [];
    const first = group.add({ a: 1, b: "x" }).then(() => resolved.push(1));
    await flush();
    expect(calls).toEqual([[[1], ["x"]]]);
    const second = group.add({ a: 2, b: "y" }).then(() => resolved.push(2));
    const third = group.add({ a: 3, b: "z" }).then(() => resolved.push(3));
    await flush();
    expect(calls).toHaveLength(1); // waiting for the first INSERT to commit
    releases[0]?.();
    await first;
    await flush();
    expect(resolved).toEqual([1]);
    expect(calls[1]).toEqual([
      [2, 3],
      ["y", "z"],
    ]);
    releases[1]?.();
    await Promise.all([second, third]);
    expect(resolved).toEqual([1, 2, 3]);
  });

  it("fails every caller of a failed INSERT, and goes on with the next group", async () => {
    const { db, calls, releases, failNextInsert } = recordingDb();
    const group = new GroupInsert<number>(db, { name: "t", text: "…", columns: (n) => [n] });
    failNextInsert();
    const failed = group.add(1);
    await flush();
    releases[0]?.();
    await expect(failed).rejects.toThrow("insert failed");
    const next = group.add(2);
    await flush();
    expect(calls[1]).toEqual([[2]]);
    releases[1]?.();
    await expect(next).resolves.toBeUndefined();
  });
});

describe("writeBehind", () => {
  function recordingClient() {
    const sent: Array<{ text: string; values: unknown[] }> = [];
    const client = {
      query: async (q: string | { text: string; values?: unknown[] }) => {
        sent.push(typeof q === "string" ? { text: q, values: [] } : { text: q.text, values: q.values ?? [] });
        return { rows: [] };
      },
      release: () => undefined,
    };
    return { client: client as never as PoolClient, sent };
  }
  const finish = (id: string) => ({
    name: "finish",
    text: "UPDATE t SET s = 1 WHERE id = $1",
    values: [id],
  });
  const outbox = { name: "outbox", text: "INSERT INTO o (id) VALUES ($1)", values: ["o1"] };

  it("holds writes and sends them, before any other query, as one statement", async () => {
    const { client, sent } = recordingClient();
    const tx = writeBehind(client);
    await write(tx, finish("a"));
    await write(tx, outbox);
    expect(sent).toEqual([]);
    await tx.query({ text: "SELECT * FROM t WHERE id = $1", values: ["a"] });
    expect(sent).toEqual([
      {
        text: "WITH w0 AS (UPDATE t SET s = 1 WHERE id = $1)\nINSERT INTO o (id) VALUES ($2)",
        values: ["a", "o1"],
      },
      { text: "SELECT * FROM t WHERE id = $1", values: ["a"] },
    ]);
  });

  it("hands what it holds to the caller's last statement", async () => {
    const { client, sent } = recordingClient();
    const tx = writeBehind(client);
    await write(tx, outbox);
    const held = takePending(tx);
    expect(held).toEqual([outbox]);
    await tx.query("COMMIT");
    expect(sent).toEqual([{ text: "COMMIT", values: [] }]);
  });

  it("never holds two updates of one kind together (they may change one row twice)", async () => {
    const { client, sent } = recordingClient();
    const tx = writeBehind(client);
    await write(tx, finish("a"));
    await write(tx, finish("b"));
    expect(sent).toEqual([{ text: "UPDATE t SET s = 1 WHERE id = $1", values: ["a"] }]);
    expect(takePending(tx)).toEqual([finish("b")]);
  });

  it("runs a write at once on a plain client, and holds nothing for it", async () => {
    const { client, sent } = recordingClient();
    await write(client, outbox);
    expect(sent).toEqual([{ text: outbox.text, values: outbox.values }]);
    expect(takePending(client)).toEqual([]);
  });
});
