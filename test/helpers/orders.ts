import { randomUUID } from "node:crypto";
import { uuidV5 } from "../../core/domain/deterministic-id.ts";
import type { AvroCodec } from "../../core/infra/avro-codec.ts";
import type { Producer } from "../../core/infra/kafka.ts";
import { nextOrderId } from "./factories.ts";

/** This run's order.created topic (the service under test consumes it). */
export const ORDER_TOPIC = process.env.ORDER_CREATED_TOPIC ?? "order.created.v1";

/** Plays order-service: an autopay order (USD 19.99, pm_card_visa unless overridden) and its payment id. */
export async function publishOrder(producer: Producer, codec: AvroCodec, fields: Record<string, unknown>) {
  const order = {
    event_id: randomUUID(),
    occurred_at: Date.now(),
    order_id: nextOrderId(),
    amount: "19.99",
    currency: "USD",
    customer_id: "cus_123",
    autopay: true,
    payment_method_token: "pm_card_visa",
    psp: "stripe",
    capture_method: null,
    ...fields,
  };
  await producer.send({
    topic: ORDER_TOPIC,
    messages: [{ key: String(order.order_id), value: codec.encode(ORDER_TOPIC, order) }],
  });
  return { ...order, paymentId: uuidV5(`order:${order.order_id}:payment`) };
}

/** Orders the processor dropped for card data (its card_data_refused_total for this run's topic). */
export async function cardDataRefused(): Promise<number> {
  const port = process.env.PAYMENTS_TEST_PROCESSOR_PORT ?? "19464";
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`card_data_refused_total{source="${ORDER_TOPIC}"}`));
  return line ? Number(line.split(" ").at(-1)) : 0;
}
