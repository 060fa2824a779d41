import { NaturalBatches } from "./natural-batches.ts";
import type { Queryable } from "./pool.ts";

export interface GroupInsertOptions<Row> {
  /** Prepared statement name. */
  name: string;
  /** An INSERT that takes one array parameter per column ($1 … $n), e.g. `… SELECT * FROM unnest($1::uuid[], …)`. */
  text: string;
  /** The row's value for each of those columns, in order. */
  columns(row: Row): unknown[];
  /** Rows per statement at most. */
  maxRows?: number;
}

/**
 * Group commit for independent single-row inserts (audit rows, vaulted tokens), by natural batching
 * (natural-batches.ts): a row is written by a multi-row INSERT together with every row that arrived
 * while the previous INSERT was running, and
 * add() resolves once that INSERT committed, so a caller still knows its row is durable before it goes
 * on. With no concurrency it is one INSERT per row, as before, with no added wait; under load, one
 * statement and one commit carry many rows. A failed INSERT fails every caller of its group.
 */
export class GroupInsert<Row> {
  private readonly groups: NaturalBatches<{ row: Row; resolve: () => void; reject: (err: unknown) => void }>;

  constructor(
    private readonly db: Queryable,
    private readonly o: GroupInsertOptions<Row>,
  ) {
    this.groups = new NaturalBatches({ maxInFlight: 1, maxSize: o.maxRows ?? 500 }, async (group) => {
      const columns = group.map((g) => this.o.columns(g.row));
      const arrays = (columns[0] ?? []).map((_, c) => columns.map((values) => values[c]));
      try {
        await this.db.query({ name: this.o.name, text: this.o.text, values: arrays });
        for (const g of group) g.resolve();
      } catch (err) {
        for (const g of group) g.reject(err);
      }
    });
  }

  add(row: Row): Promise<void> {
    return new Promise<void>((resolve, reject) => this.groups.push({ row, resolve, reject }));
  }
}
