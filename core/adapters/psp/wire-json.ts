import { z } from "zod";

// PSP wire formats carry amounts as JSON integers. We hold them as bigint, which JSON.stringify
// cannot write, so bigints are tagged on the way in and unquoted on the way out.
const TAG = "__psp_bigint__";
const TAGGED = new RegExp(`"${TAG}(-?\\d+)"`, "g");

export function stringifyWithBigInt(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? `${TAG}${v}` : v)).replace(
    TAGGED,
    "$1",
  );
}

/** A JSON integer amount in minor units, read into bigint; fractions and unsafe integers are refused. */
export const minorUnits = z
  .int()
  .nonnegative()
  .transform((n) => BigInt(n));

/** The parsed body of a 2xx answer, or undefined when it is not 2xx or not the expected shape. */
export function successBody<S extends z.ZodType>(
  reply: { status: number; text: string },
  schema: S,
): z.output<S> | undefined {
  if (reply.status < 200 || reply.status >= 300) return undefined;
  const parsed = schema.safeParse(parseJson(reply.text));
  return parsed.success ? parsed.data : undefined;
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Header lookup that ignores case, as Node lower-cases incoming header names but callers may not. */
export function headerValue(headers: Record<string, string | undefined>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One of our ids echoed by a PSP (metadata, merchant reference), if it is one: a UUID, lower-cased. */
export function ourId(value: unknown): string | undefined {
  return typeof value === "string" && UUID.test(value) ? value.toLowerCase() : undefined;
}
