// Starts and stops `wrangler dev` for the scripts that drive the real HTTP API (smoke,
// load, HTTP benchmark): a free loopback port, an admin token, optional persistence,
// and every line the Worker logs collected for the caller.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { buildDashboard } from "../build-dashboard.mjs";

/** An empty env file: given to wrangler, it loads that instead of `.dev.vars`. */
const NO_ENV_FILE = "/dev/null";

/**
 * The environment of every `wrangler dev` a script starts:
 * - no usage telemetry;
 * - no download of a sample `Request.cf` object from workers.cloudflare.com (without
 *   internet it prints a warning with a stack trace into the collected lines; locally
 *   targeting reads wrangler's placeholder instead);
 * - no debug log file: wrangler otherwise appends every line it prints, a line per
 *   request and per exposure among them, to a file under ~/.config/.wrangler/logs, one
 *   `appendFile` each. The scripts collect the lines themselves, the files grew by about
 *   17 MB a benchmark run, and the writing is CPU on the cores the Worker needs.
 */
export const SCRIPTED_WRANGLER_ENV = {
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_WRITE_LOGS: "false",
};

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts the Worker as `wrangler dev` does and resolves once it answers HTTP. By default
 * through wrangler's API (start-worker.mjs), with the V8 inspector off (no DevTools, and
 * no inspector traffic per console call) and without watching files: the CLI rebuilds
 * and restarts the Worker whenever a source or `dist/assets/` changes (another suite's
 * dashboard build, an edit), losing the events in flight. `inspector: true` starts the
 * CLI instead, for the inspector's port (`profile:http`). `minify: false` builds the
 * Worker unminified, whatever wrangler.toml says (a profile's function names).
 * @param {{ token?: string, persistTo?: string, vars?: Record<string,string>, config?: string, port?: number, quiet?: boolean, inspector?: boolean, minify?: boolean }} options
 */
export async function startWranglerDev(options = {}) {
  // wrangler.toml's [assets] directory must exist (npm install builds it; this covers a
  // deleted dist/). A config of its own (the baseline Worker) brings its own assets.
  if (!options.config) await buildDashboard();
  const port = options.port ?? (await freePort());
  // The scripts count calls and exposures from the debug headers.
  const vars = { DEBUG_HEADERS: "1", ...(options.token ? { ADMIN_TOKEN: options.token } : {}), ...options.vars };
  const inspectorPort = options.inspector === true ? await freePort() : null;
  const [command, args] =
    inspectorPort === null
      ? [
          process.execPath,
          [
            fileURLToPath(new URL("start-worker.mjs", import.meta.url)),
            JSON.stringify({
              config: options.config ?? "wrangler.toml",
              port,
              persistTo: options.persistTo,
              vars,
              minify: options.minify,
            }),
          ],
        ]
      : ["npx", wranglerDevArgs({ ...options, port, inspectorPort, vars })];
  const child = spawn(command, args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...SCRIPTED_WRANGLER_ENV },
    detached: true,
  });
  const lines = [];
  let partial = "";
  const collect = (chunk) => {
    partial += chunk.toString();
    const parts = partial.split("\n");
    partial = parts.pop() ?? "";
    for (const line of parts) {
      lines.push(line);
      if (!options.quiet) process.stderr.write(`  [wrangler] ${line}\n`);
    }
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const exited = new Promise((resolve) => child.once("exit", resolve));

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited early:\n${lines.join("\n")}`);
    try {
      await fetch(`${url}/v1/assign`, { method: "GET" });
      break;
    } catch {
      if (Date.now() > deadline) {
        stopProcessGroup(child);
        throw new Error(`wrangler dev did not answer within 60 s:\n${lines.join("\n")}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  return {
    url,
    /** The process that started it all (node, or npx with `inspector: true`), whose tree `processCpu` reads. */
    pid: child.pid,
    lines,
    /** The port of the Worker's V8 inspector (wrangler's proxy), for `npm run profile:http`; null unless `inspector: true`. */
    inspectorPort,
    /** Stops wrangler dev and everything it started (workerd), and waits for it. */
    async stop() {
      if (child.exitCode === null) {
        stopProcessGroup(child);
        const timer = setTimeout(() => stopProcessGroup(child, "SIGKILL"), 10_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

function wranglerDevArgs({ config, persistTo, port, inspectorPort, vars, minify }) {
  const args = [
    "wrangler",
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--inspector-port",
    String(inspectorPort),
  ];
  if (config) args.push("--config", config);
  if (persistTo) args.push("--persist-to", persistTo);
  if (minify === false) args.push("--no-minify");
  for (const [name, value] of Object.entries(vars)) args.push("--var", `${name}:${value}`);
  // The Worker sees only the vars given here, never a developer's .dev.vars (which
  // `npm run dev` creates with a STICKY_SECRET): an env file of its own replaces it.
  args.push("--env-file", NO_ENV_FILE);
  return args;
}

function stopProcessGroup(child, signal = "SIGTERM") {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}
