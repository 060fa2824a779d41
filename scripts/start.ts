// `npm run start:single`: the ingress and the processors in one process (`npm start` runs them as two). Each role can also run alone
// (npm run start:ingress / start:processor) to scale them separately.
import { loadConfig } from "../core/infra/config.ts";
import { logger } from "../core/infra/logger.ts";
import { startIngress } from "../http-ingress/start-ingress.ts";
import { startProcessors } from "../processors/start-processors.ts";

const config = loadConfig();
const processors = await startProcessors(config);
const ingress = await startIngress(config);
logger.info({ port: config.PORT }, "payment service ready");

const shutdown = async (signal: string) => {
  logger.info({ signal }, "shutting down");
  await ingress.close();
  await processors.close();
  process.exit(0);
};
process.once("SIGTERM", () => void shutdown("SIGTERM"));
process.once("SIGINT", () => void shutdown("SIGINT"));
