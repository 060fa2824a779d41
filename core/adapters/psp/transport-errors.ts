/** The PSP answered, but with something worth asking again (429, 5xx, an idempotent request in flight). */
export class RetryableReply extends Error {
  constructor(readonly reply: HttpReply) {
    super(`retryable HTTP ${reply.status}`);
  }
}

/**
 * No answer within the timeout. The request may have been processed, so it is retried only where the
 * PSP replays a repeated idempotency key (ResilientHttpOptions.retryTimeouts), never blind.
 */
export class AttemptTimeout extends Error {
  constructor(timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
  }
}

/** The connection failed. `beforeSend` means the request provably never reached the PSP. */
export class NetworkFailure extends Error {
  constructor(
    readonly code: string,
    readonly beforeSend: boolean,
  ) {
    super(`network error ${code}`);
  }
}

/** What the connectors read of an answer's headers (names are case-insensitive). */
export interface ReplyHeaders {
  get(name: string): string | null;
}

export interface HttpReply {
  status: number;
  headers: ReplyHeaders;
  text: string;
}

// Failures while connecting: nothing was sent.
const CONNECT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/**
 * Sorts what an HTTP client threw into timeout (maybe processed) or network failure (before or after
 * send). undici's request() throws the socket error itself (`code` on the error); fetch wraps it in a
 * TypeError whose `cause` has the code. Both are read.
 */
export function classifyTransportError(error: unknown, timeoutMs: number): AttemptTimeout | NetworkFailure {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return new AttemptTimeout(timeoutMs);
  }
  const own = (error as { code?: unknown } | null)?.code;
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined)?.code : undefined;
  const code = typeof own === "string" ? own : typeof cause === "string" ? cause : "UNKNOWN";
  return new NetworkFailure(code, CONNECT_CODES.has(code));
}
