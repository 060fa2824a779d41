import type { Pool } from "../../db/pool.ts";
import type { Observations, PspView, ReplayPair } from "./checks/observations.ts";
import type { ApiClient, KeyedRequest } from "./http-client.ts";
import { readOpenAttempts, readOpenReviews, readPayments, readRefunds } from "./ledger-reader.ts";
import type { OutcomeCollector } from "./outcome-collector.ts";
import type { Simulators } from "./simulators.ts";

/** Re-sends the chosen requests under their keys; pairs each with the first answer it must repeat. */
export async function sendReplays(api: ApiClient, requests: KeyedRequest[]): Promise<ReplayPair[]> {
  const pairs: ReplayPair[] = [];
  for (const request of requests) {
    const first = request.key ? api.firstAnswers.get(request.key) : undefined;
    if (!first) continue; // never answered below 500: the key was released, nothing to repeat
    const again = await api.send(
      { ...request, label: `${request.label} replay` },
      { record: true, retry: false },
    );
    pairs.push({ label: request.label, first: first.answer, again });
  }
  return pairs;
}

export async function observe(
  pool: Pool,
  sims: Simulators,
  collector: OutcomeCollector,
  api: ApiClient,
  replays: ReplayPair[],
  expectedPaymentIds: string[],
  autopayPaymentIds: string[],
): Promise<Observations> {
  const [payments, refunds, openAttempts, openReviews] = await Promise.all([
    readPayments(pool),
    readRefunds(pool),
    readOpenAttempts(pool),
    readOpenReviews(pool),
  ]);
  const psp = new Map<string, PspView>();
  for (const p of payments) psp.set(p.paymentId, await sims.pspView(p.paymentId));
  return {
    payments,
    refunds,
    openAttempts,
    openReviews,
    psp,
    events: await collector.eventsOf(payments.map((p) => p.paymentId)),
    exchanges: api.exchanges,
    replays,
    expectedPaymentIds,
    autopayPaymentIds,
  };
}
