// CPU time of every process on the machine, grouped by role (PostgreSQL, Kafka, the service's roles,
// simulators…), read from /proc/<pid>/stat. A bench takes a snapshot before and after its measured
// window and divides the difference by the payments it completed: CPU ms per payment by process.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

const CLOCK_TICKS = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

/** Role of a process by its command line; null for what a bench does not report (shells, the kernel). */
const ROLES: ReadonlyArray<[RegExp, string]> = [
  [/scripts\/start(\.ts|\.js)?\b/, "service (ingress + processors)"],
  [/scripts\/supervise/, "supervisor"],
  [/http-ingress\/main/, "ingress"],
  [/processors\/relay-main/, "relay"],
  [/processors\/main/, "processor"],
  [/simulators\/stripe/, "stripe simulator"],
  [/simulators\/adyen/, "adyen simulator"],
  [/simulators\/fraud/, "fraud simulator"],
  [/ConnectDistributed/, "kafka connect"],
  [/kafka\.Kafka\b|KafkaRaftServer/, "kafka broker"],
  [/apicurio/i, "apicurio registry"],
  [/s3proxy/, "s3proxy"],
  [/jaeger/, "jaeger"],
  [/stripe-mock/, "stripe-mock"],
];

function roleOf(pid: number, comm: string): string | null {
  if (pid === process.pid) return "load generator (this bench)";
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return null;
  }
  // Logical decoding for Debezium and the settlement CDC runs in walsenders: apart, to see what it costs.
  if (comm === "postgres") return /walsender/.test(cmdline) ? "postgresql walsenders (CDC)" : "postgresql";
  for (const [pattern, role] of ROLES) if (pattern.test(cmdline)) return role;
  return null;
}

/** Role → CPU milliseconds (user + system) consumed so far by the live processes of that role. */
export type CpuSnapshot = Map<string, number>;

export function cpuSnapshot(): CpuSnapshot {
  const out: CpuSnapshot = new Map();
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue;
    }
    // The command name is in parentheses and may itself hold spaces or parentheses.
    const close = stat.lastIndexOf(")");
    const comm = stat.slice(stat.indexOf("(") + 1, close);
    const fields = stat.slice(close + 2).split(" ");
    const role = roleOf(pid, comm);
    if (!role) continue;
    // Fields 14 to 17 of stat (utime, stime, and cutime, cstime: the children it reaped, such as the
    // PostgreSQL backends of closed connections), counted from the state field (3) after the name.
    const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    out.set(role, (out.get(role) ?? 0) + (ticks * 1000) / CLOCK_TICKS);
  }
  return out;
}

/** CPU ms per unit of work between two snapshots, per role, largest first, with the total. */
export function cpuPerUnit(before: CpuSnapshot, after: CpuSnapshot, units: number): Record<string, number> {
  const rows: Array<[string, number]> = [];
  let total = 0;
  for (const [role, ms] of after) {
    if (role.startsWith("load generator")) continue;
    const spent = ms - (before.get(role) ?? 0);
    if (spent <= 0) continue;
    rows.push([role, spent / units]);
    total += spent / units;
  }
  rows.sort((a, b) => b[1] - a[1]);
  const round = (n: number) => Math.round(n * 100) / 100;
  return Object.fromEntries([...rows.map(([r, v]) => [r, round(v)] as const), ["total", round(total)]]);
}
