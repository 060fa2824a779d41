import { z } from "zod";
import { setting } from "./config-schema/setting.ts";

/** Read by logger.ts when the module loads (before the config), and documented with the config. */
export const loggerEnvShape = {
  LOG_LEVEL: setting(z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"), {
    description: "pino level of the service's JSON logs.",
  }),
  SERVICE_NAME: setting(z.string().min(1).default("payment-service"), {
    description: "The `service` field of every log line.",
  }),
};
