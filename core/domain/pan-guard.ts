/**
 * PCI scope guard: we accept tokens only. Anything shaped like a card number or a security code,
 * in a request body, a header, a webhook or an order.created message, is refused before anything
 * else sees it, so it never reaches a command, a log line or the database.
 *
 * Iterative on purpose: a walk must not be able to blow the stack, whatever the input's depth. The
 * callers bound size, depth and key count before calling (see http-ingress/json-limits.ts).
 */

const MIN_PAN_DIGITS = 13;
const MAX_PAN_DIGITS = 19;
/** How many separator characters may sit between two digit groups of one number ("4242 - 4242"). */
const MAX_SEPARATOR_RUN = 3;
/** The first decimal digit outside ASCII (U+0660 ARABIC-INDIC DIGIT ZERO). */
const FIRST_NON_ASCII_DIGIT = 0x660;

const DECIMAL_DIGIT = /\p{Nd}/u;
/** Unicode spaces and dashes, and invisible format characters (zero-width space, soft hyphen…). */
const UNICODE_SEPARATOR = /[\p{Zs}\p{Pd}\p{Cf}]/u;

/**
 * UUIDs and long hex ids (hashes, trace ids), alone or inside text ("evt_<uuid>", "key-<uuid>"), are
 * opaque ids, not card numbers: without this, one random UUID in 400 would be refused (its groups
 * can make 13–19 digits that pass Luhn), Idempotency-Keys and event ids included.
 */
const OPAQUE_IDS = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32,}/gi;

/** Keys compared lower case with separators removed: "Card-Verification_Code" is "cardverificationcode". */
const SECURITY_CODE_KEY =
  /^(card)?(cvv2?|cvc2?|cid|csc|cvn|cvd)(code|number|value)?$|^(card)?securitycode$|^cardverification(code|number|value)?$/;
const CARD_NUMBER_KEYS = new Set([
  "number",
  "cardnumber",
  "cardno",
  "ccnumber",
  "pan",
  "accountnumber",
  "primaryaccountnumber",
]);

export interface PanFinding {
  /**
   * Path of the offending value or key, dot separated ("metadata.note"), or the header name. When
   * the card number is itself a key, the path stops at its parent: the error must not echo it.
   */
  field: string | undefined;
  reason: "card_number" | "security_code";
}

export interface PanScanOptions {
  /** Normalised keys whose string values are another system's references (Adyen's pspReference). */
  referenceKeys?: ReadonlySet<string>;
}

export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
    sum += luhnTerm(digits.charCodeAt(i) - 48, double);
  }
  return sum % 10 === 0;
}

const luhnTerm = (digit: number, double: boolean) =>
  double ? (digit > 4 ? digit * 2 - 9 : digit * 2) : digit;

export const normaliseKey = (key: string): string =>
  key
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "");

export const isSecurityCodeKey = (key: string): boolean => SECURITY_CODE_KEY.test(normaliseKey(key));

const isCardNumberKey = (key: string | undefined): boolean =>
  key !== undefined && CARD_NUMBER_KEYS.has(normaliseKey(key));

const knownDigits = new Map<number, number>();

/** The value 0-9 of any Unicode decimal digit (fullwidth, Arabic-Indic, Devanagari…), else -1. */
function digitValue(cp: number): number {
  if (cp >= 48 && cp <= 57) return cp - 48;
  if (cp < FIRST_NON_ASCII_DIGIT) return -1;
  const known = knownDigits.get(cp);
  if (known !== undefined) return known;
  if (!DECIMAL_DIGIT.test(String.fromCodePoint(cp))) return -1;
  // Unicode encodes every decimal digit set as ten consecutive code points, zero to nine.
  let zero = cp;
  while (DECIMAL_DIGIT.test(String.fromCodePoint(zero - 1))) zero--;
  const value = (cp - zero) % 10;
  knownDigits.set(cp, value);
  return value;
}

function isSeparator(cp: number): boolean {
  if (cp < 128) return cp === 32 || cp === 45 || cp === 46 || cp === 47 || cp === 95 || (cp >= 9 && cp <= 13);
  return UNICODE_SEPARATOR.test(String.fromCodePoint(cp));
}

/**
 * True when the text holds 13–19 digits that pass the Luhn check, as one group or as consecutive
 * groups joined by up to three separators (space, dot, dash, slash, underscore, any Unicode space
 * or dash). Every span of whole groups is tried, so "ref 12 4242 4242 4242 4242" is caught; one
 * group longer than 19 digits is not a card number. Linear: at most 19 steps per digit.
 */
export function containsCardNumber(text: string): boolean {
  const digits: number[] = [];
  const groupStarts: number[] = [];
  let separators = 0;
  let inGroup = false;
  // charCodeAt rather than for…of: no string per character (the 64 KiB worst case is all digits).
  for (let i = 0; i < text.length; i++) {
    let cp = text.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        cp = (cp - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
        i++;
      }
    }
    const digit = digitValue(cp);
    if (digit >= 0) {
      if (!inGroup) groupStarts.push(digits.length);
      digits.push(digit);
      inGroup = true;
      separators = 0;
      continue;
    }
    if (digits.length > 0 && isSeparator(cp) && ++separators <= MAX_SEPARATOR_RUN) {
      if (inGroup && spanPassesLuhn(digits, groupStarts)) return true;
      inGroup = false;
      continue;
    }
    if (inGroup && spanPassesLuhn(digits, groupStarts)) return true;
    digits.length = 0;
    groupStarts.length = 0;
    separators = 0;
    inGroup = false;
  }
  return inGroup && spanPassesLuhn(digits, groupStarts);
}

/** containsCardNumber with opaque ids (see OPAQUE_IDS) blanked out first. */
export const holdsCardNumber = (text: string): boolean => containsCardNumber(text.replace(OPAQUE_IDS, "x"));

/**
 * Called when a group has just ended: does some span of whole groups ending here pass Luhn? Walking
 * left from the end keeps each digit's Luhn weight fixed, so one pass covers every start.
 */
function spanPassesLuhn(digits: readonly number[], groupStarts: readonly number[]): boolean {
  const end = digits.length;
  let group = groupStarts.length - 1;
  let sum = 0;
  for (let pos = end - 1, double = false; pos >= 0 && end - pos <= MAX_PAN_DIGITS; pos--, double = !double) {
    sum += luhnTerm(digits[pos] ?? 0, double);
    while (group > 0 && (groupStarts[group] ?? 0) > pos) group--;
    if (groupStarts[group] === pos && end - pos >= MIN_PAN_DIGITS && sum % 10 === 0) return true;
  }
  return false;
}

interface Frame {
  value: unknown;
  key: string | undefined;
  parent: Frame | undefined;
}

/**
 * Searches every string and key at any depth, and numbers under card-number keys (other numbers are
 * ids and counts: an order_id may have 13+ digits and pass Luhn by chance). Depth first, in document
 * order, with an explicit stack; the first finding wins so the error names one field.
 */
export function findCardData(root: unknown, options: PanScanOptions = {}): PanFinding | null {
  const stack: Frame[] = [{ value: root, key: undefined, parent: undefined }];
  for (let frame = stack.pop(); frame !== undefined; frame = stack.pop()) {
    const { value, key } = frame;
    if (typeof value === "string") {
      if (!isReference(key, options) && holdsCardNumber(value)) return found(frame, "card_number");
    } else if (typeof value === "number") {
      if (isCardNumberKey(key) && Number.isInteger(value) && containsCardNumber(String(value)))
        return found(frame, "card_number");
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--)
        stack.push({ value: value[i], key: String(i), parent: frame });
    } else if (value !== null && typeof value === "object") {
      const entries = Object.entries(value);
      for (const [name] of entries) {
        if (isSecurityCodeKey(name)) return found({ value: null, key: name, parent: frame }, "security_code");
        if (holdsCardNumber(name)) return found(frame, "card_number");
      }
      for (let i = entries.length - 1; i >= 0; i--) {
        const [name, item] = entries[i] as [string, unknown];
        stack.push({ value: item, key: name, parent: frame });
      }
    }
  }
  return null;
}

/** Header values and names; `skip` lists (lower case) headers whose format is checked elsewhere. */
export function findCardDataInHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  skip: ReadonlySet<string>,
): PanFinding | null {
  for (const [name, value] of Object.entries(headers)) {
    if (skip.has(name)) continue;
    if (holdsCardNumber(name)) return { field: undefined, reason: "card_number" };
    if (isSecurityCodeKey(name.replace(/^x-/, ""))) return { field: name, reason: "security_code" };
    const values = Array.isArray(value) ? value : [value ?? ""];
    if (values.some(holdsCardNumber)) return { field: name, reason: "card_number" };
  }
  return null;
}

const isReference = (key: string | undefined, options: PanScanOptions) =>
  key !== undefined && options.referenceKeys?.has(normaliseKey(key)) === true;

function found(frame: Frame, reason: PanFinding["reason"]): PanFinding {
  const path: string[] = [];
  for (let f: Frame | undefined = frame; f?.key !== undefined; f = f.parent) path.push(f.key);
  return { field: path.length > 0 ? path.reverse().join(".") : undefined, reason };
}
