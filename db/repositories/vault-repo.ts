import { randomUUID } from "node:crypto";
import pg from "pg";
import { openText, sealText } from "../../core/security/field-crypto.ts";
import { GroupInsert } from "../group-insert.ts";
import type { Queryable } from "../pool.ts";

/** Seals a payment-method token into the vault; commands carry the returned ref instead of the token. */
export async function vaultPaymentMethod(db: Queryable, merchantId: string, token: string): Promise<string> {
  const ref = randomUUID();
  const row = { ref, merchantId, ciphertext: sealText(token) };
  // A pool takes rows from concurrent requests in one INSERT; a client (in a transaction) writes its own.
  if (db instanceof pg.Pool) await vaultGroupOf(db).add(row);
  else
    await db.query({
      name: "vault_insert",
      text: VAULT_INSERT,
      values: [row.ref, row.merchantId, row.ciphertext],
    });
  return ref;
}

const VAULT_INSERT = "INSERT INTO payment_method_vault (ref, merchant_id, ciphertext) VALUES ($1, $2, $3)";

type VaultRow = { ref: string; merchantId: string; ciphertext: string };
const vaultGroups = new WeakMap<pg.Pool, GroupInsert<VaultRow>>();

function vaultGroupOf(pool: pg.Pool): GroupInsert<VaultRow> {
  let group = vaultGroups.get(pool);
  if (!group) {
    group = new GroupInsert<VaultRow>(pool, {
      name: "vault_insert_group",
      text: `INSERT INTO payment_method_vault (ref, merchant_id, ciphertext)
             SELECT * FROM unnest($1::uuid[], $2::varchar[], $3::text[])`,
      columns: (r) => [r.ref, r.merchantId, r.ciphertext],
    });
    vaultGroups.set(pool, group);
  }
  return group;
}

/** The token behind a ref, for its own merchant only; null when there is none. */
export async function findVaultedPaymentMethod(
  db: Queryable,
  ref: string,
  merchantId: string,
): Promise<string | null> {
  const { rows } = await db.query<{ ciphertext: string }>({
    name: "vault_by_ref",
    text: "SELECT ciphertext FROM payment_method_vault WHERE ref = $1 AND merchant_id = $2",
    values: [ref, merchantId],
  });
  return rows[0] ? openText(rows[0].ciphertext) : null;
}

/** The payment method as a command carries it: the type, and the vault ref in place of the token. */
export async function vaultedPaymentMethod(
  db: Queryable,
  merchantId: string,
  method: { type: string; token: string } | null | undefined,
): Promise<{ type: string; token: string; vault_ref: string } | null> {
  if (!method) return null;
  return { type: method.type, token: "", vault_ref: await vaultPaymentMethod(db, merchantId, method.token) };
}
