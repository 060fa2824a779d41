// npm run -s apikey:create -- --merchant=<name> [--scopes=a,b] [--label=text]
//   Makes the merchant if it is new, then a key; the secret is printed once, alone on the last line.
// npm run -s apikey:revoke -- --key=<key id>
//   Revokes a key; every ingress stops accepting it within KEY_CACHE_TTL_MS (2 s).
import { parseArgs } from "node:util";
import { loadConfig } from "../../core/infra/config.ts";
import { KEY_CACHE_TTL_MS } from "../../core/security/api-key-authenticator.ts";
import { generateApiKey, MERCHANT_SCOPES, parseScopes } from "../../core/security/api-keys.ts";
import { migrate } from "../../db/migrate.ts";
import { createPool } from "../../db/pool.ts";
import { ensureMerchant, insertApiKey, revokeApiKey } from "../../db/repositories/api-keys-repo.ts";

const [command, ...rest] = process.argv.slice(2);
const { values } = parseArgs({
  args: rest,
  options: {
    merchant: { type: "string" },
    scopes: { type: "string" },
    label: { type: "string" },
    key: { type: "string" },
  },
});

/** `Acme Books` → `mer_acme_books`: the id is derived, so the same name always finds the same merchant. */
export function merchantIdFor(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 60);
  if (!slug) throw new Error("--merchant needs letters or digits");
  return slug.startsWith("mer_") ? slug : `mer_${slug}`.slice(0, 64);
}

function fail(message: string): never {
  console.error(`apikey: ${message}`);
  process.exit(2);
}

const config = loadConfig();
const pool = createPool(config.DATABASE_URL, 2);
try {
  await migrate(pool);
  if (command === "create") {
    if (!values.merchant) fail("--merchant=<name> is required");
    let scopes: string[];
    try {
      scopes = values.scopes ? parseScopes(values.scopes) : [...MERCHANT_SCOPES];
    } catch (err) {
      fail((err as Error).message);
    }
    const merchantId = merchantIdFor(values.merchant);
    const key = generateApiKey(config.NODE_ENV === "production" ? "live" : "test");
    await ensureMerchant(pool, merchantId, values.merchant);
    await insertApiKey(pool, {
      ...key,
      merchantId,
      scopes: parseScopes(scopes.join(",")),
      label: values.label ?? null,
    });
    console.log(`merchant: ${merchantId}`);
    console.log(`key id:   ${key.keyId} (${key.hint})`);
    console.log(`scopes:   ${scopes.join(",")}`);
    console.log("secret (shown once; only its SHA-256 is stored):");
    console.log(key.secret);
  } else if (command === "revoke") {
    if (!values.key) fail("--key=<key id> is required");
    if (!(await revokeApiKey(pool, values.key))) fail(`no active key ${values.key}`);
    console.log(`revoked ${values.key}; every ingress refuses it within ${KEY_CACHE_TTL_MS / 1000} s`);
  } else {
    fail("usage: apikey create --merchant=<name> [--scopes=a,b] | apikey revoke --key=<key id>");
  }
} finally {
  await pool.end();
}
