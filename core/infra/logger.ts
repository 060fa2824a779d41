import { trace } from "@opentelemetry/api";
import { type DestinationStream, type LoggerOptions, pino } from "pino";
import { z } from "zod";
import { sanitizeLogFields } from "./log-sanitizer.ts";
import { loggerEnvShape } from "./logger-env.ts";

export { maskToken } from "./log-sanitizer.ts";

/**
 * Every object a log line is built from goes through sanitizeLogFields: secrets redacted at any
 * depth, payment-method tokens masked, errors reduced to type, message, code and stack (never pg's
 * `detail`). Child bindings too: pino formats only the root's, so `child` is wrapped.
 */
export function createLogger(options: LoggerOptions = {}, stream?: DestinationStream) {
  const log = pino(
    {
      mixin: traceIdOfActiveSpan,
      ...options,
      formatters: {
        level: (label) => ({ level: label }),
        bindings: (bindings) => sanitizeLogFields(bindings),
        log: (fields) => sanitizeLogFields(fields),
      },
      // Errors are already plain objects here; pino's own serializer would copy every property back.
      serializers: { err: (err: unknown) => err },
    },
    stream as DestinationStream,
  );
  const child = log.child;
  // Children are Object.create(parent), so this one override covers every descendant.
  log.child = function sanitizedChild(this: typeof log, bindings, childOptions) {
    return child.call(this, sanitizeLogFields(bindings), childOptions);
  } as typeof log.child;
  return log;
}

/** Inside a traced span every line carries its trace id (the ingress binds its own when tracing is off). */
function traceIdOfActiveSpan(): Record<string, string> {
  const span = trace.getActiveSpan();
  return span?.isRecording() ? { trace_id: span.spanContext().traceId } : {};
}

// Read here, before the config is loaded: every module logs from its first line (docs/configuration.md).
const env = z.object(loggerEnvShape).parse(process.env);

export const logger = createLogger({
  level: env.LOG_LEVEL,
  base: { service: env.SERVICE_NAME },
  timestamp: pino.stdTimeFunctions.isoTime,
});

export type Logger = typeof logger;
