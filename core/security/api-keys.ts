import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

export const SCOPES = [
  "payments:read",
  "payments:write",
  "payments:capture",
  "refunds:write",
  "ops",
] as const;
export type Scope = (typeof SCOPES)[number];

/** What a key may do unless told otherwise: everything a merchant's server does, not the ops API. */
export const MERCHANT_SCOPES: readonly Scope[] = [
  "payments:read",
  "payments:write",
  "payments:capture",
  "refunds:write",
];

export type KeyMode = "live" | "test";

/** The caller a valid key stands for. */
export interface Principal {
  keyId: string;
  merchantId: string;
  scopes: ReadonlySet<Scope>;
}

export interface NewApiKey {
  keyId: string;
  /** Shown once, at creation; only its SHA-256 is stored. */
  secret: string;
  secretSha256: Buffer;
  /** The prefix and the last four characters, enough to tell keys apart in a list or a log. */
  hint: string;
}

const SECRET_BYTES = 32;
const SECRET_FORMAT = /^sk_(live|test)_[A-Za-z0-9_-]{43}$/;

/**
 * A new key: 32 random bytes (base64url) behind a readable `sk_live_` / `sk_test_` prefix. The secret
 * carries 256 bits of entropy, so a fast hash is enough to keep it safe at rest: no guessing can
 * reach a preimage, and a slow KDF would only cost CPU on every request.
 */
export function generateApiKey(mode: KeyMode): NewApiKey {
  const secret = `sk_${mode}_${randomBytes(SECRET_BYTES).toString("base64url")}`;
  return {
    keyId: `key_${randomBytes(9).toString("hex")}`,
    secret,
    secretSha256: hashSecret(secret),
    hint: hintOf(secret),
  };
}

export function hashSecret(secret: string): Buffer {
  return createHash("sha256").update(secret, "utf8").digest();
}

/** Constant time, so a response's timing says nothing about how much of a hash matched. */
export function sameHash(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Rejects anything that cannot be one of our keys before it costs a hash or a query. */
export function looksLikeApiKey(secret: string): boolean {
  return SECRET_FORMAT.test(secret);
}

export function hintOf(secret: string): string {
  return `${secret.slice(0, 8)}…${secret.slice(-4)}`;
}

export function parseScopes(list: string): Scope[] {
  const scopes = list
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0)
    throw new Error(`unknown scope(s) ${unknown.join(", ")}; known: ${SCOPES.join(", ")}`);
  if (scopes.length === 0) throw new Error("a key needs at least one scope");
  return [...new Set(scopes)] as Scope[];
}

/** `Authorization: Bearer <key>`; anything else is no key at all. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer ([^\s]+)$/i.exec(header?.trim() ?? "");
  return match?.[1] ?? null;
}
