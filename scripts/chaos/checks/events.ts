import type { EventKind, LedgerPayment, Observations, SeenEvent, Violation } from "./observations.ts";

const AUTHORIZED_STATUSES = new Set(["requires_capture", "succeeded", "partially_refunded", "refunded"]);
const NEVER_AUTHORIZED_STATUSES = new Set([
  "requires_payment_method",
  "requires_confirmation",
  "requires_action",
]);

/** How many events of each kind the final ledger state calls for: [min, max]. */
export function expectedCounts(p: LedgerPayment): Record<Exclude<EventKind, "refunded">, [number, number]> {
  const authorized: [number, number] = AUTHORIZED_STATUSES.has(p.status)
    ? [1, 1]
    : NEVER_AUTHORIZED_STATUSES.has(p.status)
      ? [0, 0]
      : [0, 1];
  const one = (yes: boolean): [number, number] => (yes ? [1, 1] : [0, 0]);
  return {
    authorized,
    captured: one(p.capturedMinor > 0n),
    failed: one(p.status === "failed"),
    canceled: one(p.status === "canceled"),
  };
}

function dedupe(events: SeenEvent[]): SeenEvent[] {
  const seen = new Set<string>();
  return events.filter((e) => {
    if (e.eventId === undefined) return true;
    if (seen.has(e.eventId)) return false;
    seen.add(e.eventId);
    return true;
  });
}

/** Sequence numbers, when every event carries one, run without gaps or repeats. */
export function sequenceProblem(events: SeenEvent[]): string | null {
  const numbers = events.map((e) => e.sequence);
  if (numbers.length === 0 || numbers.some((n) => n === null)) return null;
  const sorted = (numbers as number[]).slice().sort((a, b) => a - b);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] === sorted[i - 1]) return `sequence ${sorted[i]} used twice`;
    if ((sorted[i] as number) !== (sorted[i - 1] as number) + 1)
      return `sequence gap ${sorted[i - 1]} → ${sorted[i]}`;
  }
  return null;
}

/** Exactly one outcome event per state change (after dedupe by the `id` header), in sequence order. */
export function checkOutcomeEvents(o: Observations): Violation[] {
  const violations: Violation[] = [];
  const byPayment = new Map<string, SeenEvent[]>();
  for (const e of o.events) byPayment.set(e.paymentId, [...(byPayment.get(e.paymentId) ?? []), e]);
  const succeededRefunds = new Map<string, Set<string>>();
  for (const r of o.refunds) {
    if (r.status !== "succeeded") continue;
    succeededRefunds.set(r.paymentId, (succeededRefunds.get(r.paymentId) ?? new Set()).add(r.refundId));
  }

  for (const p of o.payments) {
    const add = (detail: string) =>
      violations.push({ check: "events", paymentId: p.paymentId, detail: `${p.psp} ${p.status}: ${detail}` });
    const events = dedupe(byPayment.get(p.paymentId) ?? []);
    const expected = expectedCounts(p);
    for (const kind of Object.keys(expected) as Array<keyof typeof expected>) {
      const count = events.filter((e) => e.kind === kind).length;
      const [min, max] = expected[kind];
      if (count < min || count > max)
        add(`${count} ${kind} event(s), expected ${min === max ? min : `${min}..${max}`}`);
    }
    const refundIds = succeededRefunds.get(p.paymentId) ?? new Set<string>();
    const refundEvents = events.filter((e) => e.kind === "refunded");
    for (const id of refundIds) {
      const count = refundEvents.filter((e) => e.refundId === id).length;
      if (count !== 1) add(`${count} refunded event(s) for succeeded refund ${id}`);
    }
    for (const e of refundEvents) {
      if (e.refundId === null || !refundIds.has(e.refundId))
        add(`refunded event for refund ${e.refundId} that did not succeed`);
    }
    const problem = sequenceProblem(events);
    if (problem) add(problem);
  }
  return violations;
}
