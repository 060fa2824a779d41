import {
  type Attributes,
  type Context,
  context,
  type Link,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";

export { SpanKind };

const tracer = () => trace.getTracer("payment-service");
const w3c = new W3CTraceContextPropagator();

/** The context a W3C traceparent stands for (the root context when there is none). */
export function contextOf(traceparent: string | null | undefined): Context {
  if (!traceparent) return context.active();
  return w3c.extract(
    context.active(),
    { traceparent },
    {
      get: (carrier, key) => carrier[key as "traceparent"],
      keys: (carrier) => Object.keys(carrier),
    },
  );
}

/** The active span as a W3C traceparent, or null when tracing is off or nothing is recording. */
export function activeTraceparent(): string | null {
  const span = trace.getActiveSpan();
  if (!span?.spanContext().traceId || !span.isRecording()) return null;
  const carrier: Record<string, string> = {};
  w3c.inject(context.active(), carrier, { set: (c, k, v) => (c[k] = v) });
  return carrier.traceparent ?? null;
}

/** A link to the trace a traceparent belongs to (the payment's confirm, from a later webhook). */
export function linkTo(traceparent: string | null | undefined): Link | null {
  if (!traceparent) return null;
  const spanContext = trace.getSpanContext(contextOf(traceparent));
  return spanContext ? { context: spanContext } : null;
}

interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** Parent taken from a message header instead of the active context (a consumer). */
  parent?: string | null;
  links?: Link[];
}

/**
 * Runs `work` inside a new span (child of the active one, or of `parent`). A thrown error marks the
 * span as failed and is rethrown. Without the SDK the span is a no-op and costs next to nothing.
 */
export async function inSpan<T>(
  name: string,
  options: SpanOptions,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent !== undefined ? contextOf(options.parent) : context.active();
  const span = tracer().startSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes, links: options.links },
    parent,
  );
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (err) {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
    throw err;
  } finally {
    span.end();
  }
}

/** A span ended by the caller (a batch publish), with the traceparent its message carries on. */
export function startSpan(
  name: string,
  options: SpanOptions,
): { traceparent: string | null; end: (err?: Error) => void } {
  const parent = options.parent !== undefined ? contextOf(options.parent) : context.active();
  const span = tracer().startSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes, links: options.links },
    parent,
  );
  return {
    traceparent: context.with(trace.setSpan(parent, span), activeTraceparent),
    end: (err) => {
      if (err) span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
      span.end();
    },
  };
}

/** A span only inside a trace that is already recording: background loops do not start traces of their own. */
export function inChildSpan<T>(name: string, work: () => Promise<T>): Promise<T> {
  return tracing() ? inSpan(name, {}, work) : work();
}

/** Tracing is on and the current work is being recorded. */
export function tracing(): boolean {
  return trace.getActiveSpan()?.isRecording() ?? false;
}

/** Links the active span to another trace (a webhook to the request that opened the attempt). */
export function linkActiveSpan(traceparent: string | null, attributes: Attributes = {}): void {
  const span = trace.getActiveSpan();
  span?.setAttributes(attributes);
  const link = linkTo(traceparent);
  if (link) span?.addLink(link);
}
