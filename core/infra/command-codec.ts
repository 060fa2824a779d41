import type {
  CancelPaymentBody,
  CapturePaymentBody,
  CommandBody,
  ConfirmPaymentBody,
  CreatePaymentBody,
  PaymentCommand,
  RefundPaymentBody,
} from "../domain/commands.ts";
import type { AvroCodec } from "./avro-codec.ts";

const RECORD_NAMES = {
  create: "com.example.payments.command.v1.CreatePayment",
  confirm: "com.example.payments.command.v1.ConfirmPayment",
  capture: "com.example.payments.command.v1.CapturePayment",
  cancel: "com.example.payments.command.v1.CancelPayment",
  refund: "com.example.payments.command.v1.RefundPayment",
} as const;

const TYPE_BY_RECORD = new Map<string, CommandBody["type"]>(
  Object.entries(RECORD_NAMES).map(([type, name]) => [name, type as CommandBody["type"]]),
);

interface AvroCommand {
  command_id: string;
  payment_id: string;
  issued_at: number;
  idempotency_key: string | null;
  merchant_id?: string | null;
  body: Record<
    string,
    CreatePaymentBody | ConfirmPaymentBody | CapturePaymentBody | CancelPaymentBody | RefundPaymentBody
  >;
}

export function encodeCommand(codec: AvroCodec, topic: string, command: PaymentCommand): Buffer {
  const value: AvroCommand = {
    command_id: command.commandId,
    payment_id: command.paymentId,
    issued_at: command.issuedAt.getTime(),
    idempotency_key: command.idempotencyKey,
    merchant_id: command.merchantId,
    body: { [RECORD_NAMES[command.type]]: command.body },
  };
  return codec.encode(topic, value);
}

export class MalformedCommandError extends Error {}

export async function decodeCommand(codec: AvroCodec, value: Buffer | null): Promise<PaymentCommand> {
  if (!value) throw new MalformedCommandError("empty command value");
  let decoded: AvroCommand;
  try {
    decoded = await codec.decode<AvroCommand>(value);
  } catch (err) {
    throw new MalformedCommandError(`undecodable command: ${(err as Error).message}`);
  }
  const [recordName, body] = Object.entries(decoded.body)[0] ?? [];
  const type = recordName ? TYPE_BY_RECORD.get(recordName) : undefined;
  if (!type || !body) throw new MalformedCommandError(`unknown command body ${recordName}`);
  return {
    type,
    body,
    commandId: decoded.command_id,
    paymentId: decoded.payment_id,
    issuedAt: new Date(Number(decoded.issued_at)),
    idempotencyKey: decoded.idempotency_key,
    merchantId: decoded.merchant_id ?? null,
  } as PaymentCommand;
}
