import { inject } from "vitest";
import { testApiKey } from "./test-key.ts";

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export function apiUrl(): string {
  return process.env.PAYMENTS_API_URL ?? inject("apiUrl") ?? "http://127.0.0.1:18080";
}

/** The shared service's ingress ops listener (/metrics, per-dependency /readyz). */
export function opsUrl(): string {
  return process.env.PAYMENTS_OPS_URL ?? inject("opsUrl") ?? "http://127.0.0.1:19463";
}

async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  opts: {
    idempotencyKey?: string;
    headers?: Record<string, string>;
    rawBody?: string;
    baseUrl?: string;
    /** The API key to send; the run's test key unless given, none at all when null. */
    apiKey?: string | null;
  } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  const apiKey = opts.apiKey === undefined ? testApiKey() : opts.apiKey;
  if (apiKey !== null) headers.authorization ??= `Bearer ${apiKey}`;
  if (body !== undefined || opts.rawBody !== undefined) headers["content-type"] ??= "application/json";
  if (opts.idempotencyKey) headers["idempotency-key"] = opts.idempotencyKey;
  const res = await fetch(`${opts.baseUrl ?? apiUrl()}${path}`, {
    method,
    headers,
    body: opts.rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // non-JSON bodies (metrics) stay text
  }
  return { status: res.status, headers: res.headers, body: parsed as T };
}

export const api = {
  get: <T = any>(path: string, opts?: Parameters<typeof request>[3]) =>
    request<T>("GET", path, undefined, opts),
  post: <T = any>(path: string, body?: unknown, opts?: Parameters<typeof request>[3]) =>
    request<T>("POST", path, body ?? {}, opts),
  request,
};
