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
}

const BASE_DELAY_MS = 250;
const MAX_DELAY_MS = 5_000;
const LOG_LIMIT = 500;

/** POSTs signed events to WEBHOOK_URL in the background, retrying non-2xx with bounded backoff. */
export class WebhookSender {
  readonly deliveries: DeliveryRecord[] = [];

  constructor(
    private readonly url: string | undefined,
    private readonly maxAttempts: number,
    private readonly log: SimLogger,
  ) {}

  /** copies > 1 delivers the very same event more than once (pm_sim_duplicate_webhook). */
  enqueue(eventId: string, type: string, build: SignedDelivery, copies = 1): void {
    if (this.url === undefined) return;
    for (let copy = 0; copy < copies; copy++) {
      const record: DeliveryRecord = { eventId, type, attempts: 0, delivered: false };
      this.deliveries.push(record);
      if (this.deliveries.length > LOG_LIMIT) this.deliveries.shift();
      void this.deliver(this.url, record, build);
    }
  }

  private async deliver(url: string, record: DeliveryRecord, build: SignedDelivery): Promise<void> {
    while (record.attempts < this.maxAttempts) {
      record.attempts++;
      const { body, headers } = build();
      try {
        const response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body,
          signal: AbortSignal.timeout(5_000),
        });
        record.lastStatus = response.status;
        await response.body?.cancel();
        if (response.ok) {
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
