import { afterAll, describe, expect, it } from "vitest";
import { createPool } from "../../db/pool.ts";
import { testDb } from "../helpers/db.ts";
import { stackEnv } from "../helpers/stack-env.ts";
import { eventually } from "../helpers/wait.ts";

const pool = createPool(stackEnv.databaseUrl, 2);
afterAll(() => pool.end());

describe("the connection pool when PostgreSQL ends a session (restart, admin command)", () => {
  it("survives the error on a checked-out client and keeps serving queries", async () => {
    const client = await pool.connect();
    const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    const pid = rows[0]?.pid;
    const emitted: Error[] = [];
    client.on("error", (err) => emitted.push(err));
    // What a restart does to every session: 57P01 "terminating connection due to administrator command".
    const terminated = await testDb().query("SELECT pg_terminate_backend($1) AS ok", [pid]);
    expect(terminated.rows[0]?.ok).toBe(true);
    await eventually("the checked-out client to learn its session ended", async () =>
      emitted.length > 0 ? emitted : undefined,
    );
    // The pool put its own listener on the client when it connected (the test's is the second): in a
    // service, where nobody else listens, that one keeps the 'error' event from killing the process.
    expect(client.listenerCount("error")).toBeGreaterThanOrEqual(2);
    client.release(true);
    const again = await pool.query<{ one: number }>("SELECT 1 AS one");
    expect(again.rows[0]?.one).toBe(1);
  });
});
