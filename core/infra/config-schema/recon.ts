import { z } from "zod";
import { flag, positiveInt, section, setting } from "./setting.ts";

export const reconSection = section({
  title: "Reconciliation",
  intro:
    "docs/adr/0011-reconciliation.md. Where reports go (RECON_OUTPUT…) is read by core/recon/output.ts: see the last table.",
  shape: {
    RECON_ENABLED: setting(flag("false"), {
      description:
        "Whether this processor reconciles yesterday (UTC) against the PSPs' settlement reports every day.",
    }),
    RECON_SCHEDULE_UTC: setting(
      z
        .string()
        .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "RECON_SCHEDULE_UTC must be HH:MM")
        .default("02:00"),
      { description: "Time of day (UTC, HH:MM) from which yesterday is reconciled." },
    ),
    RECON_CHECK_INTERVAL_MS: setting(positiveInt.default(60_000), {
      description: "How often the scheduler checks whether the day's run is due (one processor runs it).",
    }),
  },
});
