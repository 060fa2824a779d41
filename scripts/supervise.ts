// `npm start`: the HTTP ingress and the processors as two processes (one core each, docs/benchmarks.md),
// supervised here. SIGTERM (or Ctrl-C) stops both gracefully; if either dies, the other is stopped and
// this process exits with the dead one's code, so whatever runs `npm start` (systemd, a container
// runtime) restarts the pair. `npm run start:single` runs both roles in one process instead.
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROLES = ["http-ingress/main", "processors/main"] as const;
const launcher = fileURLToPath(new URL("launch.mjs", import.meta.url));
const children = new Map<string, ChildProcess>();
let stopping = false;

function stopAll(signal: NodeJS.Signals): void {
  for (const child of children.values()) if (child.exitCode === null) child.kill(signal);
}

for (const role of ROLES) {
  const child = spawn(process.execPath, [launcher, role], { stdio: "inherit", env: process.env });
  children.set(role, child);
  child.on("exit", (code, signal) => {
    children.delete(role);
    if (!stopping) {
      stopping = true;
      console.error(`[supervise] ${role} exited (${signal ?? code}); stopping the other role`);
      process.exitCode = code || 1;
      stopAll("SIGTERM");
    }
    if (children.size === 0) process.exit();
  });
}

process.on("SIGTERM", () => {
  stopping = true;
  stopAll("SIGTERM");
});
// Ctrl-C reaches the whole process group, the roles included: forwarding it would stop them twice. A
// SIGINT sent to this process alone still stops them, with SIGTERM, if they are still up after 30 s.
process.on("SIGINT", () => {
  stopping = true;
  setTimeout(() => stopAll("SIGTERM"), 30_000).unref();
});
