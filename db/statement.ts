import { createHash } from "node:crypto";

/** A named (prepared) statement: its name, SQL with $1…$n placeholders, and values. */
export interface Statement {
  name: string;
  text: string;
  values: unknown[];
}

/**
 * Writes that read nothing of each other, as data-modifying CTEs in front of `last` (which sees the
 * same snapshot): one statement, so one round trip and, outside a transaction, one commit for all of
 * them. Placeholders of each part are renumbered after the previous parts' values.
 */
export function withWrites(writes: readonly Statement[], last: Statement): Statement {
  if (writes.length === 0) return last;
  let offset = 0;
  const shift = (s: Statement) => {
    const text = s.text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
    offset += s.values.length;
    return text;
  };
  const ctes = writes.map((w, i) => `w${i} AS (${shift(w)})`);
  const tail = shift(last).trimStart();
  // `last` may begin with its own WITH: its CTEs join the list.
  const joined = tail.startsWith("WITH ")
    ? `${ctes.join(",\n")},\n${tail.slice(5)}`
    : `${ctes.join(",\n")}\n${tail}`;
  const text = `WITH ${joined}`;
  return {
    // Unique per text: node-postgres refuses one name for two texts.
    name: `${last.name.slice(0, 30)}_${createHash("sha1").update(text).digest("hex").slice(0, 16)}`,
    text,
    values: [...writes.flatMap((w) => w.values), ...last.values],
  };
}
