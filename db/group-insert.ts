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
 * Group commit for independent single-row inserts (audit rows, vaulted tokens): a row is written by a
 * multi-row INSERT together with every row that arrived while the previous INSERT was running, and
 * add() resolves once that INSERT committed, so a caller still knows its row is durable before it goes
 * on. With no concurrency it is one INSERT per row, as before, with no added wait; under load, one
 * statement and one commit carry many rows. A failed INSERT fails every caller of its group.
 */
export class GroupInsert<Row> {
  private queue: Array<{ row: Row; resolve: () => void; reject: (err: unknown) => void }> = [];
  private running = false;

  constructor(
    private readonly db: Queryable,
    private readonly o: GroupInsertOptions<Row>,
  ) {}

  add(row: Row): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ row, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    // Rows added in the same tick join the first group.
    await Promise.resolve();
    while (this.queue.length > 0) {
      const group = this.queue.splice(0, this.o.maxRows ?? 500);
      const columns = group.map((g) => this.o.columns(g.row));
      const arrays = (columns[0] ?? []).map((_, c) => columns.map((values) => values[c]));
      try {
        await this.db.query({ name: this.o.name, text: this.o.text, values: arrays });
        for (const g of group) g.resolve();
      } catch (err) {
        for (const g of group) g.reject(err);
      }
    }
    this.running = false;
  }
}
