import pg from "pg";
import { generateApiKey, hashSecret, hintOf, SCOPES, type Scope } from "../../core/security/api-keys.ts";
import type { Queryable } from "../../db/pool.ts";
import { ensureMerchant, insertApiKey } from "../../db/repositories/api-keys-repo.ts";

/** The merchant the suite's requests act for; its key is made once per run by global-setup. */
export const TEST_MERCHANT_ID = "mer_tests";

export function testApiKey(): string {
  const key = process.env.PAYMENTS_TEST_API_KEY;
  if (!key)
    throw new Error(
      "PAYMENTS_TEST_API_KEY is unset: global-setup makes it (or set it for an external service)",
    );
  return key;
}

/** Stores `secret` as a key of `merchantId` with every scope, in the database behind `target`. */
export async function provisionKey(
  target: Queryable | string,
  secret: string,
  merchantId = TEST_MERCHANT_ID,
  scopes: readonly Scope[] = SCOPES,
): Promise<void> {
  const db = typeof target === "string" ? new pg.Client({ connectionString: target }) : target;
  if (db instanceof pg.Client) await db.connect();
  try {
    await ensureMerchant(db, merchantId, merchantId);
    await insertApiKey(db, {
      keyId: `key_${hashSecret(secret).toString("hex").slice(0, 18)}`,
      merchantId,
      secretSha256: hashSecret(secret),
      hint: hintOf(secret),
      scopes,
      label: "test suite",
    });
  } finally {
    if (db instanceof pg.Client) await db.end();
  }
}

/** A fresh merchant with a key of the given scopes: for isolation and scope tests. */
export async function newMerchantKey(
  db: Queryable,
  merchantId: string,
  scopes: readonly Scope[] = SCOPES,
): Promise<{ merchantId: string; keyId: string; secret: string }> {
  const key = generateApiKey("test");
  await ensureMerchant(db, merchantId, merchantId);
  await insertApiKey(db, { ...key, merchantId, scopes, label: "test" });
  return { merchantId, keyId: key.keyId, secret: key.secret };
}
