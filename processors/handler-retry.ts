import type { Config } from "../core/infra/config.ts";

/** In-process retries of a command or webhook handler that threw, before its error is classified. */
export interface HandlerRetry {
  retries: number;
  minBackoffMs: number;
  maxBackoffMs: number;
}

export function handlerRetryFrom(config: Config): HandlerRetry {
  return {
    retries: config.PROCESSOR_HANDLER_RETRIES,
    minBackoffMs: config.PROCESSOR_HANDLER_MIN_BACKOFF_MS,
    maxBackoffMs: config.PROCESSOR_HANDLER_MAX_BACKOFF_MS,
  };
}

/** The p-retry options of these retries. */
export const retryOptions = (
  r: HandlerRetry,
): { retries: number; minTimeout: number; maxTimeout: number } => ({
  retries: r.retries,
  minTimeout: r.minBackoffMs,
  maxTimeout: r.maxBackoffMs,
});
