export interface FlowBounds {
  /** Messages fetched and not completed, across all partitions. */
  maxInFlight: number;
  partitionMaxInFlight: number;
}

/** Fetching goes on once both counts are back to half their bound, so it does not flap. */
const lowWater = (bound: number) => Math.floor(bound / 2);

/**
 * Backpressure as a hold on the fetch loop (ADR 0013): after a batch, the consumer waits before taking
 * the next one while the total in flight, or the batch's own partition, is at its bound, and goes on
 * once both are under their low-water marks, or after a slice of 250 ms (the library serves rebalances
 * only between batches), so the bound can be passed by one batch per slice. The library's pause()/resume() are not used: in the
 * KafkaJS-compatible API of @confluentinc/kafka-javascript, pausing an eachBatch consumer drops the
 * messages it had prefetched and fetching resumes past them (confluent-kafka-javascript issue #517),
 * which stalled a partition until the next rebalance.
 */
export function mustHold(bounds: FlowBounds, total: number, partitionInFlight: number): boolean {
  return total >= bounds.maxInFlight || partitionInFlight >= bounds.partitionMaxInFlight;
}

export function mayRelease(bounds: FlowBounds, total: number, partitionInFlight: number): boolean {
  return total <= lowWater(bounds.maxInFlight) && partitionInFlight <= lowWater(bounds.partitionMaxInFlight);
}
