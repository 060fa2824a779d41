import pg from "pg";
import { stackEnv } from "./stack-env.ts";

let pool: pg.Pool | undefined;

/** A small pool for assertions straight against the ledger. */
export function testDb(): pg.Pool {
  pool ??= new pg.Pool({ connectionString: stackEnv.databaseUrl, max: 3 });
  return pool;
}

export async function closeTestDb(): Promise<void> {
  await pool?.end();
  pool = undefined;
}

/** The PSP's reference of a payment, as the ledger stored it (a test fails if it has none yet). */
export async function pspReferenceOf(paymentId: string): Promise<string> {
  const { rows } = await testDb().query<{ psp_reference: string }>(
    "SELECT psp_reference FROM payments WHERE payment_id = $1",
    [paymentId],
  );
  const reference = rows[0]?.psp_reference;
  if (!reference) throw new Error(`payment ${paymentId} has no PSP reference`);
  return reference;
}
