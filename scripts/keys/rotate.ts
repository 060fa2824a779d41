import { isSealed, type Keyring, rewrap, seal } from "../../core/security/envelope.ts";
import type { Queryable } from "../../db/pool.ts";
import {
  findStaleValues,
  replaceSealedValues,
  SEALED_COLUMNS,
  type SealedColumn,
} from "../../db/repositories/sealed-columns-repo.ts";

export interface RotationResult {
  table: string;
  column: string;
  /** Sealed values whose data key was re-wrapped under the current KEK. */
  rewrapped: number;
  /** Plain values written before encryption at rest, now sealed. */
  sealed: number;
  /** Values a running service rewrote between the read and the write (already current; left alone). */
  skipped: number;
}

function nextValue(keyring: Keyring, c: SealedColumn, stored: string): { next: string; plain: boolean } {
  const text = c.kind === "text" ? stored : (JSON.parse(stored) as unknown);
  if (typeof text === "string" && isSealed(text)) {
    const next = rewrap(keyring, text);
    return { next: c.kind === "text" ? next : JSON.stringify(next), plain: false };
  }
  // A legacy JSONB value is sealed as its JSON text, exactly like sealJson does.
  const sealed = seal(keyring, stored);
  return { next: c.kind === "text" ? sealed : JSON.stringify(sealed), plain: true };
}

/**
 * Brings every sealed column under the keyring's current KEK, in batches of short statements, so the
 * service keeps running: re-wraps data keys (the ciphertext stays) and seals plain legacy values. It can
 * stop at any point and run again: a second run finds nothing left to do.
 */
export async function rotateSealedValues(
  db: Queryable,
  keyring: Keyring,
  batchSize: number,
  onBatch: (r: RotationResult) => void = () => undefined,
): Promise<RotationResult[]> {
  const results: RotationResult[] = [];
  for (const c of SEALED_COLUMNS) {
    const result = { table: c.table, column: c.column, rewrapped: 0, sealed: 0, skipped: 0 };
    let after: string[] | null = null;
    for (;;) {
      const stale = await findStaleValues(db, c, keyring.current.id, after, batchSize);
      if (stale.length === 0) break;
      const changes = stale.map((s) => ({ ...s, ...nextValue(keyring, c, s.stored) }));
      const written = await replaceSealedValues(db, c, changes);
      const plain = changes.filter((ch) => ch.plain).length;
      result.sealed += plain;
      result.rewrapped += changes.length - plain;
      result.skipped += changes.length - written;
      after = stale[stale.length - 1]?.key ?? null;
      onBatch(result);
    }
    results.push(result);
  }
  return results;
}
