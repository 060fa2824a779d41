import { z } from "zod";
import type { FraudInput } from "./scoring.ts";

const schema = z.object({
  payment_id: z.string().min(1),
  order_id: z.union([z.string().min(1), z.number().int()]).transform(String),
  amount: z.object({
    value: z.string().regex(/^\d{1,18}$/, "minor units as an integer string"),
    currency: z.string().regex(/^[A-Z]{3}$/),
  }),
  payment_method_token: z.string().min(1),
  customer_id: z.string().optional(),
  psp: z.string().min(1),
});

export type ParsedFraudRequest =
  | { ok: true; input: FraudInput }
  | { ok: false; field: string; message: string };

export function parseFraudRequest(body: unknown): ParsedFraudRequest {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, field: issue?.path.join(".") ?? "", message: issue?.message ?? "invalid request" };
  }
  const { amount, ...rest } = parsed.data;
  return { ok: true, input: { ...rest, amount: { value: BigInt(amount.value), currency: amount.currency } } };
}
