/**
 * Bounds on a JSON body, checked on the raw text in one pass before JSON.parse and before the PAN
 * guard walks it: whatever a caller sends, parsing and scanning it costs at most a few milliseconds
 * (see `npm run bench:pan-guard`). Legitimate bodies are far inside them: a payment nests two
 * levels and holds at most about 60 keys (metadata: 50); a PSP webhook nests under 10.
 */
export const JSON_LIMITS = { bytes: 65_536, depth: 32, keys: 1_000 } as const;

export type JsonLimits = { depth: number; keys: number };
export type JsonShapeProblem = { problem: "depth" | "keys"; limit: number };

const QUOTE = 34;
const BACKSLASH = 92;
const COLON = 58;
const OPEN_OBJECT = 123;
const OPEN_ARRAY = 91;
const CLOSE_OBJECT = 125;
const CLOSE_ARRAY = 93;

/**
 * Nesting depth and key count of JSON text, counted outside strings (a key is a colon outside a
 * string). Malformed text is not this function's concern: JSON.parse refuses it next.
 */
export function checkJsonShape(text: string, limits: JsonLimits = JSON_LIMITS): JsonShapeProblem | null {
  let depth = 0;
  let keys = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > limits.depth) return { problem: "depth", limit: limits.depth };
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) depth--;
    else if (c === COLON && ++keys > limits.keys) return { problem: "keys", limit: limits.keys };
  }
  return null;
}
