// The top of a V8 CPU profile (node --cpu-prof): self time by function and by package, as markdown
// tables for docs/benchmarks.md. Usage: npm run bench:profile-top -- <file.cpuprofile> [--top=10]
import { readFileSync } from "node:fs";
import { arg } from "./stats.ts";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const file = process.argv.slice(2).find((a) => !a.startsWith("--"));
if (!file) {
  console.error("usage: npm run bench:profile-top -- <file.cpuprofile> [--top=10]");
  process.exit(2);
}
const top = arg("top", 10);
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));

// Self time per node from the samples (each sample's delta is the time spent in that node).
const selfUs = new Map<number, number>();
for (const [i, id] of profile.samples.entries()) {
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);

function packageOf(url: string, name: string): string {
  if (name === "(idle)" || name === "(program)" || name === "(garbage collector)") return name;
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = url.slice(nm + 13).split("/");
    return rest[0]?.startsWith("@") ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  if (url.startsWith("node:") || url === "") return "node internals";
  return "our code";
}

const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
for (const [id, us] of selfUs) {
  const node = byId.get(id);
  if (!node) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url ? `${url.replace(/^.*\/(node_modules|work\/[^/]+)\//, "")}:${lineNumber + 1}` : "";
  const key = `${functionName || "(anonymous)"} ${where}`.trim();
  byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  const pkg = packageOf(url, functionName);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
}

const busyUs = totalUs - (byPackage.get("(idle)") ?? 0);
function table(title: string, rows: Map<string, number>): string {
  const sorted = [...rows]
    .filter(([k]) => k !== "(idle)")
    .sort((a, b) => b[1] - a[1])
    .slice(0, top);
  const lines = sorted.map(
    ([k, us]) =>
      `| ${k.replaceAll("|", "\\|")} | ${(us / 1000).toFixed(0)} | ${((100 * us) / busyUs).toFixed(1)} % |`,
  );
  return [`| ${title} | self ms | share of busy time |`, "|---|---:|---:|", ...lines].join("\n");
}

console.log(
  `Profile ${file}: ${(totalUs / 1e6).toFixed(1)} s sampled, ${(busyUs / 1e6).toFixed(1)} s busy (not idle).\n`,
);
console.log(table("package", byPackage));
console.log();
console.log(table("function", byFunction));
