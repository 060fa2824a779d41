import type { CreatePaymentBody, PaymentCommand, PaymentMethodInput } from "../core/domain/commands.ts";
import { openText } from "../core/security/field-crypto.ts";
import type { Queryable } from "../db/pool.ts";
import { findVaultedPaymentMethod } from "../db/repositories/vault-repo.ts";
import { DEFAULT_MERCHANT_ID } from "./handlers/create-payment.ts";

/**
 * A command as handlers need it: the token read back from the vault by its ref and the command's
 * merchant, PII opened. Commands written before the vault carry the token and plain PII, and pass as
 * they are.
 */
export async function openCommand<C extends PaymentCommand>(db: Queryable, cmd: C): Promise<C> {
  const merchantId = cmd.merchantId ?? DEFAULT_MERCHANT_ID;
  if (cmd.type === "create") {
    const body: CreatePaymentBody = {
      ...cmd.body,
      payment_method: await unvault(db, cmd.body.payment_method, merchantId),
      customer_id: openText(cmd.body.customer_id),
      description: openText(cmd.body.description),
      metadata: cmd.body.metadata_sealed ? JSON.parse(openText(cmd.body.metadata_sealed)) : cmd.body.metadata,
      metadata_sealed: null,
    };
    return { ...cmd, body };
  }
  if (cmd.type === "confirm") {
    return { ...cmd, body: { payment_method: await unvault(db, cmd.body.payment_method, merchantId) } };
  }
  return cmd;
}

async function unvault(
  db: Queryable,
  method: PaymentMethodInput | null,
  merchantId: string,
): Promise<PaymentMethodInput | null> {
  if (!method?.vault_ref) return method;
  const token = await findVaultedPaymentMethod(db, method.vault_ref, merchantId);
  // Written before the command was published, so a miss is an inconsistency, not a client error.
  if (token === null)
    throw new Error(`payment method ${method.vault_ref} is not in the vault of ${merchantId}`);
  return { type: method.type, token, vault_ref: null };
}
