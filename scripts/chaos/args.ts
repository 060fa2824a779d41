import { FAULT_KINDS, type FaultKind } from "./plan-types.ts";

export interface CampaignArgs {
  seed: number;
  runs: number;
  payments: number;
  orders: number;
  trafficMs: number;
  faults: { min: number; max: number };
  faultKinds: FaultKind[];
  settleMs: number;
  keepDatabases: boolean;
}

const USAGE = `usage: npm run chaos -- [--seed=S] [--runs=N] [--payments=16] [--orders=4] [--traffic-s=25]
       [--faults=2..4] [--fault-kinds=${FAULT_KINDS.join(",")}] [--settle-s=90] [--keep-databases]
Run i uses seed S+i; a failing seed reproduces with --seed=<it> --runs=1.`;

function intArg(name: string, text: string, min: number): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}\n${USAGE}`);
  return n;
}

export function parseArgs(argv: string[]): CampaignArgs {
  const a: CampaignArgs = {
    seed: 1,
    runs: 1,
    payments: 16,
    orders: 4,
    trafficMs: 25_000,
    faults: { min: 2, max: 4 },
    faultKinds: [...FAULT_KINDS],
    settleMs: 90_000,
    keepDatabases: false,
  };
  for (const arg of argv) {
    const [, name = "", value = ""] = /^--([a-z-]+)(?:=(.*))?$/.exec(arg) ?? [];
    switch (name) {
      case "seed":
        a.seed = intArg(name, value, 0);
        break;
      case "runs":
        a.runs = intArg(name, value, 1);
        break;
      case "payments":
        a.payments = intArg(name, value, 0);
        break;
      case "orders":
        a.orders = intArg(name, value, 0);
        break;
      case "traffic-s":
        a.trafficMs = intArg(name, value, 5) * 1000;
        break;
      case "settle-s":
        a.settleMs = intArg(name, value, 5) * 1000;
        break;
      case "faults": {
        const [min = "", max = min] = value.split("..");
        a.faults = { min: intArg(name, min, 0), max: intArg(name, max, 0) };
        if (a.faults.max < a.faults.min) throw new Error(`--faults: ${value} is an empty range\n${USAGE}`);
        break;
      }
      case "fault-kinds": {
        const kinds = value.split(",").filter(Boolean);
        const unknown = kinds.filter((k) => !FAULT_KINDS.includes(k as FaultKind));
        if (unknown.length > 0) throw new Error(`unknown fault kind(s) ${unknown.join(",")}\n${USAGE}`);
        a.faultKinds = kinds as FaultKind[];
        break;
      }
      case "keep-databases":
        a.keepDatabases = true;
        break;
      case "help":
        throw new Error(USAGE);
      default:
        throw new Error(`unknown argument ${arg}\n${USAGE}`);
    }
  }
  return a;
}
