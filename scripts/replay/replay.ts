import type pg from "pg";
import type { PaymentCommand } from "../../core/domain/commands.ts";
import type { AvroCodec } from "../../core/infra/avro-codec.ts";
import { encodeCommand } from "../../core/infra/command-codec.ts";
import type { Producer } from "../../core/infra/kafka.ts";
import { type OutcomeSummary, outcomeSummary, waitForApplied } from "./outcomes.ts";
import { IdRewriter } from "./rewrite-ids.ts";

export interface ReplayOptions {
  commands: readonly PaymentCommand[];
  codec: AvroCodec;
  producer: Producer;
  db: pg.Pool;
  targetTopic: string;
  /** Commands per second; 0 = as fast as possible. */
  rate: number;
  settleTimeoutMs: number;
}

export interface ReplayReport {
  commands: number;
  payments: number;
  produceSeconds: number;
  produceRatePerSec: number;
  applied: number;
  applySeconds: number;
  appliedPerSec: number;
  outcomes: OutcomeSummary;
}

const TICK_MS = 100;

/** Replays commands under fresh ids at a constant rate (or flat out), then waits for them to settle. */
export async function replayCommands(o: ReplayOptions): Promise<ReplayReport> {
  const rewriter = new IdRewriter();
  const fresh = o.commands.map((c) => rewriter.rewrite(c));
  const messages = fresh.map((cmd) => ({
    key: cmd.paymentId,
    value: encodeCommand(o.codec, o.targetTopic, cmd),
    headers: { command_type: cmd.type, replay: "true" },
  }));
  const perTick = o.rate > 0 ? Math.max(1, Math.round((o.rate * TICK_MS) / 1000)) : 1000;
  const started = performance.now();
  for (let i = 0, tick = 0; i < messages.length; i += perTick, tick++) {
    if (o.rate > 0) {
      const wait = started + tick * TICK_MS - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    await o.producer.send({ topic: o.targetTopic, messages: messages.slice(i, i + perTick) });
  }
  const produceSeconds = (performance.now() - started) / 1000;
  const applied = await waitForApplied(
    o.db,
    fresh.map((c) => c.commandId),
    o.settleTimeoutMs,
  );
  const applySeconds = (performance.now() - started) / 1000;
  return {
    commands: fresh.length,
    payments: rewriter.paymentIds().length,
    produceSeconds: round(produceSeconds),
    produceRatePerSec: round(fresh.length / produceSeconds),
    applied,
    applySeconds: round(applySeconds),
    appliedPerSec: round(applied / applySeconds),
    outcomes: await outcomeSummary(o.db, rewriter.paymentIds()),
  };
}

const round = (n: number) => Math.round(n * 10) / 10;
