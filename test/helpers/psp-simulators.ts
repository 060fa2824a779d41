import { stackEnv } from "./stack-env.ts";

// Where the simulator processes listen and which secrets they use: the same env names and dev
// defaults as core/infra/config.ts and simulators/shared/dev-secrets.ts.
export const simulatorEnv = {
  stripeBase: stackEnv.stripeBase,
  adyenBase: stackEnv.adyenBase,
  fraudBase: stackEnv.fraudBase,
  stripeApiKey: process.env.STRIPE_API_KEY ?? "sk_test_dev_only",
  stripeWebhookSecret: process.env.STRIPE_WEBHOOK_SECRET ?? "whsec_dev_only",
  adyenApiKey: process.env.ADYEN_API_KEY ?? "adyen_dev_only",
  fraudApiKey: process.env.FRAUD_API_KEY ?? "fraud_dev_only",
  adyenMerchantAccount: process.env.ADYEN_MERCHANT_ACCOUNT ?? "PaymentServiceECOM",
  adyenHmacKeyHex:
    process.env.ADYEN_HMAC_KEY_HEX ?? "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056",
};

/** GET /_sim/charges: what the simulated PSP's own ledger holds for one of our payments. */
export interface SimCharges {
  payment_id: string;
  authorizations: number;
  captures: number;
  captured_amount: bigint;
  refunds: number;
  refunded_amount: bigint;
  intents: unknown[];
}

export async function simCharges(base: string, paymentId: string): Promise<SimCharges> {
  const response = await fetch(`${base}/_sim/charges?payment_id=${encodeURIComponent(paymentId)}`);
  if (!response.ok) throw new Error(`simulator at ${base} answered ${response.status}`);
  const body = (await response.json()) as Omit<SimCharges, "captured_amount" | "refunded_amount"> & {
    captured_amount: number;
    refunded_amount: number;
  };
  // The wire carries JSON integers; amounts are compared as bigint like everywhere else.
  return {
    ...body,
    captured_amount: BigInt(body.captured_amount),
    refunded_amount: BigInt(body.refunded_amount),
  };
}

export async function simPost(base: string, path: string, body: unknown = {}): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

/** Fails fast with a useful message when the simulator process is not running. */
export async function requireSimulator(base: string): Promise<void> {
  try {
    const response = await fetch(`${base}/health`, { signal: AbortSignal.timeout(2_000) });
    if (response.ok) return;
  } catch {
    // fall through
  }
  throw new Error(`no simulator at ${base}: start it with node_modules/.bin/tsx simulators/<name>/main.ts`);
}

/** The simulator ledger of one of our payments, by PSP name. */
export function simulatorCharges(psp: "stripe" | "adyen", paymentId: string): Promise<SimCharges> {
  return simCharges(psp === "stripe" ? simulatorEnv.stripeBase : simulatorEnv.adyenBase, paymentId);
}

export const pspSimulatorBase = (psp: "stripe" | "adyen") =>
  psp === "stripe" ? simulatorEnv.stripeBase : simulatorEnv.adyenBase;

/** Where a PSP simulator delivers its webhooks now (null: nowhere); undefined if it cannot say. */
export async function webhookEndpoint(psp: "stripe" | "adyen"): Promise<string | null | undefined> {
  const res = await fetch(`${pspSimulatorBase(psp)}/_sim/webhook-endpoint`).catch(() => undefined);
  if (!res?.ok) return undefined;
  return ((await res.json()) as { url: string | null }).url;
}

/** Points a PSP simulator's webhooks at `url` (null stops them); false if the simulator does not support it. */
export async function setWebhookEndpoint(psp: "stripe" | "adyen", url: string | null): Promise<boolean> {
  const res = await simPost(pspSimulatorBase(psp), "/_sim/webhook-endpoint", { url }).catch(() => undefined);
  await res?.body?.cancel();
  return res?.ok === true;
}
