import { simConfig } from "./dev-secrets.ts";
import type { FirstSeen } from "./idempotent-route.ts";
import { sleep } from "./ids.ts";
import type { SimResponse } from "./sim-response.ts";
import type { CardProfile } from "./test-tokens.ts";

/**
 * Faults that strike before the PSP does anything. A response means "answer this, record nothing";
 * undefined means go ahead (after the pm_sim_slow pause).
 */
export interface PreflightAnswers {
  serverError: () => SimResponse;
  unauthorized: () => SimResponse;
  rateLimited: () => SimResponse;
}

export async function preflightFault(
  profile: CardProfile,
  onceKey: string,
  firstSeen: FirstSeen,
  answers: PreflightAnswers,
): Promise<SimResponse | undefined> {
  const { serverError } = answers;
  if (profile.fault === "auth_error") return { ...answers.unauthorized(), remember: false };
  if (profile.fault === "rate_limited") return { ...answers.rateLimited(), remember: false };
  if (profile.fault === "psp_error") return { ...serverError(), remember: false };
  if (profile.fault === "psp_error_once" && firstSeen.first(onceKey))
    return { ...serverError(), remember: false };
  if (profile.fault === "slow") await sleep(simConfig.slowMs);
  return undefined;
}

/** The key pm_sim_psp_error_once counts by: the idempotency key, else a per-request stand-in. */
export function onceKey(state: Record<string, unknown>, fallback: string): string {
  return typeof state.idempotencyKey === "string" ? state.idempotencyKey : fallback;
}
