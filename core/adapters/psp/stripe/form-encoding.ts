export type FormParam =
  | string
  | bigint
  | boolean
  | undefined
  | readonly string[]
  | { readonly [key: string]: string | undefined };

/** application/x-www-form-urlencoded with Stripe's nested keys: metadata[payment_id]=…, list[0]=…. */
export function encodeForm(params: Readonly<Record<string, FormParam>>): string {
  const out = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (typeof value !== "object") {
      out.append(key, String(value));
      continue;
    }
    const entries: Array<[string, string | undefined]> = Array.isArray(value)
      ? value.map((v, i): [string, string] => [String(i), v])
      : Object.entries(value);
    for (const [inner, v] of entries) if (v !== undefined) out.append(`${key}[${inner}]`, v);
  }
  return out.toString();
}
