/** A response as it was first sent, replayed verbatim for a repeated key. */
export interface StoredResponse {
  status: number;
  body: string;
  headers: Record<string, string>;
}

type Entry =
  | { state: "in_flight"; fingerprint: string; at: number }
  | { state: "done"; fingerprint: string; at: number; response: StoredResponse };

export type IdempotencyCheck =
  | { kind: "fresh" }
  | { kind: "replay"; response: StoredResponse }
  | { kind: "mismatch" }
  | { kind: "in_flight" };

const KEY_LIFETIME_MS = 24 * 60 * 60 * 1000;

/** Keys are scoped by the caller (per API key), as both PSPs scope them per account. */
export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();

  begin(scopedKey: string, fingerprint: string): IdempotencyCheck {
    const entry = this.entries.get(scopedKey);
    if (entry !== undefined && Date.now() - entry.at < KEY_LIFETIME_MS) {
      if (entry.fingerprint !== fingerprint) return { kind: "mismatch" };
      return entry.state === "done" ? { kind: "replay", response: entry.response } : { kind: "in_flight" };
    }
    this.entries.set(scopedKey, { state: "in_flight", fingerprint, at: Date.now() });
    return { kind: "fresh" };
  }

  complete(scopedKey: string, response: StoredResponse): void {
    const entry = this.entries.get(scopedKey);
    if (entry === undefined) return;
    this.entries.set(scopedKey, { state: "done", fingerprint: entry.fingerprint, at: entry.at, response });
  }

  /** Forget a key whose request failed before doing anything, so a retry runs for real. */
  abandon(scopedKey: string): void {
    this.entries.delete(scopedKey);
  }

  clear(): void {
    this.entries.clear();
  }
}
