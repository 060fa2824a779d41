import { randomUUID } from "node:crypto";
import type { PaymentCommand } from "../../core/domain/commands.ts";

/**
 * Gives replayed commands fresh identities so they never collide with the originals (which processors
 * would dedupe): a new command id each, and one new payment id per original payment, so a payment's
 * create, confirm and refunds stay together and in order.
 */
export class IdRewriter {
  private readonly payments = new Map<string, string>();

  rewrite(cmd: PaymentCommand): PaymentCommand {
    let paymentId = this.payments.get(cmd.paymentId);
    if (!paymentId) {
      paymentId = randomUUID();
      this.payments.set(cmd.paymentId, paymentId);
    }
    const base = { ...cmd, paymentId, commandId: randomUUID(), issuedAt: new Date(), idempotencyKey: null };
    if (base.type === "refund") return { ...base, body: { ...base.body, refund_id: randomUUID() } };
    return base;
  }

  paymentIds(): string[] {
    return [...this.payments.values()];
  }
}
