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
    FINANCE_EXPORT_ENABLED: setting(flag("false"), {
      description:
        'Whether this processor runs the daily finance export (a Spark job) of yesterday (UTC) (docs/finance-data.md, "Finance report").',
    }),
    FINANCE_EXPORT_SCHEDULE_UTC: setting(
      z
        .string()
        .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "FINANCE_EXPORT_SCHEDULE_UTC must be HH:MM")
        .default("03:00"),
      { description: "Time of day (UTC, HH:MM) from which yesterday's finance report is written." },
    ),
    RECON_CHECK_INTERVAL_MS: setting(positiveInt.default(60_000), {
      description: "How often the scheduler checks whether the day's run is due (one processor runs it).",
    }),
  },
});
