import type { Currency } from "../../core/domain/currency.ts";
import { uuidV5 } from "../../core/domain/deterministic-id.ts";
import { formatAmount } from "../../core/domain/money.ts";
import { AvroCodec } from "../../core/infra/avro-codec.ts";
import type { CampaignEnv } from "./campaign-env.ts";
import { quietProducer } from "./kafka-clients.ts";
import type { AutopayOrder } from "./plan-types.ts";
import { sleep } from "./time.ts";

/** The payment id the service derives from an autopay order (processors/order-created-consumer.ts). */
export const autopayPaymentId = (orderId: number) => uuidV5(`order:${orderId}:payment`);

/**
 * Publishes order.created events as order-service would (Avro, key = order_id, at least once: some
 * twice). Returns the payment ids the service must create for them.
 */
export async function publishOrders(
  e: CampaignEnv,
  topic: string,
  orderBase: number,
  orders: AutopayOrder[],
  t0: number,
): Promise<{ paymentIds: string[]; published: number }> {
  if (orders.length === 0) return { paymentIds: [], published: 0 };
  const codec = new AvroCodec(e.registryUrl);
  await codec.register(topic, "order-created.v1.avsc");
  const producer = quietProducer(e.kafkaBootstrap, "chaos-orders");
  await producer.connect();
  let published = 0;
  try {
    await Promise.all(
      orders.map(async (o) => {
        await sleep(Math.max(0, t0 + o.startMs - Date.now()));
        const orderId = orderBase + 10_000 + o.index;
        const value = codec.encode(topic, {
          event_id: `evt_chaos_${orderId}`,
          occurred_at: Date.now(),
          order_id: orderId,
          amount: formatAmount(BigInt(o.amountMinor), o.currency as Currency),
          currency: o.currency,
          customer_id: `cus_chaos_order_${o.index}`,
          autopay: true,
          payment_method_token: o.token,
          psp: o.psp,
          capture_method: "automatic",
        });
        const send = () => producer.send({ topic, messages: [{ key: String(orderId), value }] });
        await send();
        published++;
        if (o.duplicate) {
          await sleep(1_000);
          await send();
          published++;
        }
      }),
    );
  } finally {
    await producer.disconnect();
  }
  return { paymentIds: orders.map((o) => autopayPaymentId(orderBase + 10_000 + o.index)), published };
}
