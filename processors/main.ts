import { createServer } from "node:http";
import { loadConfig } from "../core/infra/config.ts";
import { logger } from "../core/infra/logger.ts";
import { register } from "../core/infra/metrics.ts";
import { startProcessors } from "./start-processors.ts";

const config = loadConfig();
const processors = await startProcessors(config);

// Processor-only processes expose their own health and metrics; the ingress serves them when co-located.
const server = createServer(async (req, res) => {
  if (req.url === "/metrics") {
    res.writeHead(200, { "content-type": register.contentType });
    res.end(await register.metrics());
    return;
  }
  res.writeHead(req.url === "/healthz" ? 200 : 404, { "content-type": "application/json" });
  res.end(
    JSON.stringify(
      req.url === "/healthz"
        ? { status: "ok" }
        : { error: { type: "not_found_error", code: "resource_missing", message: "Not found" } },
    ),
  );
});
server.listen(config.PROCESSOR_HTTP_PORT, "127.0.0.1");

const shutdown = async (signal: string) => {
  logger.info({ signal }, "processor shutting down");
  server.close();
  await processors.close();
  process.exit(0);
};
process.once("SIGTERM", () => void shutdown("SIGTERM"));
process.once("SIGINT", () => void shutdown("SIGINT"));
