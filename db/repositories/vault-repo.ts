import { randomUUID } from "node:crypto";
import { openText, sealText } from "../../core/security/field-crypto.ts";
import { GroupInsert } from "../group-insert.ts";
import type { Queryable } from "../pool.ts";

/** Seals a payment-method token into the vault; commands carry the returned ref instead of the token. */
export async function vaultPaymentMethod(db: Queryable, merchantId: string, token: string): Promise<string> {
  const ref = randomUUID();
  await db.query({
    name: "vault_insert",
    text: "INSERT INTO payment_method_vault (ref, merchant_id, ciphertext) VALUES ($1, $2, $3)",
    values: [ref, merchantId, sealText(token)],
  });
  return ref;
}

/** Seals a token and resolves to its ref once the row is committed. */
export type VaultWriter = (merchantId: string, token: string) => Promise<string>;

/**
 * vaultPaymentMethod for a busy caller (the ingress vaults a token per create or confirm that carries
 * one): tokens that arrive together are written by one INSERT (db/group-insert.ts).
 */
export function vaultWriter(db: Queryable): VaultWriter {
  const group = new GroupInsert<{ ref: string; merchantId: string; ciphertext: string }>(db, {
    name: "vault_insert_group",
    text: `INSERT INTO payment_method_vault (ref, merchant_id, ciphertext)
           SELECT * FROM unnest($1::uuid[], $2::varchar[], $3::text[])`,
    columns: (r) => [r.ref, r.merchantId, r.ciphertext],
  });
  return async (merchantId, token) => {
    const ref = randomUUID();
    await group.add({ ref, merchantId, ciphertext: sealText(token) });
    return ref;
  };
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
  vault: VaultWriter,
  merchantId: string,
  method: { type: string; token: string } | null | undefined,
): Promise<{ type: string; token: string; vault_ref: string } | null> {
  if (!method) return null;
  return { type: method.type, token: "", vault_ref: await vault(merchantId, method.token) };
}
