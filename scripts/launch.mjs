// `npm start` and the start:* scripts: the compiled JS in dist/ (`npm run build`) when NODE_ENV is
// production, the TypeScript sources through tsx otherwise. Usage: node scripts/launch.mjs <entry
// without extension>, e.g. scripts/start or processors/relay-main.
import { existsSync } from "node:fs";

const entry = process.argv[2];
if (!entry) {
  console.error("usage: node scripts/launch.mjs <entry>, e.g. scripts/start");
  process.exit(2);
}
const root = new URL("../", import.meta.url);
if (process.env.NODE_ENV === "production") {
  const compiled = new URL(`dist/${entry}.js`, root);
  if (!existsSync(compiled)) {
    console.error(`${compiled.pathname} is missing: run \`npm run build\` first`);
    process.exit(1);
  }
  // OpenTelemetry first (a no-op unless OTEL_TRACES_ENABLED=true), so it can wrap pg and Koa as they load.
  await import(new URL("dist/core/infra/tracing/register.js", root).href);
  await import(compiled.href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import(new URL("core/infra/tracing/register.ts", root).href);
  await import(new URL(`${entry}.ts`, root).href);
}
