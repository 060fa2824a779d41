/**
 * What a log line may carry, applied to every object handed to the logger (pino's `formatters.log`
 * and `formatters.bindings`). pino's own redact paths name fixed depths; this walks the whole object,
 * iteratively, so a secret three levels down in a PSP payload is caught as surely as one at the top.
 */

export const REDACTED = "[REDACTED]";

/** Checked against the key lower case with separators removed: "Idempotency-Key" is "idempotencykey". */
const SECRET_KEY =
  /^(pan|cardnumber|number|cvv2?|cvc2?|cid|csc|securitycode|cookie|setcookie)$|secret|password|signature|authorization|apikey|idempotencykey|hmackey|privatekey|credential/;
const TOKEN_KEY = /token/;
/** A log line is not a data dump: past this many values the rest is cut. */
const MAX_VALUES = 2_000;

const normalise = (key: string) => key.toLowerCase().replace(/[^a-z0-9]/g, "");

/** Keeps a token recognisable in logs without revealing it: pm_card_visa_4242x -> pm_…242x. */
export function maskToken(token: string | undefined | null): string | undefined {
  if (!token) return undefined;
  if (token.length <= 8) return "****";
  const prefix = /^[A-Za-z]{1,8}_/.exec(token)?.[0] ?? "";
  return `${prefix}…${token.slice(-4)}`;
}

/**
 * An error as a log line shows it: type, message, code and stack. Never the driver's extras: pg puts
 * row values in `detail` ("Key (token)=(pm_…) already exists"), `where` and `parameters`.
 */
export function errorFields(err: Error): Record<string, unknown> {
  const code = (err as { code?: unknown }).code;
  return {
    type: err.constructor?.name || err.name,
    message: err.message,
    ...(typeof code === "string" || typeof code === "number" ? { code } : {}),
    stack: err.stack,
  };
}

type Container = Record<string, unknown> | unknown[];

/** A copy of `fields` with secrets redacted, tokens masked and errors reduced to errorFields. */
export function sanitizeLogFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const work: Array<{ from: object; to: Container }> = [{ from: fields, to: out }];
  const seen = new WeakSet<object>([fields]);
  let budget = MAX_VALUES;
  for (let item = work.pop(); item !== undefined; item = work.pop()) {
    const { from, to } = item;
    for (const [key, value] of Object.entries(from)) {
      if (--budget < 0) {
        put(to, key, "[TRUNCATED]");
        return out;
      }
      put(to, key, clean(key, value));
    }
  }
  return out;

  function clean(key: string, raw: unknown): unknown {
    if (raw === null || raw === undefined) return raw;
    const name = normalise(key);
    if (SECRET_KEY.test(name)) return REDACTED;
    if (TOKEN_KEY.test(name) && typeof raw === "string") return maskToken(raw);
    const value = raw instanceof Error ? errorFields(raw) : raw;
    if (typeof value !== "object" || typeof (value as { toJSON?: unknown }).toJSON === "function")
      return value;
    if (seen.has(value)) return "[Circular]";
    seen.add(value);
    const copy: Container = Array.isArray(value) ? [] : {};
    work.push({ from: value, to: copy });
    return copy;
  }
}

function put(to: Container, key: string, value: unknown): void {
  if (Array.isArray(to)) to.push(value);
  else to[key] = value;
}
