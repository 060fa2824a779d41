import { pino } from "pino";

export function simLogger(name: string) {
  return pino({
    level: process.env.LOG_LEVEL ?? "info",
    base: { service: `sim-${name}` },
    formatters: { level: (label) => ({ level: label }) },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

export type SimLogger = ReturnType<typeof simLogger>;
