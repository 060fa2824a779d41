import type { Pool } from "../../db/pool.ts";

/**
 * The OS pid of the processor whose relay holds a live outbox lease (processors/relay-lease.ts: the
 * holder is `host/pid/nonce`), or null when no lease is live.
 */
export async function relayLeaderPid(pool: Pool): Promise<number | null> {
  const { rows } = await pool.query<{ holder: string }>(
    "SELECT holder FROM outbox_relay_lease WHERE expires_at > now() ORDER BY epoch DESC LIMIT 1",
  );
  const pid = Number(rows[0]?.holder.split("/")[1]);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}
