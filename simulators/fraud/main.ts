import { portFromEnv } from "../shared/dev-secrets.ts";
import { listen } from "../shared/serve.ts";
import { createFraudSimulator } from "./app.ts";

const { app, router, log } = createFraudSimulator();
listen(app, router, portFromEnv(12113), log);
