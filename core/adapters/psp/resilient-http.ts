import CircuitBreaker from "opossum";
import pRetry from "p-retry";
import { Agent, type Dispatcher, request } from "undici";
import { breakersOpen } from "../../infra/metrics.ts";
import {
  AttemptTimeout,
  classifyTransportError,
  type HttpReply,
  NetworkFailure,
  type ReplyHeaders,
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
  /** Per HTTP request. */
  timeoutMs: number;
  /**
   * Wall-clock ceiling for one operation, retries and backoff included: no retry starts after it,
   * and a retry's own timeout is cut to what is left. Unset: bounded by `retries` alone.
   */
  budgetMs?: number;
  retries?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  breaker?: { volumeThreshold?: number; errorThresholdPercentage?: number; resetTimeoutMs?: number };
}

export interface ResilientHttpOptions extends ResilienceSettings {
  name: string;
  baseUrl: string;
  /**
   * The PSP's own verdict on retrying an answer (Stripe-Should-Retry, Adyen transient-error):
   * true or false overrides the default (429 and 5xx retried), undefined keeps it.
   */
  retryVerdict?: (reply: HttpReply) => boolean | undefined;
  /**
   * Retry a request that timed out. Only safe where the PSP replays a repeated idempotency key
   * (Stripe: the documented way to recover from a timeout); needs `budgetMs` to stay bounded.
   */
  retryTimeouts?: boolean;
}

interface CallState {
  requests: number;
  reachedPsp: boolean;
  /** Every answer so far was a 429: the PSP refused each request before acting on it. */
  throttledOnly: boolean;
  deadline: number;
}

/**
 * Timeout per request, bounded retries with jittered backoff, one circuit breaker and one keep-alive
 * connection pool per PSP. undici's request() rather than fetch: a quarter of fetch's CPU per call
 * (docs/benchmarks.md), and a payment makes two calls.
 */
export class ResilientHttp {
  private readonly breaker: CircuitBreaker<[HttpRequest, CallState], HttpReply>;
  private readonly pool: Dispatcher = new Agent();

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
    // Counted while open; half-open (one probe let through) already counts as recovering.
    const labels = { breaker: options.name };
    let counted = false;
    const count = (open: boolean) => {
      if (open !== counted) breakersOpen.inc(labels, open ? 1 : -1);
      counted = open;
    };
    breakersOpen.inc(labels, 0);
    this.breaker.on("open", () => count(true));
    this.breaker.on("halfOpen", () => count(false));
    this.breaker.on("close", () => count(false));
  }

  get isOpen(): boolean {
    return this.breaker.opened;
  }

  async send(req: HttpRequest): Promise<HttpResult> {
    const { budgetMs } = this.options;
    const deadline = budgetMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + budgetMs;
    const state: CallState = { requests: 0, reachedPsp: false, throttledOnly: true, deadline };
    const minBackoffMs = this.options.minBackoffMs ?? 100;
    try {
      const reply = await pRetry(() => this.breaker.fire(req, state), {
        retries: this.options.retries ?? 3,
        factor: 2,
        minTimeout: minBackoffMs,
        maxTimeout: this.options.maxBackoffMs ?? 2_000,
        randomize: true,
        shouldRetry: (error) => this.worthRetrying(error) && state.deadline - Date.now() > minBackoffMs,
      });
      return { kind: "reply", reply, requests: state.requests };
    } catch (error) {
      return failure(error, state);
    }
  }

  private worthRetrying(error: unknown): boolean {
    if (error instanceof AttemptTimeout) return this.options.retryTimeouts === true;
    return error instanceof RetryableReply || error instanceof NetworkFailure;
  }

  private async once(req: HttpRequest, state: CallState): Promise<HttpReply> {
    state.requests += 1;
    const timeoutMs = Math.max(1, Math.min(this.options.timeoutMs, state.deadline - Date.now()));
    let reply: HttpReply;
    try {
      const response = await request(new URL(req.path, this.options.baseUrl), {
        method: req.method,
        headers: req.headers,
        ...(req.body === undefined ? {} : { body: req.body }),
        signal: AbortSignal.timeout(timeoutMs),
        dispatcher: this.pool,
      });
      reply = {
        status: response.statusCode,
        headers: replyHeaders(response.headers),
        text: await response.body.text(),
      };
    } catch (error) {
      const failed = classifyTransportError(error, timeoutMs);
      if (!(failed instanceof NetworkFailure && failed.beforeSend)) {
        state.reachedPsp = true;
        state.throttledOnly = false;
      }
      throw failed;
    }
    state.reachedPsp = true;
    if (reply.status !== 429) state.throttledOnly = false;
    const verdict = this.options.retryVerdict?.(reply);
    if (verdict ?? (reply.status === 429 || reply.status >= 500)) throw new RetryableReply(reply);
    return reply;
  }
}

function replyHeaders(raw: Record<string, string | string[] | undefined>): ReplyHeaders {
  return {
    get(name) {
      const value = raw[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
    },
  };
}

function failure(error: unknown, state: CallState): HttpResult {
  const { requests } = state;
  if (error instanceof AttemptTimeout) return { kind: "indeterminate", reason: error.message, requests };
  if (error instanceof RetryableReply) {
    const reason = `HTTP ${error.reply.status} after ${requests} request(s)`;
    // A 429 is answered before the PSP acts; if nothing but 429s came back, nothing happened.
    if (state.throttledOnly) return { kind: "unavailable", reason, requests };
    return { kind: "indeterminate", reason, requests, lastStatus: error.reply.status };
  }
  const reason =
    (error as { code?: unknown }).code === "EOPENBREAKER" ? "circuit breaker open" : (error as Error).message;
  // Once any request may have reached the PSP (other than to be throttled), "never happened" can no
  // longer be claimed.
  return state.reachedPsp && !state.throttledOnly
    ? { kind: "indeterminate", reason, requests }
    : { kind: "unavailable", reason, requests };
}
