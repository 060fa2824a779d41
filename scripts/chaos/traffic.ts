import type { Currency } from "../../core/domain/currency.ts";
import { formatAmount } from "../../core/domain/money.ts";
import type { ApiClient, KeyedRequest } from "./http-client.ts";
import type { PaymentScript, Step } from "./plan-types.ts";
import { sleep, until } from "./time.ts";

const PROCESSING_WAIT_MS = 20_000;

export interface TrafficResult {
  /** Payment ids the API handed out (201 or 202 on create). */
  paymentIds: string[];
  requests: number;
}

const money = (minor: number, currency: string) => formatAmount(BigInt(minor), currency as Currency);

function stepRequest(p: PaymentScript, paymentId: string, s: Step, key: string): KeyedRequest {
  const path = `/payments/${paymentId}/${s.kind}`;
  const label = `p${p.index} ${s.kind}`;
  switch (s.kind) {
    case "confirm":
    case "cancel":
      return { label, method: "POST", path, body: {}, key };
    case "capture":
      return {
        label,
        method: "POST",
        path,
        body: s.amountMinor === null ? {} : { amount: money(s.amountMinor, p.currency) },
        key,
      };
    case "refund":
      return {
        label,
        method: "POST",
        path,
        body: {
          ...(s.amountMinor === null ? {} : { amount: money(s.amountMinor, p.currency) }),
          reason: "requested_by_customer",
        },
        key,
      };
  }
}

/** Runs one client's story of a payment: create, then its steps, each after the last has settled. */
async function runScript(
  api: ApiClient,
  runTag: string,
  orderBase: number,
  p: PaymentScript,
  t0: number,
  out: TrafficResult,
  replays: KeyedRequest[],
): Promise<void> {
  await sleep(Math.max(0, t0 + p.startMs - Date.now()));
  const create: KeyedRequest = {
    label: `p${p.index} create`,
    method: "POST",
    path: "/payments",
    key: `chaos-${runTag}-p${p.index}-create`,
    body: {
      order_id: orderBase + p.index,
      amount: money(p.amountMinor, p.currency),
      currency: p.currency,
      psp: p.psp,
      capture_method: p.captureMethod,
      payment_method: { type: "card", token: p.token },
      customer_id: `cus_chaos_${p.index}`,
    },
  };
  const created = await api.send(create);
  out.requests++;
  if (p.replayCreate) replays.push(create);
  const paymentId = (created.body as { payment_id?: string } | null)?.payment_id;
  if ((created.status !== 201 && created.status !== 202) || !paymentId) return;
  out.paymentIds.push(paymentId);

  for (const [i, s] of p.steps.entries()) {
    await sleep(s.delayMs);
    await until(
      async () => {
        // After a 202 create the payment may not be written yet (404): wait for it too.
        const now = await api.get(`p${p.index} poll`, `/payments/${paymentId}`);
        return now.status === 200 && (now.body as { status?: string } | null)?.status !== "processing";
      },
      PROCESSING_WAIT_MS,
      500,
    );
    const request = stepRequest(p, paymentId, s, `chaos-${runTag}-p${p.index}-s${i}-${s.kind}`);
    const twin = s.twin
      ? [api.send({ ...request, label: `${request.label} twin`, key: `${request.key}-twin` })]
      : [];
    await Promise.all([api.send(request), ...twin]);
    out.requests += 1 + twin.length;
    if (s.replay) replays.push(request);
  }
}

export async function runTraffic(
  api: ApiClient,
  runTag: string,
  orderBase: number,
  scripts: PaymentScript[],
  t0: number,
  replays: KeyedRequest[],
): Promise<TrafficResult> {
  const out: TrafficResult = { paymentIds: [], requests: 0 };
  await Promise.all(scripts.map((p) => runScript(api, runTag, orderBase, p, t0, out, replays)));
  return out;
}
