import { loadConfig } from "../core/infra/config.ts";
import { logger } from "../core/infra/logger.ts";
import { startIngress } from "./start-ingress.ts";

// `npm run start:ingress`: the HTTP ingress alone. scripts/start.ts runs it next to the processors.
const ingress = await startIngress(loadConfig()).catch((err: Error) => {
  logger.fatal({ err: err.message }, "http ingress failed to start");
  process.exit(1);
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    logger.info({ signal }, "http ingress shutting down");
    ingress.close().then(
      () => process.exit(0),
      (err: Error) => {
        logger.error({ err: err.message }, "shutdown failed");
        process.exit(1);
      },
    );
  });
}
