/** Commands as they travel on payment.commands.v1 (Avro schema avro/payment-command.v1.avsc). */
export interface PaymentMethodInput {
  type: string;
  /** Empty on the wire when vault_ref is set; processors put the vaulted token back before handling. */
  token: string;
  vault_ref?: string | null;
}

export interface CreatePaymentBody {
  order_id: number;
  amount: string;
  amount_minor: number;
  currency: string;
  psp: string;
  capture_method: string;
  payment_method: PaymentMethodInput | null;
  customer_id: string | null;
  description: string | null;
  metadata: Record<string, string>;
  /** The metadata map as one sealed value on the wire (metadata is then empty). */
  metadata_sealed?: string | null;
}

export interface ConfirmPaymentBody {
  payment_method: PaymentMethodInput | null;
}

export interface CapturePaymentBody {
  amount_minor: number | null;
}

export interface CancelPaymentBody {
  reason: string | null;
}

export interface RefundPaymentBody {
  refund_id: string;
  amount_minor: number | null;
  reason: string | null;
}

export type CommandBody =
  | { type: "create"; body: CreatePaymentBody }
  | { type: "confirm"; body: ConfirmPaymentBody }
  | { type: "capture"; body: CapturePaymentBody }
  | { type: "cancel"; body: CancelPaymentBody }
  | { type: "refund"; body: RefundPaymentBody };

export type CommandType = CommandBody["type"];

export type PaymentCommand = CommandBody & {
  commandId: string;
  paymentId: string;
  issuedAt: Date;
  idempotencyKey: string | null;
  /** The merchant whose API key issued it; null only in commands written before merchants existed. */
  merchantId: string | null;
};
