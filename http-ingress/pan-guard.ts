/**
 * PCI scope guard: we accept tokens only. A request that carries something shaped like a card
 * number or a security code anywhere in its JSON is refused before it is parsed any further,
 * so it never reaches a command, a log line or the database.
 */

const SECURITY_CODE_KEYS = new Set([
  "cvv",
  "cvc",
  "cvv2",
  "cvc2",
  "csc",
  "security_code",
  "securitycode",
  "card_cvc",
]);

const CARD_NUMBER_KEYS = new Set(["number", "card_number", "cardnumber", "pan", "account_number"]);

/** Digit groups joined by single spaces or dashes, as card numbers are usually written. */
const DIGIT_RUN = /\d+(?:[ -]\d+)*/g;
const MIN_PAN_DIGITS = 13;
const MAX_PAN_DIGITS = 19;

export interface PanFinding {
  /**
   * JSON path of the offending value or key, dot separated ("metadata.note"). When the card
   * number is itself a key, the path stops at its parent: the error must not echo the number.
   */
  field: string | undefined;
  reason: "card_number" | "security_code";
}

export function passesLuhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * True when the text holds 13–19 digits (optionally grouped with spaces or dashes) that pass
 * the Luhn check. Every contiguous span of groups is tried, so "ref 12 4242 4242 4242 4242"
 * is still caught; a single ungrouped run longer than 19 digits is not a card number.
 */
export function containsCardNumber(text: string): boolean {
  for (const run of text.match(DIGIT_RUN) ?? []) {
    const groups = run.split(/[ -]/);
    for (let start = 0; start < groups.length; start++) {
      let digits = "";
      for (let end = start; end < groups.length; end++) {
        digits += groups[end];
        if (digits.length > MAX_PAN_DIGITS) break;
        if (digits.length >= MIN_PAN_DIGITS && passesLuhn(digits)) return true;
      }
    }
  }
  return false;
}

/** Walks the parsed body depth first; the first finding wins so the error names one field. */
export function findCardData(value: unknown, path: readonly string[] = []): PanFinding | null {
  if (typeof value === "string") {
    return containsCardNumber(value) ? { field: fieldOf(path), reason: "card_number" } : null;
  }
  if (typeof value === "number") {
    // Numbers are ids and counts (order_id may well have 13+ digits and pass Luhn by chance); only
    // a number under a card-number key is treated as one.
    const key = path.at(-1)?.toLowerCase() ?? "";
    return CARD_NUMBER_KEYS.has(key) && Number.isInteger(value) && containsCardNumber(String(value))
      ? { field: fieldOf(path), reason: "card_number" }
      : null;
  }
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findCardData(item, [...path, String(index)]);
      if (found) return found;
    }
    return null;
  }
  if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      const keyPath = [...path, key];
      if (SECURITY_CODE_KEYS.has(key.toLowerCase()))
        return { field: fieldOf(keyPath), reason: "security_code" };
      if (containsCardNumber(key)) return { field: fieldOf(path), reason: "card_number" };
      const found = findCardData(item, keyPath);
      if (found) return found;
    }
  }
  return null;
}

const fieldOf = (path: readonly string[]) => (path.length > 0 ? path.join(".") : undefined);
