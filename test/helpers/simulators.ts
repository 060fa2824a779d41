import { stackEnv } from "./stack-env.ts";

export interface SimulatorCharges {
  payment_id: string;
  authorizations: number;
  captures: number;
  captured_amount: number;
  refunds: number;
  refunded_amount: number;
}

/** Asks a PSP simulator's own ledger how often it charged / refunded a payment. */
export async function simulatorCharges(
  psp: "stripe" | "adyen",
  paymentId: string,
): Promise<SimulatorCharges> {
  const base = psp === "stripe" ? stackEnv.stripeBase : stackEnv.adyenBase;
  const res = await fetch(`${base}/_sim/charges?payment_id=${encodeURIComponent(paymentId)}`);
  if (!res.ok) throw new Error(`simulator ${psp} answered ${res.status}`);
  return (await res.json()) as SimulatorCharges;
}
