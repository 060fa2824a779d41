import CircuitBreaker from "opossum";
import pRetry from "p-retry";
import {
  AttemptTimeout,
  classifyFetchError,
  type HttpReply,
  NetworkFailure,
  RetryableReply,
} from "./transport-errors.ts";

export type { HttpReply } from "./transport-errors.ts";

export interface HttpRequest {
  method: "GET" | "POST";
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** `indeterminate`: the PSP may have acted. `unavailable`: the request provably never reached it. */
export type HttpResult =
  | { kind: "reply"; reply: HttpReply; requests: number }
  | { kind: "indeterminate"; reason: string; requests: number; lastStatus?: number }
  | { kind: "unavailable"; reason: string; requests: number };

export interface ResilienceSettings {
  timeoutMs: number;
  retries?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  breaker?: { volumeThreshold?: number; errorThresholdPercentage?: number; resetTimeoutMs?: number };
}

export interface ResilientHttpOptions extends ResilienceSettings {
  name: string;
  baseUrl: string;
  /** PSP-specific answers worth retrying, on top of 429 and 5xx. */
  isRetryable?: (reply: HttpReply) => boolean;
}

interface CallState {
  requests: number;
  reachedPsp: boolean;
}

/** Timeout per request, bounded retries with jittered backoff, and one circuit breaker per PSP. */
export class ResilientHttp {
  private readonly breaker: CircuitBreaker<[HttpRequest, CallState], HttpReply>;

  constructor(private readonly options: ResilientHttpOptions) {
    this.breaker = new CircuitBreaker((req: HttpRequest, state: CallState) => this.once(req, state), {
      name: options.name,
      timeout: false,
      volumeThreshold: options.breaker?.volumeThreshold ?? 10,
      errorThresholdPercentage: options.breaker?.errorThresholdPercentage ?? 50,
      resetTimeout: options.breaker?.resetTimeoutMs ?? 10_000,
      // Throttling and in-flight conflicts say nothing about the PSP's health.
      errorFilter: (error: unknown) => error instanceof RetryableReply && error.reply.status < 500,
    });
  }

  get isOpen(): boolean {
    return this.breaker.opened;
  }

  async send(req: HttpRequest): Promise<HttpResult> {
    const state: CallState = { requests: 0, reachedPsp: false };
    try {
      const reply = await pRetry(() => this.breaker.fire(req, state), {
        retries: this.options.retries ?? 3,
        factor: 2,
        minTimeout: this.options.minBackoffMs ?? 100,
        maxTimeout: this.options.maxBackoffMs ?? 2_000,
        randomize: true,
        shouldRetry: (error) => error instanceof RetryableReply || error instanceof NetworkFailure,
      });
      return { kind: "reply", reply, requests: state.requests };
    } catch (error) {
      return failure(error, state);
    }
  }

  private async once(req: HttpRequest, state: CallState): Promise<HttpReply> {
    state.requests += 1;
    let reply: HttpReply;
    try {
      const response = await fetch(new URL(req.path, this.options.baseUrl), {
        method: req.method,
        headers: req.headers,
        ...(req.body === undefined ? {} : { body: req.body }),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      reply = { status: response.status, headers: response.headers, text: await response.text() };
    } catch (error) {
      const failed = classifyFetchError(error, this.options.timeoutMs);
      if (!(failed instanceof NetworkFailure && failed.beforeSend)) state.reachedPsp = true;
      throw failed;
    }
    state.reachedPsp = true;
    if (reply.status === 429 || reply.status >= 500 || this.options.isRetryable?.(reply)) {
      throw new RetryableReply(reply);
    }
    return reply;
  }
}

function failure(error: unknown, state: CallState): HttpResult {
  const { requests } = state;
  if (error instanceof AttemptTimeout) return { kind: "indeterminate", reason: error.message, requests };
  if (error instanceof RetryableReply) {
    const reason = `HTTP ${error.reply.status} after ${requests} request(s)`;
    return { kind: "indeterminate", reason, requests, lastStatus: error.reply.status };
  }
  const reason =
    (error as { code?: unknown }).code === "EOPENBREAKER" ? "circuit breaker open" : (error as Error).message;
  // Once any request may have reached the PSP, "never happened" can no longer be claimed.
  return state.reachedPsp
    ? { kind: "indeterminate", reason, requests }
    : { kind: "unavailable", reason, requests };
}
