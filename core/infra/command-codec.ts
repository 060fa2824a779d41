import type {
  CancelPaymentBody,
  CapturePaymentBody,
  CommandBody,
  ConfirmPaymentBody,
  CreatePaymentBody,
  PaymentCommand,
  RefundPaymentBody,
} from "../domain/commands.ts";
import { isSealed } from "../security/envelope.ts";
import { sealText } from "../security/field-crypto.ts";
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
    body: {
      [RECORD_NAMES[command.type]]: command.type === "create" ? sealedPii(command.body) : command.body,
    },
  };
  return codec.encode(topic, value);
}

const sealOnce = (v: string | null) => (v === null || isSealed(v) ? v : sealText(v));

/**
 * PII leaves the process sealed (docs/security.md); a command that is already sealed (replayed, or
 * re-published) is left as it is. Processors open it (processors/open-command.ts); tokens go through
 * the vault instead, before the command is built.
 */
function sealedPii(body: CreatePaymentBody): CreatePaymentBody {
  const hasMetadata = Object.keys(body.metadata).length > 0;
  return {
    ...body,
    customer_id: sealOnce(body.customer_id),
    description: sealOnce(body.description),
    metadata: {},
    metadata_sealed: hasMetadata ? sealText(JSON.stringify(body.metadata)) : (body.metadata_sealed ?? null),
  };
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
