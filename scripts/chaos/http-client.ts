import type { Answer, Exchange } from "./checks/observations.ts";
import { sleep } from "./time.ts";

const REQUEST_TIMEOUT_MS = 30_000;
const MAX_TRIES = 5;

export interface KeyedRequest {
  label: string;
  method: "GET" | "POST";
  path: string;
  body?: unknown;
  key: string | null;
}

/**
 * The campaign's API client. Every answer is recorded. A 503 is retried under the same
 * Idempotency-Key after its Retry-After (capped), as a well-behaved client would; the first answer
 * that is not a 503 is what a replay later has to reproduce.
 */
export class ApiClient {
  readonly exchanges: Exchange[] = [];
  readonly firstAnswers = new Map<string, { request: KeyedRequest; answer: Answer }>();

  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
  ) {}

  async send(request: KeyedRequest, options: { record?: boolean; retry?: boolean } = {}): Promise<Answer> {
    let answer: Answer = { status: null, retryAfter: null, replayed: false, body: null, error: "not sent" };
    for (let attempt = 1; attempt <= MAX_TRIES; attempt++) {
      answer = await this.once(request);
      if (options.record ?? true)
        this.exchanges.push({
          ...answer,
          label: request.label,
          method: request.method,
          path: request.path,
          key: request.key,
        });
      // 409 idempotency_key_in_use: an earlier try under this key still holds it (its answer was lost
      // to a fault); a well-behaved client retries, and gets that try's outcome once it is known.
      const retryable = answer.status === 503 || answer.status === null || keyInUse(answer);
      if (!retryable || !(options.retry ?? true)) break;
      const seconds = Number(answer.retryAfter ?? "1");
      await sleep(Math.min(Number.isFinite(seconds) ? seconds * 1000 : 1000, 3_000));
    }
    // Only a final answer must replay identically: a 409 idempotency_key_in_use says "not known yet".
    const final = answer.status !== null && answer.status < 500 && !keyInUse(answer);
    if (request.key && final && !this.firstAnswers.has(request.key)) {
      this.firstAnswers.set(request.key, { request, answer });
    }
    return answer;
  }

  get(label: string, path: string): Promise<Answer> {
    return this.once({ label, method: "GET", path, key: null });
  }

  private async once(r: KeyedRequest): Promise<Answer> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.apiKey}` };
    if (r.body !== undefined) headers["content-type"] = "application/json";
    if (r.key) headers["idempotency-key"] = r.key;
    try {
      const res = await fetch(`${this.baseUrl}${r.path}`, {
        method: r.method,
        headers,
        body: r.body === undefined ? undefined : JSON.stringify(r.body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        // not JSON: kept as text for the report
      }
      return {
        status: res.status,
        retryAfter: res.headers.get("retry-after"),
        replayed: res.headers.get("idempotent-replayed") === "true",
        body,
        error: null,
      };
    } catch (err) {
      return { status: null, retryAfter: null, replayed: false, body: null, error: (err as Error).message };
    }
  }
}

function keyInUse(answer: Answer): boolean {
  const body = answer.body as { error?: { code?: unknown } } | null;
  return answer.status === 409 && body?.error?.code === "idempotency_key_in_use";
}
