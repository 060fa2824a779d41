import { z } from "zod";
import { DEFAULT_RATE_LIMIT } from "./app.ts";

// Ingress-only knobs, kept out of the shared Config until they earn a place there.
const schema = z.object({
  INGRESS_RATE_LIMIT_PER_SEC: z.coerce.number().positive().default(DEFAULT_RATE_LIMIT.perSecond),
  INGRESS_RATE_LIMIT_BURST: z.coerce.number().positive().optional(),
});

export function rateLimitFromEnv(env: NodeJS.ProcessEnv = process.env): { perSecond: number; burst: number } {
  const parsed = schema.parse(env);
  const perSecond = parsed.INGRESS_RATE_LIMIT_PER_SEC;
  return { perSecond, burst: parsed.INGRESS_RATE_LIMIT_BURST ?? perSecond * 2 };
}
