import { KEK_ID, type Kek } from "./envelope.ts";

/** The KEK settings as they come from the environment (core/infra/config.ts). */
export interface KekSettings {
  DATA_KEK_ID?: string | undefined;
  DATA_KEK?: string | undefined;
  DATA_KEKS: readonly string[];
}

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

function kek(id: string, base64: string, name: string, problems: string[]): Kek | null {
  if (!KEK_ID.test(id)) {
    problems.push(`${name}: a KEK id is 1 to 40 characters of [A-Za-z0-9_-]`);
    return null;
  }
  // Node's base64 decoder takes the standard and the URL-safe alphabet alike.
  const key = BASE64.test(base64) ? Buffer.from(base64, "base64") : Buffer.alloc(0);
  if (key.length !== 32) {
    problems.push(`${name}: KEK ${id} must be 32 bytes in base64 (openssl rand -base64 32)`);
    return null;
  }
  return { id, key };
}

/**
 * Every active KEK, the current (sealing) one last. DATA_KEKS="id:base64,…" lists them in the order they
 * were introduced; DATA_KEK_ID + DATA_KEK is a shorthand for one more key, which then becomes current.
 * The messages name variables and key ids, never key material.
 */
export function parseKeks(s: KekSettings): { keks: Kek[]; problems: string[] } {
  const problems: string[] = [];
  const keks: Kek[] = [];
  for (const entry of s.DATA_KEKS) {
    const at = entry.indexOf(":");
    const parsed = at > 0 ? kek(entry.slice(0, at), entry.slice(at + 1), "DATA_KEKS", problems) : null;
    if (at <= 0) problems.push("DATA_KEKS: each entry is <kek id>:<base64 key>");
    if (parsed) keks.push(parsed);
  }
  if (s.DATA_KEK !== undefined) {
    if (!s.DATA_KEK_ID) problems.push("DATA_KEK needs DATA_KEK_ID");
    else {
      const parsed = kek(s.DATA_KEK_ID, s.DATA_KEK, "DATA_KEK", problems);
      if (parsed) keks.push(parsed);
    }
  } else if (s.DATA_KEK_ID) problems.push("DATA_KEK_ID is set without DATA_KEK");
  const ids = keks.map((k) => k.id);
  const twice = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (twice.length > 0) problems.push(`KEK id ${twice.join(", ")} is configured twice`);
  return { keks, problems };
}
