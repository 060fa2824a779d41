import type { CreatePaymentBody, PaymentCommand, PaymentMethodInput } from "../core/domain/commands.ts";
import { openText } from "../core/security/field-crypto.ts";
import { DEFAULT_MERCHANT_ID } from "./handlers/create-payment.ts";

/**
 * A command as handlers need it: the token opened from the vault's sealed copy (read with the command's
 * intake, under its ref and the command's merchant), PII opened. Commands written before the vault carry
 * the token and plain PII, and pass as they are.
 */
export function openCommand<C extends PaymentCommand>(cmd: C, vaultCiphertext: string | null): C {
  const merchantId = cmd.merchantId ?? DEFAULT_MERCHANT_ID;
  if (cmd.type === "create") {
    const body: CreatePaymentBody = {
      ...cmd.body,
      payment_method: unvault(cmd.body.payment_method, merchantId, vaultCiphertext),
      customer_id: openText(cmd.body.customer_id),
      description: openText(cmd.body.description),
      metadata: cmd.body.metadata_sealed ? JSON.parse(openText(cmd.body.metadata_sealed)) : cmd.body.metadata,
      metadata_sealed: null,
    };
    return { ...cmd, body };
  }
  if (cmd.type === "confirm") {
    return {
      ...cmd,
      body: { payment_method: unvault(cmd.body.payment_method, merchantId, vaultCiphertext) },
    };
  }
  return cmd;
}

function unvault(
  method: PaymentMethodInput | null,
  merchantId: string,
  vaultCiphertext: string | null,
): PaymentMethodInput | null {
  if (!method?.vault_ref) return method;
  // Written before the command was published, so a miss is an inconsistency, not a client error.
  if (vaultCiphertext === null)
    throw new Error(`payment method ${method.vault_ref} is not in the vault of ${merchantId}`);
  return { type: method.type, token: openText(vaultCiphertext), vault_ref: null };
}
