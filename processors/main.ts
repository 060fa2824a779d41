import { loadConfig } from "../core/infra/config.ts";
import { logger } from "../core/infra/logger.ts";
import { startProcessors } from "./start-processors.ts";

const config = loadConfig();
// Health, metrics and the review queue are served by the processors' ops listener (PROCESSOR_HTTP_PORT).
const processors = await startProcessors(config);

const shutdown = async (signal: string) => {
  logger.info({ signal }, "processor shutting down");
  await processors.close();
  process.exit(0);
};
process.once("SIGTERM", () => void shutdown("SIGTERM"));
process.once("SIGINT", () => void shutdown("SIGINT"));
