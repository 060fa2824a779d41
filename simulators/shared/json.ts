// Money travels as bigint inside the simulators; JSON.stringify cannot write bigint, so it is
// tagged on the way in and unquoted on the way out, which keeps amounts exact integers on the wire.
const TAG = "__sim_bigint__";
const TAGGED = new RegExp(`"${TAG}(-?\\d+)"`, "g");

export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? `${TAG}${v}` : v)).replace(
    TAGGED,
    "$1",
  );
}

/** An integer amount from a wire value (form string or JSON integer); anything else is undefined. */
export function integerAmount(input: unknown): bigint | undefined {
  if (typeof input === "string" && /^-?\d{1,18}$/.test(input)) return BigInt(input);
  if (typeof input === "number" && Number.isSafeInteger(input)) return BigInt(input);
  return undefined;
}

/** A stable rendering with sorted keys, used to compare request parameters for idempotency. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return typeof value === "bigint" ? value.toString() : JSON.stringify(value ?? null);
}

export function parseJsonObject(raw: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(raw);
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
