import type { Queryable } from "../pool.ts";

/**
 * Takes the claim on a command for `owner` (one handler run), or renews it; fails (false) while another
 * owner's lease runs. A lapsed lease (its holder died or froze) is taken over.
 */
export async function claimCommand(
  db: Queryable,
  commandId: string,
  owner: string,
  leaseMs: number,
): Promise<boolean> {
  const { rows } = await db.query<{ owner: string }>({
    name: "command_claim",
    text: `INSERT INTO command_claims (command_id, owner, lease_until)
           VALUES ($1, $2, now() + make_interval(secs => $3 / 1000.0))
           ON CONFLICT (command_id) DO UPDATE SET owner = EXCLUDED.owner, lease_until = EXCLUDED.lease_until
             WHERE command_claims.lease_until < now() OR command_claims.owner = EXCLUDED.owner
           RETURNING owner`,
    values: [commandId, owner, leaseMs],
  });
  return rows.length === 1;
}

/** Extends the leases still held: each (command, owner) pair as taken by claimCommand. */
export async function renewClaims(
  db: Queryable,
  held: ReadonlyArray<{ commandId: string; owner: string }>,
  leaseMs: number,
): Promise<void> {
  if (held.length === 0) return;
  await db.query({
    name: "command_claims_renew",
    text: `UPDATE command_claims c SET lease_until = now() + make_interval(secs => $3 / 1000.0)
           FROM unnest($1::uuid[], $2::text[]) AS h(command_id, owner)
           WHERE c.command_id = h.command_id AND c.owner = h.owner`,
    values: [held.map((h) => h.commandId), held.map((h) => h.owner), leaseMs],
  });
}

export async function releaseClaim(db: Queryable, commandId: string, owner: string): Promise<void> {
  await db.query({
    name: "command_claim_release",
    text: "DELETE FROM command_claims WHERE command_id = $1 AND owner = $2",
    values: [commandId, owner],
  });
}

/** Claims whose holder died and that nobody took over (the command was finished by a copy). */
export async function deleteLapsedClaims(db: Queryable, olderThanMs: number): Promise<number> {
  const { rowCount } = await db.query({
    name: "command_claims_delete_lapsed",
    text: "DELETE FROM command_claims WHERE lease_until < now() - make_interval(secs => $1 / 1000.0)",
    values: [olderThanMs],
  });
  return rowCount ?? 0;
}
