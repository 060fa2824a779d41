// Preload (node --import ./core/infra/tracing/register.ts): starts OpenTelemetry before the service's
// modules load, so the pg and Koa instrumentations can wrap them. Does nothing unless
// OTEL_TRACES_ENABLED=true (docs/operations.md, "Tracing").
import { register } from "node:module";
import { createAddHookMessageChannel } from "import-in-the-middle";

if (process.env.OTEL_TRACES_ENABLED === "true") {
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register("import-in-the-middle/hook.mjs", import.meta.url, registerOptions);
  const { startTracing } = await import("./sdk.ts");
  startTracing();
  await waitForAllMessagesAcknowledged();
}
