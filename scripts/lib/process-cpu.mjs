// The CPU time of `wrangler dev` process trees, by role, read from Linux's /proc, so
// that the HTTP benchmark can say where a request's CPU went. Locally one request
// passes through three processes; production has only the first:
//   runtime  — the workerd that runs the Worker, its Durable Objects and its queue consumer
//   proxy    — wrangler's own workerd in front of it (the public port), which also relays
//              the runtime's inspector messages, among them every console call, when
//              the inspector is on (`wrangler dev`'s default; the benchmark turns it off)
//   wrangler — wrangler's Node process (and its helpers), which reads the runtime's log
//              lines and prints them
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

const TICKS_PER_SECOND = clockTicks();

/**
 * A sampler of the process trees of `servers` (each `{ pid, url }`, as
 * `startWranglerDev` answers: the tree under `pid`, whose proxy listens on `url`'s
 * port), summed by role; `null` where /proc cannot be read (not Linux).
 * @returns {{ sample(): Record<"runtime" | "proxy" | "wrangler", number> } | null} CPU milliseconds so far, by role
 */
export function processCpu(servers) {
  if (TICKS_PER_SECOND === null) return null;
  const trees = servers.map((server) => ({ pid: server.pid, port: Number(new URL(server.url).port) }));
  return {
    sample() {
      const totals = { runtime: 0, proxy: 0, wrangler: 0 };
      const processes = liveProcesses();
      for (const tree of trees) {
        for (const process of descendants(processes, tree.pid)) {
          totals[roleOf(process.command, tree.port)] += (process.ticks * 1000) / TICKS_PER_SECOND;
        }
      }
      return totals;
    },
  };
}

/**
 * Resolves once the runtime has used (almost) no CPU for `quietMs` on end, so that the
 * work a run left behind (the events window, the queue's batch delay, the consumer) is
 * done; at most `maxMs`. Watching the CPU, not asking the Worker, adds no work of its own.
 */
export async function runtimeQuiet(sampler, { quietMs = 3000, maxMs = 60_000, stepMs = 250 } = {}) {
  const runtime = () => sampler.sample().runtime;
  const deadline = Date.now() + maxMs;
  let last = runtime();
  let quietSince = Date.now();
  while (Date.now() - quietSince < quietMs && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, stepMs));
    const now = runtime();
    // Under 2 % of a core: timers and bookkeeping, not a consumer at work.
    if (now - last > stepMs * 0.02) quietSince = Date.now();
    last = now;
  }
}

/** What one run used: `after - before` per role, per request. */
export function perRequest(before, after, requests) {
  const per = {};
  for (const role of Object.keys(after)) per[role] = requests === 0 ? 0 : (after[role] - before[role]) / requests;
  return per;
}

function roleOf(command, publicPort) {
  // By the executable's name, not anywhere in the line (a checkout's path may say "workerd").
  if (!(command.split(" ")[0] ?? "").endsWith("/workerd")) return "wrangler";
  return command.includes(`entry=127.0.0.1:${publicPort} `) ? "proxy" : "runtime";
}

/** Every live process, with its parent and its CPU ticks (user + system) so far. */
function liveProcesses() {
  const processes = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // The command name in parentheses may hold spaces; the fields after it do not.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      processes.push({
        pid: Number(entry),
        parent: Number(fields[1]),
        ticks: Number(fields[11]) + Number(fields[12]),
        command: `${readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ")} `,
      });
    } catch {
      // exited while being read
    }
  }
  return processes;
}

/** `rootPid` and every process under it, of `processes`. */
function descendants(processes, rootPid) {
  const children = new Map();
  for (const p of processes) children.set(p.parent, [...(children.get(p.parent) ?? []), p]);
  const found = processes.filter((p) => p.pid === rootPid);
  const visit = (pid) => {
    for (const child of children.get(pid) ?? []) {
      found.push(child);
      visit(child.pid);
    }
  };
  visit(rootPid);
  return found;
}

function clockTicks() {
  try {
    readdirSync("/proc/self");
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
  } catch {
    return null;
  }
}
