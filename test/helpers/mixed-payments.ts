import { expect } from "vitest";
import { EVENT_TOPICS } from "../../core/infra/topics.ts";
import { api } from "./api.ts";
import type { EventLog } from "./event-log.ts";
import { newPaymentBody } from "./factories.ts";
import { simulatorCharges } from "./psp-simulators.ts";

/** The PSP of the i-th payment of createMixedPayments. */
export const mixedPsp = (i: number) => (i % 2 ? "adyen" : "stripe");

/**
 * Payments for fault tests that land while PSP calls are in flight: Stripe and Adyen in turn, a third of
 * them with slow PSP answers (pm_sim_slow).
 */
export async function createMixedPayments(count: number, baseUrl: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const token = i % 3 === 0 ? "pm_sim_slow" : "pm_card_visa";
    const created = await api.post("/payments", newPaymentBody({ psp: mixedPsp(i), token }), { baseUrl });
    expect(created.status).toBe(201);
    ids.push(created.body.payment_id);
  }
  return ids;
}

/** Each payment of createMixedPayments was charged once at its PSP and announced by one authorized event. */
export async function expectChargedAndAnnouncedOnce(ids: readonly string[], events: EventLog): Promise<void> {
  for (const [i, id] of ids.entries()) {
    expect((await simulatorCharges(mixedPsp(i), id)).authorizations, `charges for ${id}`).toBe(1);
    const authorized = await events.waitFor(id, { topic: EVENT_TOPICS.authorized, timeoutMs: 20_000 });
    expect(new Set(authorized.map((e) => e.eventId)).size, `authorized events for ${id}`).toBe(1);
  }
}
