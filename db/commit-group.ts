import pg from "pg";
import { dbBatchSize } from "../core/infra/metrics.ts";
import { inChildSpan } from "../core/infra/tracing/spans.ts";
import { type BatchLimits, NaturalBatches } from "./natural-batches.ts";
import { type Pool, type PoolClient, transaction } from "./pool.ts";

/** How a member runs when it is alone: in its own transaction, or as autocommit statements on the pool. */
export type MemberKind = "transaction" | "statement";

interface Member {
  /** Members run in key order inside a group, so two groups lock rows in the same order. */
  key: string;
  kind: MemberKind;
  work: (db: PoolClient | Pool) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * Group commit by natural batching (natural-batches.ts): work that arrives while `maxInFlight`
 * transactions are running (commands of one Kafka batch, handled on different keys at the same time)
 * waits and then runs with the rest of the queue in one transaction, one after the other on one connection: one BEGIN, one COMMIT and
 * one WAL flush for all of them. At low load nothing waits: a member alone runs as it would without the
 * group. A group commits all of its members or none; when one member fails, the group rolls back and
 * every member runs again alone, so a member's outcome never depends on who it was grouped with.
 * Work may therefore run twice, and must have no effect outside the database (metrics aside).
 */
export class CommitGroups {
  private readonly groups: NaturalBatches<Member>;

  constructor(
    private readonly pool: Pool,
    limits: BatchLimits,
  ) {
    this.groups = new NaturalBatches(limits, (members) => this.runGroup(members));
  }

  /** Runs `work` in a transaction, alone or shared with other members; resolves once it committed. */
  transaction<T>(key: string, work: (client: PoolClient) => Promise<T>): Promise<T> {
    return this.enqueue(key, "transaction", work as Member["work"]);
  }

  /**
   * Runs `work`, a single statement when alone (autocommit: one round trip), inside a group's
   * transaction when others are waiting.
   */
  statement<T>(key: string, work: (db: PoolClient | Pool) => Promise<T>): Promise<T> {
    return this.enqueue(key, "statement", work as Member["work"]);
  }

  private enqueue<T>(key: string, kind: MemberKind, work: Member["work"]): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.groups.push({ key, kind, work, resolve: resolve as (v: unknown) => void, reject });
    });
  }

  private async runGroup(members: Member[]): Promise<void> {
    dbBatchSize.observe({ kind: "commit" }, members.length);
    if (members.length === 1) return this.runAlone(members[0] as Member);
    members.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const outcome = await inChildSpan("db.commit_group", () => this.runShared(members));
    if (outcome.kind === "committed") {
      for (const [i, m] of members.entries()) m.resolve(outcome.results[i]);
    } else if (outcome.kind === "unknown") for (const m of members) m.reject(outcome.error);
    else await Promise.all(members.map((m) => this.runAlone(m)));
  }

  private async runShared(
    members: Member[],
  ): Promise<
    { kind: "committed"; results: unknown[] } | { kind: "rolled_back" } | { kind: "unknown"; error: unknown }
  > {
    let workDone = false;
    try {
      const results = await transaction(this.pool, async (client) => {
        const out: unknown[] = [];
        for (const m of members) out.push(await m.work(client));
        workDone = true;
        return out;
      });
      return { kind: "committed", results };
    } catch (err) {
      // Before COMMIT (connect, BEGIN, a member's work) nothing committed. A server's answer to COMMIT
      // that is an error means it rolled back; no answer means nobody knows: each member's caller then
      // finds out as it would alone (a retry reads back what was stored).
      if (!workDone || err instanceof pg.DatabaseError) return { kind: "rolled_back" };
      return { kind: "unknown", error: err };
    }
  }

  private async runAlone(m: Member): Promise<void> {
    try {
      m.resolve(
        m.kind === "statement" ? await m.work(this.pool) : await transaction(this.pool, m.work as never),
      );
    } catch (err) {
      m.reject(err);
    }
  }
}
