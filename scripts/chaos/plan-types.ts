/** What one run does, fully decided by its seed before anything starts (see plan.ts). */

export type Psp = "stripe" | "adyen";
export const PSPS: readonly Psp[] = ["stripe", "adyen"];

export type StepKind = "confirm" | "capture" | "cancel" | "refund";

export interface Step {
  kind: StepKind;
  /** Capture or refund amount in minor units; null means the whole (remaining) amount. */
  amountMinor: number | null;
  /** Re-send this request with the same Idempotency-Key after the run settles. */
  replay: boolean;
  /** Also send the same operation at the same moment under another key (a double click). */
  twin: boolean;
  delayMs: number;
}

export interface PaymentScript {
  index: number;
  startMs: number;
  psp: Psp;
  currency: string;
  amountMinor: number;
  captureMethod: "automatic" | "manual";
  token: string;
  replayCreate: boolean;
  steps: Step[];
}

export interface AutopayOrder {
  index: number;
  startMs: number;
  /** null: the service's default PSP. */
  psp: Psp | null;
  currency: string;
  amountMinor: number;
  token: string;
  /** Published twice, as an at-least-once order-service would. */
  duplicate: boolean;
}

export type FaultKind =
  | "processor-kill"
  | "processor-stop"
  | "relay-leader-kill"
  | "relay-leader-stop"
  | "broker-kill"
  | "pg-restart"
  | "psp-stall"
  | "fraud-down"
  | "webhook-loss";

export const FAULT_KINDS: readonly FaultKind[] = [
  "processor-kill",
  "processor-stop",
  "relay-leader-kill",
  "relay-leader-stop",
  "broker-kill",
  "pg-restart",
  "psp-stall",
  "fraud-down",
  "webhook-loss",
];

export interface Fault {
  kind: FaultKind;
  /** When it strikes, from the start of traffic. */
  atMs: number;
  /** How long it lasts: until the restart, the SIGCONT, the endpoint's return. */
  durationMs: number;
  /** Processor index, broker node (1-based), or PSP, depending on the kind. */
  target: number | Psp | null;
  /** pg-restart: how PostgreSQL goes down. */
  mode: "fast" | "immediate" | null;
}

export interface RunPlan {
  seed: number;
  processors: number;
  trafficMs: number;
  payments: PaymentScript[];
  orders: AutopayOrder[];
  faults: Fault[];
}

export interface PlanOptions {
  payments: number;
  orders: number;
  trafficMs: number;
  faults: { min: number; max: number };
  faultKinds: readonly FaultKind[];
  /** PSP tokens the simulators understand; pm_sim_psp_auth_error only when they do. */
  tokens: ReadonlyArray<readonly [string, number]>;
  brokers: number;
}
