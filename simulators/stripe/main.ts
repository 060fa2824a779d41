import { portFromEnv } from "../shared/dev-secrets.ts";
import { listen } from "../shared/serve.ts";
import { createStripeSimulator } from "./app.ts";

const { app, router, log } = createStripeSimulator();
listen(app, router, portFromEnv(12111), log);
