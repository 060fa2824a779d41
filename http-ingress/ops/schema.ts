import { z } from "zod";

/** The public operations endpoints' bodies (the OpenAPI components of the same names). */
export const healthResponseSchema = z.object({ status: z.literal("alive") }).meta({ id: "HealthResponse" });

export const readinessResponseSchema = z
  .object({ status: z.enum(["ready", "not_ready"]) })
  .meta({ id: "ReadinessResponse" });

export type HealthResponse = z.infer<typeof healthResponseSchema>;
export type ReadinessResponse = z.infer<typeof readinessResponseSchema>;
