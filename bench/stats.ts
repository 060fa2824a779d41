/** Percentiles over recorded latencies (ms), nearest-rank. */
export function percentiles(samples: number[], ps: number[] = [50, 95, 99]): Record<string, number> {
  const sorted = [...samples].sort((a, b) => a - b);
  const out: Record<string, number> = {};
  for (const p of ps) {
    const rank = Math.max(0, Math.ceil((p / 100) * sorted.length) - 1);
    out[`p${p}`] = Math.round((sorted[rank] ?? Number.NaN) * 10) / 10;
  }
  return out;
}

export function arg(name: string, fallback: number): number {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? Number(hit.split("=")[1]) : fallback;
}

export function argString(name: string, fallback: string): string {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? (hit.split("=")[1] ?? fallback) : fallback;
}
