/**
 * One read shared by every gauge that needs it during a scrape: a call while a read is running, or up to
 * `ttlMs` after it settled, gets that read's promise, so a scrape (or several scrapers at once) costs one
 * query.
 */
export function sharedRead<T>(read: () => Promise<T>, ttlMs = 1_000): () => Promise<T> {
  let last: Promise<T> | null = null;
  return () => {
    last ??= read().finally(() => {
      setTimeout(() => {
        last = null;
      }, ttlMs).unref();
    });
    return last;
  };
}

/** `promise`, or a rejection once `ms` passed: a health check answers within its probe's timeout. */
export function settledWithin<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
