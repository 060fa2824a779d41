import type { z } from "zod";
import type { AppMiddleware, IngressState } from "../context.ts";
import { parseBody } from "../validation.ts";

/**
 * Validates ctx.state.body into ctx.state.input. The schema may depend on what earlier middleware
 * loaded (a capture amount is checked against the payment's currency).
 */
export function validate(schema: z.ZodType | ((state: IngressState) => z.ZodType)): AppMiddleware {
  return async (ctx, next) => {
    const resolved = typeof schema === "function" ? schema(ctx.state) : schema;
    ctx.state.input = parseBody(resolved, ctx.state.body);
    await next();
  };
}
