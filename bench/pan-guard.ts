// CPU cost of the ingress's body screening on adversarial 64 KiB bodies: the shape check on the raw
// text (http-ingress/json-limits.ts), JSON.parse, then the PAN guard (core/domain/pan-guard.ts), as
// jsonBody runs them. Target: under 5 ms of CPU per body (issue 7).
//
//   npm run bench:pan-guard -- [--runs=50]
//
// Each body is just inside the limits (64 KiB, 32 levels, 1,000 keys) and holds no card number, so
// the guard never stops early: every digit run is scanned to the end. Digits are all ones, so no span
// of 13-19 of them passes Luhn. CPU time is process.cpuUsage (user + system) around one body, after
// a warm-up; "cold" is the very first body of the process (before the JIT has seen the code).
import { findCardData } from "../core/domain/pan-guard.ts";
import { checkJsonShape, JSON_LIMITS } from "../http-ingress/json-limits.ts";
import { arg, percentiles } from "./stats.ts";

const LIMIT = JSON_LIMITS.bytes;
const ONE_FULLWIDTH = "\uff11";

/** Repeats `unit` (joined by `glue`) as long as the wrapped JSON stays within 64 KiB. */
function fill(wrap: (inner: string) => string, unit: string, glue = ""): string {
  let count = 1;
  const size = (n: number) => Buffer.byteLength(wrap(Array(n).fill(unit).join(glue)));
  while (size(count * 2) <= LIMIT) count *= 2;
  for (let step = count / 2; step >= 1; step /= 2) if (size(count + step) <= LIMIT) count += step;
  return wrap(Array(count).fill(unit).join(glue));
}

const BODIES: Record<string, string> = {
  "one string of single digits, space separated": fill((s) => JSON.stringify({ note: s }), "1", " "),
  "digits joined by mixed separators": fill((s) => JSON.stringify({ note: s }), "1.1-1/1_1\u00a0", ""),
  "fullwidth digits, NBSP separated": fill((s) => JSON.stringify({ note: s }), ONE_FULLWIDTH, "\u00a0"),
  "as many keys as allowed, digit groups in each": fitKeys("1111 1111 1111 1111 111 1111 1111 1111 1111 111"),
  "array of 13-digit numbers as strings": fill((s) => `[${s}]`, '"1111111111111"', ","),
  "32 levels deep, digit strings at every level": (() => {
    const open = '{"a":['.repeat(JSON_LIMITS.depth / 2 - 1);
    const close = "]}".repeat(JSON_LIMITS.depth / 2 - 1);
    return fill((s) => `${open}[${s}]${close}`, '"1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1"', ",");
  })(),
};

/** As many keys as fit (at most the key limit), each holding `value`. */
function fitKeys(value: string): string {
  const entries: string[] = [];
  for (let i = 0; i < JSON_LIMITS.keys; i++) {
    const next = `"k${i}":${JSON.stringify(value)}`;
    if (Buffer.byteLength(`{${[...entries, next].join(",")}}`) > LIMIT) break;
    entries.push(next);
  }
  return `{${entries.join(",")}}`;
}

function screen(raw: string): void {
  if (checkJsonShape(raw)) throw new Error("bench body is over a limit");
  if (findCardData(JSON.parse(raw))) throw new Error("bench body holds a card number");
}

function cpuMs(work: () => void): number {
  const start = process.cpuUsage();
  work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

const runs = arg("runs", 50);
const cold = cpuMs(() => screen(Object.values(BODIES)[0] ?? ""));
console.log(
  `PAN guard CPU per 64 KiB body (shape check + JSON.parse + scan), ${runs} runs each after warm-up`,
);
console.log(`cold first body: ${cold.toFixed(2)} ms`);
let worst = 0;
for (const [name, raw] of Object.entries(BODIES)) {
  for (let i = 0; i < 10; i++) screen(raw);
  const samples = Array.from({ length: runs }, () => cpuMs(() => screen(raw)));
  const p = percentiles(samples, [50, 99]);
  worst = Math.max(worst, p.p50 ?? 0);
  console.log(`${name.padEnd(46)} ${Buffer.byteLength(raw)} B   p50 ${p.p50} ms   p99 ${p.p99} ms`);
}
console.log(`worst median: ${worst} ms (target < 5 ms)`);
