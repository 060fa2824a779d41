import { Histogram, register } from "prom-client";
import type { CommandReply, PaymentCommand } from "../core/domain/commands.ts";
import { errors } from "../core/domain/errors.ts";
import type { AvroCodec } from "../core/infra/avro-codec.ts";
import { encodeCommand } from "../core/infra/command-codec.ts";
import type { Admin, Producer } from "../core/infra/kafka.ts";
import type { Logger } from "../core/infra/logger.ts";
import type { Pool } from "../db/pool.ts";
import { ReplyListener } from "./reply-listener.ts";

export interface SendOptions {
  traceparent: string;
}

/** Publishes a command and waits for the processor's reply, or gives up with "timeout". */
export interface CommandBus {
  send(command: PaymentCommand, options: SendOptions): Promise<CommandReply | "timeout">;
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
}

type Resolve = (outcome: CommandReply | "timeout") => void;

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

  async send(command: PaymentCommand, options: SendOptions): Promise<CommandReply | "timeout"> {
    const started = performance.now();
    // Registered before publishing: a reply that beats the producer ack must still find its waiter.
    const waiter = this.waitFor(command.commandId);
    try {
      await withDeadline(this.publish(command, options), this.opts.replyTimeoutMs);
    } catch (err) {
      waiter.cancel();
      this.opts.logger.error(
        { err: (err as Error).message, command_id: command.commandId },
        "command publish failed",
      );
      throw errors.unavailable(
        "The payment command could not be queued; retry with the same Idempotency-Key",
      );
    }
    const result = await waiter.promise;
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

  private publish(command: PaymentCommand, options: SendOptions): Promise<unknown> {
    return this.opts.producer.send({
      topic: this.opts.topic,
      messages: [
        {
          key: command.paymentId,
          value: encodeCommand(this.opts.codec, this.opts.topic, command),
          headers: {
            traceparent: options.traceparent,
            command_type: command.type,
            command_id: command.commandId,
          },
        },
      ],
    });
  }

  private waitFor(commandId: string): { promise: Promise<CommandReply | "timeout">; cancel: () => void } {
    let own: Resolve = () => undefined;
    const promise = new Promise<CommandReply | "timeout">((resolve) => {
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
  private settle(commandId: string, outcome: CommandReply | "timeout", only?: Resolve): void {
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
