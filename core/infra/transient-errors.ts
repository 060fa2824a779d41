const TRANSIENT_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "57P01",
  "57P03",
  "53300",
  "40001",
  "40P01",
  "COMMAND_CLAIMED",
]);

/**
 * Infrastructure trouble (database down, serialization conflicts) is transient: the message is retried,
 * never dead-lettered. Anything else a handler throws is a bug or bad data: it goes to the DLQ.
 */
export function isTransient(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const code = String((err as { code?: unknown }).code ?? "");
  if (TRANSIENT_CODES.has(code) || code.startsWith("08")) return true;
  const message = String((err as { message?: unknown }).message ?? "");
  return /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect/i.test(message);
}
