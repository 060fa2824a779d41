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

/**
 * `guard` (an UPDATE … RETURNING) and, only if it changed a row, `writes`: one statement. Each write is
 * an `INSERT … VALUES (…)` of one row, made conditional on the guard. Returns the guard's rows; none
 * means nothing was written (the guard's WHERE, a version check say, did not hold).
 */
export function guardedWrites(guard: Statement, writes: readonly Statement[]): Statement {
  if (!/\bRETURNING\b/i.test(guard.text)) throw new Error(`guard ${guard.name} must have RETURNING`);
  if (writes.length === 0) return guard;
  const conditional = writes.map((w) => {
    const m = /^\s*(INSERT INTO [^(]+\([^)]*\))\s*VALUES\s*\(([\s\S]*)\)\s*$/.exec(w.text);
    if (!m) throw new Error(`write ${w.name} is not a one-row INSERT … VALUES (…)`);
    return { ...w, text: `${m[1]} SELECT ${m[2]} WHERE EXISTS (SELECT 1 FROM g)` };
  });
  let offset = guard.values.length;
  const ctes = conditional.map((w, i) => {
    const text = w.text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
    offset += w.values.length;
    return `w${i} AS (${text})`;
  });
  const text = `WITH g AS (${guard.text}),\n${ctes.join(",\n")}\nSELECT * FROM g`;
  return {
    name: `${guard.name.slice(0, 30)}_${createHash("sha1").update(text).digest("hex").slice(0, 16)}`,
    text,
    values: [...guard.values, ...writes.flatMap((w) => w.values)],
  };
}
