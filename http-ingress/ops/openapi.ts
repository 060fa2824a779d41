import type { OpenAPIRegistry } from "@asteasolutions/zod-to-openapi";
import type { z } from "zod";
import { healthResponseSchema, readinessResponseSchema } from "./schema.ts";

/** The public operations endpoints in the OpenAPI document (routes.ts serves them, unauthenticated). */
export function registerOpsPaths(registry: OpenAPIRegistry): void {
  registry.registerPath({
    method: "get",
    path: "/healthz",
    operationId: "healthz",
    summary: "Liveness",
    tags: ["operations"],
    responses: { 200: json("The process is alive.", healthResponseSchema) },
    security: [],
  });
  registry.registerPath({
    method: "get",
    path: "/readyz",
    operationId: "readyz",
    summary: "Readiness: up or down (per-dependency detail is on the ops listener)",
    tags: ["operations"],
    responses: {
      200: json("Every dependency answered.", readinessResponseSchema),
      503: json(
        "At least one dependency did not answer (the ops listener says which).",
        readinessResponseSchema,
      ),
    },
    security: [],
  });
  registry.registerPath({
    method: "get",
    path: "/openapi.json",
    operationId: "openapi",
    summary: "This document",
    tags: ["operations"],
    responses: {
      200: {
        description: "OpenAPI 3.1 document.",
        content: { "application/json": { schema: { type: "object" } } },
      },
    },
    security: [],
  });
}

const json = (description: string, schema: z.ZodType) => ({
  description,
  content: { "application/json": { schema } },
});
