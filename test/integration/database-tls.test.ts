import { describe, expect, it } from "vitest";
import { createPool } from "../../db/pool.ts";
import { stackEnv } from "../helpers/stack-env.ts";

/** The stack's URL with one connection parameter set. */
function withParam(name: string, value: string): string {
  const url = new URL(stackEnv.databaseUrl);
  url.searchParams.set(name, value);
  return url.toString();
}

async function firstQuery(connectionString: string): Promise<unknown> {
  const pool = createPool(connectionString, 1);
  try {
    return await pool.query("SELECT 1 AS one").then((r) => r.rows[0]);
  } finally {
    await pool.end();
  }
}

// The local stack's PostgreSQL runs without TLS (ssl = off): a pool that honours sslmode=require must
// refuse to talk to it in plain text rather than fall back.
describe("DATABASE_URL's TLS settings reach the pool", () => {
  it("sslmode=require asks the server for TLS and fails when it has none", async () => {
    await expect(firstQuery(withParam("sslmode", "require"))).rejects.toThrow(/does not support SSL/);
  });

  it("sslmode=disable connects in plain text (dev stack only)", async () => {
    await expect(firstQuery(withParam("sslmode", "disable"))).resolves.toEqual({ one: 1 });
  });

  it("sslrootcert is read from the path the URL gives", async () => {
    await expect(firstQuery(withParam("sslrootcert", "/nonexistent/payments-ca.pem"))).rejects.toThrow(
      /ENOENT/,
    );
  });
});
