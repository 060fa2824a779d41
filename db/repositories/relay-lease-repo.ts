import type { Queryable } from "../pool.ts";

/** A term of leadership: the epoch is the fencing token every mark of that term carries. */
export interface LeaseTerm {
  name: string;
  holder: string;
  epoch: string;
}

const ttl = "make_interval(secs => $3::double precision / 1000.0)";

/**
 * Takes the lease when it is free or has run out (by the database clock), starting a new epoch.
 * Returns the term, or null while another holder's lease is live.
 */
export async function acquireRelayLease(
  db: Queryable,
  name: string,
  holder: string,
  ttlMs: number,
): Promise<LeaseTerm | null> {
  const { rows } = await db.query<{ epoch: string }>({
    name: "relay_lease_acquire",
    text: `INSERT INTO outbox_relay_lease (name, holder, epoch, acquired_at, expires_at)
           VALUES ($1, $2, 1, now(), now() + ${ttl})
           ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, epoch = outbox_relay_lease.epoch + 1,
             acquired_at = now(), expires_at = EXCLUDED.expires_at
           WHERE outbox_relay_lease.expires_at <= now()
           RETURNING epoch`,
    values: [name, holder, ttlMs],
  });
  return rows[0] ? { name, holder, epoch: rows[0].epoch } : null;
}

/** Extends a live term; false when it ran out or another holder took the lease since. */
export async function renewRelayLease(db: Queryable, term: LeaseTerm, ttlMs: number): Promise<boolean> {
  const { rowCount } = await db.query({
    name: "relay_lease_renew",
    text: `UPDATE outbox_relay_lease SET expires_at = now() + ${ttl}
           WHERE name = $1 AND epoch = $2 AND expires_at > now()`,
    values: [term.name, term.epoch, ttlMs],
  });
  return rowCount === 1;
}

/** Ends a term early (a clean shutdown), so the next instance need not wait for the lease to run out. */
export async function releaseRelayLease(db: Queryable, term: LeaseTerm): Promise<void> {
  await db.query({
    name: "relay_lease_release",
    text: "UPDATE outbox_relay_lease SET expires_at = now() WHERE name = $1 AND epoch = $2 AND expires_at > now()",
    values: [term.name, term.epoch],
  });
}
