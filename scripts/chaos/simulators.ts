import { join } from "node:path";
import type { CampaignEnv } from "./campaign-env.ts";
import type { PspView } from "./checks/observations.ts";
import type { Psp } from "./plan-types.ts";
import { ManagedProcess, processState } from "./processes.ts";
import { sleep } from "./time.ts";
import { AUTH_ERROR_TOKEN } from "./tokens.ts";

// DEV DEFAULT: the simulators' and the service's shared test-mode key (core/infra/config.ts).
const STRIPE_TEST_KEY = "sk_test_dev_only";
// Long enough to outlast the service's PSP timeout (3 s in the campaign), short enough to settle soon.
const SIM_HANG_MS = "8000";

/** The campaign's own PSP and fraud simulators: reset per run, stalled, killed and re-pointed by faults. */
export class Simulators {
  readonly procs: Record<Psp | "fraud", ManagedProcess>;

  constructor(
    private readonly e: CampaignEnv,
    logDir: string,
  ) {
    const sim = (name: Psp | "fraud", env: Record<string, string>) =>
      new ManagedProcess(
        `sim-${name}`,
        `simulators/${name}/main.ts`,
        { PORT: String(e.sim[name]), SIM_HANG_MS, LOG_LEVEL: "warn", ...env },
        logDir,
        `${this.base(name)}/health`,
      );
    this.procs = {
      stripe: sim("stripe", { WEBHOOK_URL: this.webhookUrl("stripe") }),
      adyen: sim("adyen", { WEBHOOK_URL: this.webhookUrl("adyen") }),
      fraud: sim("fraud", {}),
    };
  }

  base(name: Psp | "fraud"): string {
    return `http://127.0.0.1:${this.e.sim[name]}`;
  }

  webhookUrl(psp: Psp): string {
    return `http://127.0.0.1:${this.e.ingressPort}/webhooks/${psp}`;
  }

  async start(): Promise<void> {
    for (const p of Object.values(this.procs)) p.start();
    await Promise.all(Object.values(this.procs).map((p) => p.waitHealthy(60_000)));
  }

  async stop(): Promise<void> {
    await Promise.all(Object.values(this.procs).map((p) => p.stop(5_000)));
  }

  /** Fresh ledgers and idempotency keys, webhooks pointed at the run's ingress, nothing stalled. */
  async reset(): Promise<void> {
    for (const p of Object.values(this.procs)) p.signal("SIGCONT");
    if (!this.procs.fraud.alive) await this.restartFraud();
    for (const name of ["stripe", "adyen", "fraud"] as const) await this.post(name, "/_sim/reset", {});
    for (const psp of ["stripe", "adyen"] as const) await this.setWebhookEndpoint(psp, this.webhookUrl(psp));
  }

  /** Whether the simulators answer pm_sim_psp_auth_error with a 401 (another change adds it). */
  async knowsAuthErrorToken(): Promise<boolean> {
    const res = await fetch(`${this.base("stripe")}/v1/payment_intents`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${STRIPE_TEST_KEY}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: `amount=100&currency=usd&confirm=true&payment_method=${AUTH_ERROR_TOKEN}`,
    });
    await res.body?.cancel();
    await this.post("stripe", "/_sim/reset", {});
    return res.status === 401;
  }

  async setWebhookEndpoint(psp: Psp, url: string | null): Promise<boolean> {
    await this.post(psp, "/_sim/webhook-endpoint", { url });
    const res = await fetch(`${this.base(psp)}/_sim/webhook-endpoint`);
    return ((await res.json()) as { url: string | null }).url === url;
  }

  /** SIGSTOP: the PSP accepts connections but never answers. True when the kernel shows it stopped. */
  async stall(psp: Psp): Promise<boolean> {
    this.procs[psp].signal("SIGSTOP");
    await sleep(50);
    const pid = this.procs[psp].pid;
    return pid !== null && processState(pid) === "T";
  }

  resume(psp: Psp): void {
    this.procs[psp].signal("SIGCONT");
  }

  killFraud(): Promise<boolean> {
    return this.procs.fraud.kill();
  }

  async restartFraud(): Promise<void> {
    this.procs.fraud.start();
    await this.procs.fraud.waitHealthy(30_000);
  }

  /** GET /_sim/charges on both PSPs, summed: a payment routed elsewhere still counts. */
  async pspView(paymentId: string): Promise<PspView> {
    const [stripe, adyen] = await Promise.all([
      this.charges("stripe", paymentId),
      this.charges("adyen", paymentId),
    ]);
    return {
      authorizations: stripe.authorizations + adyen.authorizations,
      capturedMinor: BigInt(stripe.captured_amount) + BigInt(adyen.captured_amount),
      refundedMinor: BigInt(stripe.refunded_amount) + BigInt(adyen.refunded_amount),
      heldMinor: heldByStripe(stripe.intents) + heldByAdyen(adyen.intents),
    };
  }

  private async charges(psp: Psp, paymentId: string): Promise<SimCharges> {
    const res = await fetch(`${this.base(psp)}/_sim/charges?payment_id=${encodeURIComponent(paymentId)}`);
    if (!res.ok) throw new Error(`${psp} simulator answered ${res.status} for /_sim/charges`);
    return (await res.json()) as SimCharges;
  }

  private async post(name: Psp | "fraud", path: string, body: unknown): Promise<void> {
    const res = await fetch(`${this.base(name)}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(5_000),
    });
    await res.body?.cancel();
    if (!res.ok) throw new Error(`${name} simulator answered ${res.status} for ${path}`);
  }
}

interface SimCharges {
  authorizations: number;
  captured_amount: number | string;
  refunded_amount: number | string;
  intents: Array<Record<string, unknown>>;
}

const big = (v: unknown) => BigInt((v as number | string | undefined) ?? 0);

/** Stripe: amount_capturable of intents waiting for capture. */
export function heldByStripe(intents: Array<Record<string, unknown>>): bigint {
  return intents
    .filter((i) => i.status === "requires_capture")
    .reduce((sum, i) => sum + big(i.amount_capturable), 0n);
}

/** Adyen: authorised manual-capture payments neither captured nor cancelled. */
export function heldByAdyen(payments: Array<Record<string, unknown>>): bigint {
  return payments
    .filter((p) => p.resultCode === "Authorised" && p.manualCapture === true && p.cancelled !== true)
    .filter((p) => big(p.capturedAmount) === 0n)
    .reduce((sum, p) => sum + big((p.amount as { value?: number } | undefined)?.value), 0n);
}

export const simLogDir = (e: CampaignEnv) => join(e.stackDir, "logs");
