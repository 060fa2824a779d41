import { describe, expect, it } from "vitest";
import { passesLuhn } from "../../core/domain/pan-guard.ts";
import { orderCardData } from "../../processors/order-created-consumer.ts";

const order = (over: Record<string, unknown> = {}) => ({
  event_id: "evt_1",
  occurred_at: 0,
  order_id: 1,
  amount: "10.00",
  currency: "USD",
  customer_id: "cus_1",
  autopay: true,
  payment_method_token: "pm_card_visa",
  psp: null,
  capture_method: null,
  ...over,
});

describe("the PAN guard on order.created", () => {
  // 15 digits that pass Luhn, as an order service's event id or order number may by chance.
  const digits = Array.from({ length: 10 }, (_, d) => `17961063340070${d}`).find(passesLuhn) as string;

  it("does not take the order service's event id for a card number", () => {
    expect(passesLuhn(digits)).toBe(true);
    expect(orderCardData(order({ event_id: `evt_chaos_${digits}` }))).toBeNull();
  });

  it("still finds a card number in any other field", () => {
    expect(orderCardData(order({ customer_id: `note ${digits}` }))).toMatchObject({ field: "customer_id" });
    expect(orderCardData(order({ payment_method_token: "4242 4242 4242 4242" }))).toMatchObject({
      field: "payment_method_token",
      reason: "card_number",
    });
  });
});
