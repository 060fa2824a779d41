import type { Queryable } from "../pool.ts";

/**
 * Takes the claim on each command for its `owner` (one handler run), or renews it; a claim fails (false)
 * while another owner's lease runs. A lapsed lease (its holder died or froze) is taken over. One
 * statement for all; a command listed twice is claimed by its first listing only (one statement cannot
 * change a row twice, and two owners cannot both hold it).
 */
export async function claimCommands(
  db: Queryable,
  claims: ReadonlyArray<{ commandId: string; owner: string }>,
  leaseMs: number,
): Promise<boolean[]> {
  const first = new Map<string, string>();
  const id = (commandId: string) => commandId.toLowerCase();
  for (const c of claims) if (!first.has(id(c.commandId))) first.set(id(c.commandId), c.owner);
  const { rows } = await db.query<{ command_id: string; owner: string }>({
    name: "command_claims_take",
    text: `INSERT INTO command_claims (command_id, owner, lease_until)
           SELECT c.command_id, c.owner, now() + make_interval(secs => $3 / 1000.0)
           FROM unnest($1::uuid[], $2::text[]) AS c(command_id, owner)
           ON CONFLICT (command_id) DO UPDATE SET owner = EXCLUDED.owner, lease_until = EXCLUDED.lease_until
             WHERE command_claims.lease_until < now() OR command_claims.owner = EXCLUDED.owner
           RETURNING command_id, owner`,
    values: [[...first.keys()], [...first.values()], leaseMs],
  });
  const taken = new Set(rows.map((r) => `${r.command_id}/${r.owner}`));
  return claims.map((c) => taken.has(`${id(c.commandId)}/${c.owner}`));
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
