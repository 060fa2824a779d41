import { request } from "undici";
import { sleep } from "./ids.ts";
import type { SimLogger } from "./log.ts";

/** Built afresh for every delivery attempt, so each attempt carries a fresh signature timestamp. */
export type SignedDelivery = () => { body: string; headers: Record<string, string> };

export interface DeliveryRecord {
  eventId: string;
  type: string;
  attempts: number;
  delivered: boolean;
  lastStatus?: number;
  url?: string;
}

export interface DeliveryOptions {
  /** > 1 delivers the very same event more than once (pm_sim_duplicate_webhook). */
  copies?: number;
  /** Holds the first attempt back, so later events overtake this one (pm_sim_out_of_order_webhook). */
  delayMs?: number;
}

const BASE_DELAY_MS = 250;
const MAX_DELAY_MS = 5_000;
const LOG_LIMIT = 500;

/**
 * POSTs signed events to the webhook endpoint in the background, retrying non-2xx with bounded
 * backoff. The endpoint starts as WEBHOOK_URL and can be changed at runtime (POST
 * /_sim/webhook-endpoint); every attempt goes to the endpoint current at that moment.
 */
export class WebhookSender {
  readonly deliveries: DeliveryRecord[] = [];

  constructor(
    private url: string | undefined,
    private readonly maxAttempts: number,
    private readonly log: SimLogger,
  ) {}

  get endpoint(): string | undefined {
    return this.url;
  }

  /** undefined stops deliveries (queued retries give up at their next attempt). */
  setEndpoint(url: string | undefined): void {
    this.url = url;
    this.log.info({ url: url ?? null }, "webhook endpoint set");
  }

  enqueue(eventId: string, type: string, build: SignedDelivery, options: DeliveryOptions = {}): void {
    if (this.url === undefined) return;
    for (let copy = 0; copy < (options.copies ?? 1); copy++) {
      const record: DeliveryRecord = { eventId, type, attempts: 0, delivered: false };
      this.deliveries.push(record);
      if (this.deliveries.length > LOG_LIMIT) this.deliveries.shift();
      void this.deliver(record, build, options.delayMs ?? 0);
    }
  }

  private async deliver(record: DeliveryRecord, build: SignedDelivery, delayMs: number): Promise<void> {
    if (delayMs > 0) await sleep(delayMs);
    while (record.attempts < this.maxAttempts) {
      const url = this.url;
      if (url === undefined) return;
      record.attempts++;
      record.url = url;
      const { body, headers } = build();
      try {
        const response = await request(url, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body,
          signal: AbortSignal.timeout(5_000),
        });
        record.lastStatus = response.statusCode;
        await response.body.dump();
        if (response.statusCode >= 200 && response.statusCode < 300) {
          record.delivered = true;
          return;
        }
      } catch (error) {
        this.log.debug({ err: error, eventId: record.eventId }, "webhook delivery failed");
      }
      await sleep(Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (record.attempts - 1)));
    }
    this.log.warn(
      { eventId: record.eventId, type: record.type, attempts: record.attempts },
      "webhook given up",
    );
  }

  clear(): void {
    this.deliveries.length = 0;
  }
}
