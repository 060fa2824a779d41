import type { Scope } from "../../core/security/api-keys.ts";
import type { Queryable } from "../pool.ts";

export interface StoredApiKey {
  keyId: string;
  merchantId: string;
  secretSha256: Buffer;
  scopes: Scope[];
  revoked: boolean;
}

export async function ensureMerchant(db: Queryable, merchantId: string, name: string): Promise<void> {
  await db.query({
    name: "merchant_ensure",
    text: "INSERT INTO merchants (merchant_id, name) VALUES ($1, $2) ON CONFLICT (merchant_id) DO NOTHING",
    values: [merchantId, name],
  });
}

export async function insertApiKey(
  db: Queryable,
  k: {
    keyId: string;
    merchantId: string;
    secretSha256: Buffer;
    hint: string;
    scopes: readonly Scope[];
    label: string | null;
  },
): Promise<void> {
  await db.query({
    name: "api_key_insert",
    text: `INSERT INTO api_keys (key_id, merchant_id, secret_sha256, secret_hint, scopes, label)
           VALUES ($1, $2, $3, $4, $5, $6)`,
    values: [k.keyId, k.merchantId, k.secretSha256, k.hint, k.scopes, k.label],
  });
}

export async function findApiKeyByHash(db: Queryable, secretSha256: Buffer): Promise<StoredApiKey | null> {
  const { rows } = await db.query<{
    key_id: string;
    merchant_id: string;
    secret_sha256: Buffer;
    scopes: Scope[];
    revoked: boolean;
  }>({
    name: "api_key_by_hash",
    text: `SELECT key_id, merchant_id, secret_sha256, scopes, revoked_at IS NOT NULL AS revoked
           FROM api_keys WHERE secret_sha256 = $1`,
    values: [secretSha256],
  });
  const row = rows[0];
  return row
    ? {
        keyId: row.key_id,
        merchantId: row.merchant_id,
        secretSha256: row.secret_sha256,
        scopes: row.scopes,
        revoked: row.revoked,
      }
    : null;
}

/** Returns false when no live key has this id. */
export async function revokeApiKey(db: Queryable, keyId: string): Promise<boolean> {
  const { rowCount } = await db.query({
    name: "api_key_revoke",
    text: "UPDATE api_keys SET revoked_at = now() WHERE key_id = $1 AND revoked_at IS NULL",
    values: [keyId],
  });
  return rowCount === 1;
}
