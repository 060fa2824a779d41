import type { Config } from "../../core/infra/config.ts";
import type { FlowBounds } from "./flow-control.ts";

export interface ParallelConsumerLimits extends FlowBounds {
  /** Handlers running at once (different keys). */
  concurrency: number;
  /** How long a revoked partition's running handlers are waited for before the rebalance goes on. */
  revokeTimeoutMs: number;
  commitIntervalMs: number;
  /** Wait before a message whose handler threw runs again: min·2^(attempt−1), at most max. */
  redeliveryBackoff: { minMs: number; maxMs: number };
}

export function consumerLimits(config: Config): ParallelConsumerLimits {
  return {
    concurrency: config.PROCESSOR_CONCURRENCY,
    maxInFlight: config.PROCESSOR_MAX_IN_FLIGHT,
    partitionMaxInFlight: config.PROCESSOR_PARTITION_MAX_IN_FLIGHT,
    revokeTimeoutMs: config.PROCESSOR_REVOKE_TIMEOUT_MS,
    commitIntervalMs: config.PROCESSOR_COMMIT_INTERVAL_MS,
    redeliveryBackoff: {
      minMs: config.PROCESSOR_REDELIVERY_MIN_BACKOFF_MS,
      maxMs: config.PROCESSOR_REDELIVERY_MAX_BACKOFF_MS,
    },
  };
}
