import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { HttpInstrumentation } from "@opentelemetry/instrumentation-http";
import { KoaInstrumentation, KoaLayerType } from "@opentelemetry/instrumentation-koa";
import { PgInstrumentation } from "@opentelemetry/instrumentation-pg";
import { UndiciInstrumentation } from "@opentelemetry/instrumentation-undici";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";

const QUIET_PATHS = new Set(["/healthz", "/readyz", "/metrics", "/health"]);

/**
 * The SDK with OTLP export (OTEL_EXPORTER_OTLP_ENDPOINT, default http://127.0.0.1:4318) and the
 * HTTP, Koa, pg and undici instrumentations. Statement text is recorded, bind values never are:
 * they can hold tokens and PII (they are sealed, but a span is not the place for them either).
 */
export function startTracing(): NodeSDK {
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({
      "service.name": process.env.OTEL_SERVICE_NAME ?? process.env.SERVICE_NAME ?? "payment-service",
    }),
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter(), {
        scheduledDelayMillis: Number(process.env.OTEL_BSP_SCHEDULE_DELAY ?? 1000),
      }),
    ],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => QUIET_PATHS.has((req.url ?? "").split("?")[0] ?? ""),
        // Outgoing calls are traced by the undici instrumentation (fetch); node:http ones are Kafka-free
        // internals (the registry client) we do not need in a payment's trace.
        ignoreOutgoingRequestHook: () => true,
      }),
      // Route spans only: one span per middleware layer (auth, limits, parsing…) is noise in every trace.
      new KoaInstrumentation({ ignoreLayersType: [KoaLayerType.MIDDLEWARE] }),
      new PgInstrumentation({ enhancedDatabaseReporting: false, requireParentSpan: true }),
      new UndiciInstrumentation(),
    ],
  });
  sdk.start();
  const stop = () => void sdk.shutdown().catch(() => undefined);
  process.once("beforeExit", stop);
  return sdk;
}
