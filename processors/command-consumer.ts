import pRetry from "p-retry";
import { commandResult } from "../core/domain/command-result.ts";
import { errors } from "../core/domain/errors.ts";
import type { AvroCodec } from "../core/infra/avro-codec.ts";
import { decodeCommand, MalformedCommandError } from "../core/infra/command-codec.ts";
import { headerString, type KafkaMessage, type KafkaSettings, type Producer } from "../core/infra/kafka.ts";
import { commandsTotal } from "../core/infra/metrics.ts";
import { activeTraceparent, inSpan, SpanKind } from "../core/infra/tracing/spans.ts";
import { isTransient } from "../core/infra/transient-errors.ts";
import { saveCommandResult } from "../db/repositories/commands-repo.ts";
import { applyCommand, type TracedCommand } from "./apply-command.ts";
import type { ProcessorContext } from "./context.ts";
import { deadLetter } from "./dead-letter.ts";
import { type HandlerRetry, retryOptions } from "./handler-retry.ts";
import type { ParallelConsumerLimits } from "./parallel-consumer/limits.ts";
import { type ParallelConsumer, startParallelConsumer } from "./parallel-consumer/parallel-consumer.ts";

export interface CommandConsumerOptions {
  kafka: KafkaSettings;
  topic: string;
  dlqTopic: string;
  groupId: string;
  limits: ParallelConsumerLimits;
  retry: HandlerRetry;
  codec: AvroCodec;
  producer: Producer;
  ctx: ProcessorContext;
}

/** Applies payment commands (see parallel-consumer/ for ordering, retries and offsets). */
export function startCommandConsumer(o: CommandConsumerOptions): Promise<ParallelConsumer> {
  return startParallelConsumer({
    ...o,
    logger: o.ctx.logger,
    handle: (topic, partition, m) => handleMessage(o, topic, partition, m),
  });
}

async function handleMessage(
  o: CommandConsumerOptions,
  topic: string,
  partition: number,
  message: KafkaMessage,
) {
  let command: TracedCommand;
  try {
    command = {
      ...(await decodeCommand(o.codec, message.value)),
      traceparent: headerString(message.headers, "traceparent") ?? null,
    };
  } catch (err) {
    if (!(err instanceof MalformedCommandError)) throw err;
    return deadLetter(o.producer, o.dlqTopic, { topic, partition, message }, "malformed", err.message);
  }
  return inSpan(
    `${topic} process`,
    {
      kind: SpanKind.CONSUMER,
      parent: command.traceparent,
      attributes: {
        "messaging.system": "kafka",
        "messaging.destination.name": topic,
        "messaging.kafka.destination.partition": partition,
        "payment.id": command.paymentId,
        "payment.command": command.type,
      },
    },
    () =>
      applyTraced(
        o,
        { ...command, traceparent: activeTraceparent() ?? command.traceparent },
        topic,
        partition,
        message,
      ),
  );
}

async function applyTraced(
  o: CommandConsumerOptions,
  command: TracedCommand,
  topic: string,
  partition: number,
  message: KafkaMessage,
) {
  const log = o.ctx.logger.child({
    payment_id: command.paymentId,
    command_id: command.commandId,
    command: command.type,
  });
  try {
    const result = await pRetry(() => applyCommand(o.ctx, command), {
      ...retryOptions(o.retry),
      onFailedAttempt: (e) =>
        log.warn({ err: e.message, attempt: e.attemptNumber }, "command attempt failed"),
    });
    commandsTotal.inc({ type: command.type, result });
  } catch (err) {
    if (isTransient(err)) throw err;
    log.error({ err }, "command failed terminally; dead-lettering");
    commandsTotal.inc({ type: command.type, result: "dead_lettered" });
    await saveCommandResult(o.ctx.pool, command, commandResult.rejected(errors.internal())).catch(
      () => undefined,
    );
    await deadLetter(
      o.producer,
      o.dlqTopic,
      { topic, partition, message },
      "handler_error",
      (err as Error).message,
    );
  }
}
