import { Histogram, register } from "prom-client";
import type { CommandResult } from "../core/domain/command-result.ts";
import type { PaymentCommand } from "../core/domain/commands.ts";
import { errors, PaymentError } from "../core/domain/errors.ts";
import type { AvroCodec } from "../core/infra/avro-codec.ts";
import { encodeCommand } from "../core/infra/command-codec.ts";
import { type Admin, classifySendFailure, type Producer } from "../core/infra/kafka.ts";
import type { Logger } from "../core/infra/logger.ts";
import { activeTraceparent, inSpan, SpanKind } from "../core/infra/tracing/spans.ts";
import type { Pool } from "../db/pool.ts";
import { ReplyListener } from "./reply-listener.ts";

export interface SendOptions {
  traceparent: string;
}

/** Publishes a command and waits for the processor's reply, or gives up with "timeout". */
export interface CommandBus {
  send(command: PaymentCommand, options: SendOptions): Promise<CommandResult | "timeout">;
  /** Resolves when Kafka answers a metadata request; used by /readyz. */
  ping(timeoutMs: number): Promise<void>;
}

export interface KafkaCommandBusOptions {
  producer: Producer;
  codec: AvroCodec;
  pool: Pool;
  databaseUrl: string;
  topic: string;
  replyTimeoutMs: number;
  logger: Logger;
  pollIntervalMs?: number;
  reconnectDelayMs?: number;
}

type Resolve = (outcome: CommandResult | "timeout") => void;

const waitSeconds =
  (register.getSingleMetric("ingress_command_wait_seconds") as
    | Histogram<"command_type" | "outcome">
    | undefined) ??
  new Histogram({
    name: "ingress_command_wait_seconds",
    help: "Time from publishing a command to the processor's reply (or the reply timeout)",
    labelNames: ["command_type", "outcome"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });

export class KafkaCommandBus implements CommandBus {
  private readonly waiters = new Map<string, Set<Resolve>>();
  private readonly listener: ReplyListener;
  private admin: Admin | null = null;

  constructor(private readonly opts: KafkaCommandBusOptions) {
    this.listener = new ReplyListener({
      connectionString: opts.databaseUrl,
      pool: opts.pool,
      logger: opts.logger,
      pollIntervalMs: opts.pollIntervalMs,
      reconnectDelayMs: opts.reconnectDelayMs,
      pending: () => [...this.waiters.keys()],
      isPending: (commandId) => this.waiters.has(commandId),
      deliver: (commandId, reply) => this.settle(commandId, reply),
    });
  }

  async start(): Promise<void> {
    await this.opts.producer.connect();
    await this.listener.start();
  }

  async stop(): Promise<void> {
    for (const commandId of [...this.waiters.keys()]) this.settle(commandId, "timeout");
    await this.listener.stop();
    await this.admin?.disconnect().catch(() => undefined);
    await this.opts.producer.disconnect();
  }

  /**
   * "Not queued" is said only when the delivery report proves the command was not written. When the
   * produce's outcome is unknown (a timeout while in flight, no report by the reply deadline), the
   * processor's reply is still awaited; without one the answer is "not known", never "not queued".
   * Either way the caller retries under the same Idempotency-Key, i.e. the same command id, which
   * processors apply at most once.
   */
  async send(command: PaymentCommand, options: SendOptions): Promise<CommandResult | "timeout"> {
    const started = performance.now();
    // Registered before publishing: a reply that beats the producer ack must still find its waiter.
    const waiter = this.waitFor(command.commandId);
    const delivery = await this.publish(command, options).then(
      () => "sent" as const,
      (err: unknown) => {
        this.opts.logger.error(
          {
            err: (err as Error).message,
            code: (err as { code?: unknown }).code,
            command_id: command.commandId,
          },
          "command publish failed",
        );
        return classifySendFailure(err);
      },
    );
    if (delivery === "not_sent") {
      waiter.cancel();
      throw errors.unavailable(
        "The payment command could not be queued; retry with the same Idempotency-Key",
      );
    }
    const result = await waiter.promise;
    if (result === "timeout" && delivery === "unknown") throw commandOutcomeUnknown();
    const seconds = (performance.now() - started) / 1000;
    waitSeconds.observe(
      { command_type: command.type, outcome: result === "timeout" ? "timeout" : "reply" },
      seconds,
    );
    return result;
  }

  async ping(timeoutMs: number): Promise<void> {
    if (!this.admin) {
      const admin = this.opts.producer.dependentAdmin();
      await withDeadline(admin.connect(), timeoutMs);
      this.admin = admin;
    }
    await withDeadline(this.admin.listTopics({ timeout: timeoutMs }), timeoutMs);
  }

  /** Resolves on the broker's ack; rejects with librdkafka's delivery error, or when no report came in time. */
  private publish(command: PaymentCommand, options: SendOptions): Promise<unknown> {
    const attributes = {
      "messaging.system": "kafka",
      "messaging.destination.name": this.opts.topic,
      "payment.id": command.paymentId,
      "payment.command": command.type,
    };
    return inSpan(`${this.opts.topic} publish`, { kind: SpanKind.PRODUCER, attributes }, () =>
      this.produce(command, activeTraceparent() ?? options.traceparent),
    );
  }

  private produce(command: PaymentCommand, traceparent: string): Promise<unknown> {
    const sent = this.opts.producer.send({
      topic: this.opts.topic,
      messages: [
        {
          key: command.paymentId,
          value: encodeCommand(this.opts.codec, this.opts.topic, command),
          headers: {
            traceparent,
            command_type: command.type,
            command_id: command.commandId,
          },
        },
      ],
    });
    // The producer's delivery timeout is below the reply timeout, so this fires only if librdkafka
    // overran it; the rejection carries no code, which counts as "unknown".
    return withDeadline(sent, this.opts.replyTimeoutMs);
  }

  private waitFor(commandId: string): { promise: Promise<CommandResult | "timeout">; cancel: () => void } {
    let own: Resolve = () => undefined;
    const promise = new Promise<CommandResult | "timeout">((resolve) => {
      const timer = setTimeout(() => this.settle(commandId, "timeout", own), this.opts.replyTimeoutMs);
      own = (outcome) => {
        clearTimeout(timer);
        resolve(outcome);
      };
      const set = this.waiters.get(commandId) ?? new Set<Resolve>();
      set.add(own);
      this.waiters.set(commandId, set);
    });
    return { promise, cancel: () => this.settle(commandId, "timeout", own) };
  }

  /** Resolves the waiters of a command: all of them, or only `only` (its own timer). */
  private settle(commandId: string, outcome: CommandResult | "timeout", only?: Resolve): void {
    const set = this.waiters.get(commandId);
    if (!set) return;
    for (const resolve of [...set]) {
      if (only && resolve !== only) continue;
      set.delete(resolve);
      resolve(outcome);
    }
    if (set.size === 0) this.waiters.delete(commandId);
  }
}

/** The command may or may not be on Kafka: a retry under the same key finds out, and never applies it twice. */
function commandOutcomeUnknown(): PaymentError {
  return new PaymentError(
    "unavailable",
    "api_error",
    "service_unavailable",
    "It is not known yet whether the payment command was queued; retry with the same Idempotency-Key",
  );
}

/** The producer's delivery timeout for commands: below the reply timeout, so a report comes before we answer. */
export function commandDeliveryTimeoutMs(replyTimeoutMs: number): number {
  return Math.max(1, replyTimeoutMs - Math.min(2_000, Math.ceil(replyTimeoutMs / 5)));
}

async function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
