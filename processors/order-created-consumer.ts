import type { PaymentCommand } from "../core/domain/commands.ts";
import { isSupportedCurrency } from "../core/domain/currency.ts";
import { uuidV5 } from "../core/domain/deterministic-id.ts";
import { parseAmount } from "../core/domain/money.ts";
import { findCardData } from "../core/domain/pan-guard.ts";
import { PSP_NAMES, type PspName } from "../core/domain/payment-status.ts";
import type { AvroCodec } from "../core/infra/avro-codec.ts";
import { encodeCommand } from "../core/infra/command-codec.ts";
import {
  type Consumer,
  createConsumer,
  headerString,
  type KafkaSettings,
  type Producer,
} from "../core/infra/kafka.ts";
import type { Logger } from "../core/infra/logger.ts";
import { cardDataRefused } from "../core/infra/metrics.ts";
import type { Queryable } from "../db/pool.ts";
import { vaultedPaymentMethod, vaultPaymentMethod } from "../db/repositories/vault-repo.ts";
import { deadLetter } from "./dead-letter.ts";

export interface OrderCreated {
  event_id: string;
  occurred_at: number;
  order_id: number;
  amount: string;
  currency: string;
  customer_id: string;
  autopay: boolean;
  payment_method_token: string | null;
  psp: string | null;
  capture_method: string | null;
}

export interface OrderConsumerOptions {
  kafka: KafkaSettings;
  topic: string;
  groupId: string;
  commandTopic: string;
  dlqTopic: string;
  defaultPsp: PspName;
  /** The merchant autopay payments belong to (AUTOPAY_MERCHANT_ID): order.created names none. */
  merchantId: string;
  codec: AvroCodec;
  /** Where the order's token is vaulted: commands carry its ref, never the token. */
  pool: Queryable;
  producer: Producer;
  logger: Logger;
}

const TOKEN = /^(pm|tok|src)_[A-Za-z0-9_]{1,200}$/;

/** Ids derive from order_id, so a redelivered (or re-published) order maps to the same payment and commands. */
export function autopayCommands(
  order: OrderCreated,
  defaultPsp: PspName,
  merchantId: string,
): PaymentCommand[] | { invalid: string } {
  if (!Number.isSafeInteger(order.order_id) || order.order_id <= 0) return { invalid: "order_id" };
  if (!isSupportedCurrency(order.currency)) return { invalid: "currency" };
  const amount = parseAmount(order.amount, order.currency);
  if (!amount.ok) return { invalid: `amount: ${amount.code}` };
  const psp = (order.psp ?? defaultPsp) as PspName;
  if (!PSP_NAMES.includes(psp)) return { invalid: "psp" };
  const captureMethod = order.capture_method ?? "automatic";
  if (captureMethod !== "automatic" && captureMethod !== "manual") return { invalid: "capture_method" };
  if (!order.payment_method_token || !TOKEN.test(order.payment_method_token))
    return { invalid: "payment_method_token" };

  const paymentId = uuidV5(`order:${order.order_id}:payment`);
  const base = {
    paymentId,
    issuedAt: new Date(),
    idempotencyKey: `order.created:${order.order_id}`,
    merchantId,
  };
  return [
    {
      ...base,
      commandId: uuidV5(`order:${order.order_id}:create`),
      type: "create",
      body: {
        order_id: order.order_id,
        amount: order.amount,
        amount_minor: Number(amount.money.minor),
        currency: order.currency,
        psp,
        capture_method: captureMethod,
        payment_method: { type: "card", token: order.payment_method_token },
        customer_id: order.customer_id,
        description: null,
        metadata: { source: "order.created.v1", order_event_id: order.event_id },
      },
    },
    {
      ...base,
      commandId: uuidV5(`order:${order.order_id}:confirm`),
      type: "confirm",
      body: { payment_method: null },
    },
  ];
}

/**
 * The order service's own identifiers are references, not free text: an event id such as
 * `evt_179610633400708` holds a digit run that passes Luhn one time in ten, and dropping a paid
 * order for it would be a lost payment. Every other field is screened.
 */
const ORDER_REFERENCE_KEYS = new Set(["eventid"]);

export const orderCardData = (order: unknown) => findCardData(order, { referenceKeys: ORDER_REFERENCE_KEYS });

/** Turns autopay orders into create+confirm commands on the command topic (keyed by the payment id). */
export async function startOrderCreatedConsumer(o: OrderConsumerOptions): Promise<Consumer> {
  const consumer = createConsumer(o.kafka, o.groupId);
  await consumer.connect();
  await consumer.subscribe({ topics: [o.topic] });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      let order: OrderCreated;
      try {
        order = await o.codec.decode<OrderCreated>(message.value ?? Buffer.alloc(0));
      } catch (err) {
        return deadLetter(
          o.producer,
          o.dlqTopic,
          { topic, partition, message },
          "malformed",
          (err as Error).message,
        );
      }
      // Card data is dropped, not dead-lettered: a DLQ copy would keep the card number on Kafka.
      const finding = orderCardData(order);
      if (finding) {
        cardDataRefused.inc({ source: o.topic });
        o.logger.warn(
          { order_id: order.order_id, offset: message.offset, field: finding.field, reason: finding.reason },
          "order.created carries card data; dropped",
        );
        return;
      }
      if (!order.autopay) return;
      const commands = autopayCommands(order, o.defaultPsp, o.merchantId);
      if (!Array.isArray(commands)) {
        o.logger.warn(
          { order_id: order.order_id, field: commands.invalid },
          "invalid order.created; dead-lettering",
        );
        return deadLetter(
          o.producer,
          o.dlqTopic,
          { topic, partition, message },
          "invalid_order",
          commands.invalid,
        );
      }
      const traceparent = headerString(message.headers, "traceparent");
      const vaulted = await Promise.all(commands.map((cmd) => withVaultedToken(o.pool, cmd)));
      await o.producer.send({
        topic: o.commandTopic,
        messages: vaulted.map((cmd) => ({
          key: cmd.paymentId,
          value: encodeCommand(o.codec, o.commandTopic, cmd),
          headers: { command_type: cmd.type, ...(traceparent ? { traceparent } : {}) },
        })),
      });
      o.logger.info(
        { order_id: order.order_id, payment_id: commands[0]?.paymentId },
        "autopay order accepted",
      );
    },
  });
  return consumer;
}

async function withVaultedToken(db: Queryable, cmd: PaymentCommand): Promise<PaymentCommand> {
  if (cmd.type !== "create" || !cmd.body.payment_method || !cmd.merchantId) return cmd;
  const vault = (merchantId: string, token: string) => vaultPaymentMethod(db, merchantId, token);
  const method = await vaultedPaymentMethod(vault, cmd.merchantId, cmd.body.payment_method);
  return { ...cmd, body: { ...cmd.body, payment_method: method } };
}
