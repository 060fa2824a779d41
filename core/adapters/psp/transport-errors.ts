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

export interface HttpReply {
  status: number;
  headers: Headers;
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

/** Sorts what fetch threw into timeout (maybe processed) or network failure (before or after send). */
export function classifyFetchError(error: unknown, timeoutMs: number): AttemptTimeout | NetworkFailure {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return new AttemptTimeout(timeoutMs);
  }
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === "string" ? cause.code : "UNKNOWN";
  return new NetworkFailure(code, CONNECT_CODES.has(code));
}
