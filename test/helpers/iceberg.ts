import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

// The Iceberg feed of the stack (docs/adr/0012-iceberg-feed.md), read for real: scripts/iceberg/catalog.sh
// runs pyiceberg against the JDBC catalog in DATABASE_URL and the warehouse on S3_ENDPOINT.

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const run = promisify(execFile);

/** STACK_ICEBERG=0 leaves the feed out of the stack (scripts/stack/iceberg.sh); its tests skip then. */
export const icebergEnabled = process.env.STACK_ICEBERG !== "0";

/** The names up.sh registers; ICEBERG_FEED_SUFFIX is a second feed's (a helper's own worker). */
const suffix = process.env.ICEBERG_FEED_SUFFIX ?? "";
export const feedConnectors = {
  events: `payment-events-iceberg${suffix}`,
  settlement: `settlement-lines-iceberg${suffix}`,
  settlementCdc: `psp-settlement-cdc${suffix}`,
};

export type IcebergTable = "payment_events" | "settlement_lines";

/** A row as catalog.py prints it (timestamps and dates ISO, decimals as strings), with its file's partition. */
export type IcebergRow = Record<string, string | number | null> & { _partition: Record<string, string> };

/** The table's rows matching a pyiceberg row filter (`payment_id IN ('…')`), read from its data files. */
export async function scanTable(table: IcebergTable, where: string): Promise<IcebergRow[]> {
  const { stdout } = await run(
    "bash",
    [join(ROOT, "scripts/iceberg/catalog.sh"), "scan", table, "--where", where],
    {
      env: process.env,
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as IcebergRow);
}

/** `col IN ('a', 'b')` for ids that are UUIDs (checked, so nothing else reaches the filter). */
export function inFilter(column: string, ids: readonly string[]): string {
  for (const id of ids) if (!/^[0-9a-f-]{36}$/.test(id)) throw new Error(`not a UUID: ${id}`);
  return `${column} IN (${ids.map((id) => `'${id}'`).join(", ")})`;
}
