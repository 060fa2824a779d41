/** Runs each key's items in order, different keys in parallel, at most `limit` keys at a time. */
export async function forEachKeyInOrder<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  limit: number,
  run: (item: T) => Promise<void>,
): Promise<void> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  const queue = [...groups.values()];
  const workers = Array.from({ length: Math.min(limit, queue.length) }, async () => {
    for (let group = queue.shift(); group; group = queue.shift()) {
      for (const item of group) await run(item);
    }
  });
  // Every worker finishes before a failure surfaces: a redelivered batch must not overlap one still running.
  const failure = (await Promise.allSettled(workers)).find((r) => r.status === "rejected");
  if (failure) throw failure.reason;
}
