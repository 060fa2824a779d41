// Statements and commits the service's database ran, from pg_stat_statements (loaded by
// deploy/postgres/postgresql.conf, created by scripts/stack/up.sh) and pg_stat_database. A bench
// takes a snapshot before and after its window and divides by the payments it completed.
import type pg from "pg";

export interface PgSnapshot {
  commits: number;
  rollbacks: number;
  /** queryid → calls, for statements of this database. */
  calls: Map<string, { query: string; calls: number }>;
}

export async function pgSnapshot(db: pg.Pool): Promise<PgSnapshot> {
  const stats = await db.query<{ xact_commit: string; xact_rollback: string }>(
    "SELECT xact_commit, xact_rollback FROM pg_stat_database WHERE datname = current_database()",
  );
  const statements = await db.query<{ queryid: string; query: string; calls: string }>(
    `SELECT queryid::text, query, calls FROM pg_stat_statements
      WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
  );
  return {
    commits: Number(stats.rows[0]?.xact_commit ?? 0),
    rollbacks: Number(stats.rows[0]?.xact_rollback ?? 0),
    calls: new Map(statements.rows.map((r) => [r.queryid, { query: r.query, calls: Number(r.calls) }])),
  };
}

export interface PgPerUnit {
  statements_per_payment: number;
  commits_per_payment: number;
  top_statements_per_payment: Array<{ calls: number; query: string }>;
}

export function pgPerUnit(before: PgSnapshot, after: PgSnapshot, units: number, top = 12): PgPerUnit {
  const round = (n: number) => Math.round(n * 100) / 100;
  const deltas = [...after.calls].map(([id, s]) => ({
    calls: s.calls - (before.calls.get(id)?.calls ?? 0),
    query: s.query.replace(/\s+/g, " ").slice(0, 110),
  }));
  const statements = deltas.reduce((n, d) => n + Math.max(0, d.calls), 0);
  return {
    statements_per_payment: round(statements / units),
    commits_per_payment: round((after.commits - before.commits) / units),
    top_statements_per_payment: deltas
      .filter((d) => d.calls > 0)
      .sort((a, b) => b.calls - a.calls)
      .slice(0, top)
      .map((d) => ({ calls: round(d.calls / units), query: d.query })),
  };
}

/** True when pg_stat_statements answers (a stack started before it was configured does not): the bench then says so. */
export async function hasStatementStats(db: pg.Pool): Promise<boolean> {
  return db.query("SELECT 1 FROM pg_stat_statements LIMIT 1").then(
    () => true,
    () => false,
  );
}
