import type { Queryable } from "../../db/pool.ts";
import { findApiKeyByHash } from "../../db/repositories/api-keys-repo.ts";
import { hashSecret, looksLikeApiKey, type Principal, sameHash } from "./api-keys.ts";

/** A revoked key stops working on every instance within this (the contract promises 5 s). */
export const KEY_CACHE_TTL_MS = 2_000;
const MAX_CACHED_KEYS = 10_000;

interface Cached {
  principal: Principal | null;
  until: number;
}

export interface Authenticator {
  authenticate(secret: string): Promise<Principal | null>;
}

/**
 * Turns a bearer secret into the principal it stands for, or null. Answers (including "no such key")
 * are cached for KEY_CACHE_TTL_MS, so a steady stream of requests costs one lookup per key per TTL.
 */
export class ApiKeyAuthenticator implements Authenticator {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly db: Queryable,
    private readonly ttlMs = KEY_CACHE_TTL_MS,
  ) {}

  async authenticate(secret: string): Promise<Principal | null> {
    if (!looksLikeApiKey(secret)) return null;
    return this.authenticateHash(hashSecret(secret));
  }

  /**
   * The principal behind a key's SHA-256, under the same cache: the ops console's session holds the
   * hash, never the secret, and re-checks it on every request so a revocation ends the session too.
   */
  async authenticateHash(hash: Buffer): Promise<Principal | null> {
    if (hash.length !== 32) return null;
    const cacheKey = hash.toString("base64");
    const now = Date.now();
    const cached = this.cache.get(cacheKey);
    if (cached && cached.until > now) return cached.principal;

    const stored = await findApiKeyByHash(this.db, hash);
    const principal =
      stored && !stored.revoked && sameHash(stored.secretSha256, hash)
        ? { keyId: stored.keyId, merchantId: stored.merchantId, scopes: new Set(stored.scopes) }
        : null;
    if (this.cache.size >= MAX_CACHED_KEYS) this.cache.clear();
    this.cache.set(cacheKey, { principal, until: now + this.ttlMs });
    return principal;
  }
}
