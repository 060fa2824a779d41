import type { Pool } from "../../db/pool.ts";
import { pidOwningLocalPort } from "./shell.ts";

// processors/outbox-relay.ts elects its leader with this session advisory lock.
const RELAY_LOCK_ID = 727_002;

/**
 * The OS pid of the processor whose relay holds the leader lock: the lock's backend, its client
 * port, and the local process that owns that port.
 */
export async function relayLeaderPid(pool: Pool): Promise<number | null> {
  const { rows } = await pool.query<{ client_port: number }>(
    `SELECT a.client_port FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.objid = $1 AND l.granted
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [RELAY_LOCK_ID],
  );
  const port = rows[0]?.client_port;
  return port ? pidOwningLocalPort(port) : null;
}
