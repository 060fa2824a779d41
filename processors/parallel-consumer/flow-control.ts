export interface FlowBounds {
  /** Messages fetched and not completed, across all partitions. */
  maxInFlight: number;
  partitionMaxInFlight: number;
}

export interface PartitionFlow {
  id: string;
  inFlight: number;
  paused: boolean;
  /** A batch arrived since the assignment: only then is the library's resume position known. */
  fetched: boolean;
}

/** Resuming waits for half the bound, so a partition does not flap between paused and running. */
const lowWater = (bound: number) => Math.floor(bound / 2);

/**
 * Backpressure as pause/resume decisions. A partition pauses when its own bound or the global bound is
 * reached, and resumes once both its count and the total are back under their low-water marks.
 */
export function flowDecision(
  bounds: FlowBounds,
  partitions: readonly PartitionFlow[],
): { pause: string[]; resume: string[] } {
  const total = partitions.reduce((sum, p) => sum + p.inFlight, 0);
  const pause: string[] = [];
  const resume: string[] = [];
  for (const p of partitions) {
    const full = total >= bounds.maxInFlight || p.inFlight >= bounds.partitionMaxInFlight;
    const drained =
      total <= lowWater(bounds.maxInFlight) && p.inFlight <= lowWater(bounds.partitionMaxInFlight);
    if (!p.paused && full && p.fetched) pause.push(p.id);
    else if (p.paused && drained) resume.push(p.id);
  }
  return { pause, resume };
}
