import { portFromEnv } from "../shared/dev-secrets.ts";
import { listen } from "../shared/serve.ts";
import { createAdyenSimulator } from "./app.ts";

const { app, router, log } = createAdyenSimulator();
listen(app, router, portFromEnv(12112), log);
