// `npm run chaos -- --seed=S --runs=N`: the seeded fault campaign (README "Fault campaign").
import { parseArgs } from "./args.ts";
import { campaignEnv } from "./campaign-env.ts";
import { OutcomeCollector } from "./outcome-collector.ts";
import { killEveryChild } from "./processes.ts";
import { passed, type RunResult, runLine, summaryLine, violationLines } from "./report.ts";
import { runOnce } from "./run.ts";
import { createTopics, eventTopics } from "./run-topics.ts";
import { stackUp } from "./shell.ts";
import { Simulators, simLogDir } from "./simulators.ts";
import { campaignTokens } from "./tokens.ts";

const args = (() => {
  try {
    return parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
})();
const e = campaignEnv();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    killEveryChild();
    console.error(`[chaos] ${signal}: stopped; the run's database and topics are left behind`);
    process.exit(130);
  });
}
const log = (line: string) => console.error(`[chaos] ${line}`);

log(
  `own stack: PostgreSQL :${e.pgPort}, Kafka ${e.kafkaBootstrap} (${e.stackDir}); registry ${e.registryUrl}`,
);
await stackUp(e);
await createTopics(e, eventTopics());
const sims = new Simulators(e, simLogDir(e));
await sims.start();
const withAuthError = await sims.knowsAuthErrorToken();
log(
  `simulators on :${e.sim.stripe}/:${e.sim.adyen}/:${e.sim.fraud}; 401 token ${withAuthError ? "on" : "unknown to them, left out"}`,
);
const collector = new OutcomeCollector(e);
await collector.start();

const results: RunResult[] = [];
try {
  for (let i = 0; i < args.runs; i++) {
    const result = await runOnce(args.seed + i, {
      e,
      sims,
      collector,
      planOptions: {
        payments: args.payments,
        orders: args.orders,
        trafficMs: args.trafficMs,
        faults: args.faults,
        faultKinds: args.faultKinds,
        tokens: campaignTokens(withAuthError),
        brokers: e.brokers,
      },
      settleMs: args.settleMs,
      keepDatabase: args.keepDatabases,
      log,
    });
    results.push(result);
    console.log(runLine(result));
    for (const line of violationLines(result)) console.error(line);
  }
} finally {
  await collector.stop();
  await sims.stop();
}
console.log(summaryLine(results));
process.exit(results.every(passed) ? 0 : 1);
