import type { Queryable } from "../pool.ts";

/** A column holding sealed values (core/security/envelope.ts): TEXT, or JSONB holding the sealed text as a JSON string. */
export interface SealedColumn {
  table: string;
  column: string;
  kind: "text" | "json";
  /** The row's identity, with each column's SQL type (for the casts of the batched update). */
  key: ReadonlyArray<{ name: string; type: string }>;
}

const uuidKey = (name: string) => [{ name, type: "uuid" }];
const textKey = (...names: string[]) => names.map((name) => ({ name, type: "text" }));
const sealed = (table: string, column: string, kind: SealedColumn["kind"], key: SealedColumn["key"]) => ({
  table,
  column,
  kind,
  key,
});

/** Every sealed column of the schema; keys:rotate walks them all. */
export const SEALED_COLUMNS: readonly SealedColumn[] = [
  sealed("payments", "payment_method_token", "text", uuidKey("payment_id")),
  sealed("payments", "customer_id", "text", uuidKey("payment_id")),
  sealed("payments", "description", "text", uuidKey("payment_id")),
  sealed("payments", "metadata", "json", uuidKey("payment_id")),
  sealed("payment_method_vault", "ciphertext", "text", uuidKey("ref")),
  sealed("idempotency_keys", "response_body", "json", textKey("merchant_id", "idempotency_key")),
  sealed("processed_commands", "response", "json", uuidKey("command_id")),
  sealed("processed_psp_events", "payload", "json", textKey("psp", "event_id")),
];

export interface StaleValue {
  key: string[];
  /** The stored value as text: the sealed or plain text, or for JSONB the value's JSON. */
  stored: string;
}

const asText = (c: SealedColumn) => (c.kind === "text" ? c.column : `(${c.column} #>> '{}')`);
const stored = (c: SealedColumn) => (c.kind === "text" ? c.column : `${c.column}::text`);

/**
 * The next batch of values not sealed under `currentKekId` (sealed under an older KEK, or plain text
 * written before encryption at rest), after `after` in key order, so a pass always moves forward.
 */
export async function findStaleValues(
  db: Queryable,
  c: SealedColumn,
  currentKekId: string,
  after: string[] | null,
  limit: number,
): Promise<StaleValue[]> {
  const keys = c.key.map((k) => k.name);
  const rowKey = `(${keys.join(", ")})`;
  const afterParams = c.key.map((k, i) => `$${i + 3}::${k.type}`).join(", ");
  const { rows } = await db.query<{ k: string[]; stored: string }>({
    name: `sealed_stale_${c.table}_${c.column}${after ? "_after" : ""}`,
    text: `SELECT ARRAY[${keys.map((k) => `${k}::text`).join(", ")}] AS k, ${stored(c)} AS stored
           FROM ${c.table}
           WHERE ${c.column} IS NOT NULL
             AND NOT (${c.kind === "json" ? `jsonb_typeof(${c.column}) = 'string' AND ` : ""}${asText(c)} LIKE $1)
             ${after ? `AND ${rowKey} > (${afterParams})` : ""}
           ORDER BY ${keys.join(", ")} LIMIT $2`,
    values: [`enc:v1:${currentKekId}:%`, limit, ...(after ?? [])],
  });
  return rows.map((r) => ({ key: r.k, stored: r.stored }));
}

/**
 * Writes the new values, each only if the row still holds what was read: a value a running service
 * rewrote meanwhile (sealed under the current KEK already) is left to it. Returns the rows changed.
 */
export async function replaceSealedValues(
  db: Queryable,
  c: SealedColumn,
  changes: ReadonlyArray<{ key: string[]; stored: string; next: string }>,
): Promise<number> {
  if (changes.length === 0) return 0;
  const vCols = [...c.key.map((_, i) => `k${i}`), "old", "next"];
  const arrays = [
    ...c.key.map((_, i) => changes.map((ch) => ch.key[i] ?? "")),
    changes.map((ch) => ch.stored),
    changes.map((ch) => ch.next),
  ];
  const cast = c.kind === "json" ? "::jsonb" : "";
  const match = c.key.map((k, i) => `t.${k.name} = v.k${i}::${k.type}`).join(" AND ");
  const { rowCount } = await db.query({
    name: `sealed_replace_${c.table}_${c.column}`,
    text: `UPDATE ${c.table} t SET ${c.column} = v.next${cast}
           FROM unnest(${arrays.map((_, i) => `$${i + 1}::text[]`).join(", ")}) AS v(${vCols.join(", ")})
           WHERE ${match} AND t.${c.column} = v.old${cast}`,
    values: arrays,
  });
  return rowCount ?? 0;
}
