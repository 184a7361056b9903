// `npm run bench:http [-- --duration 10 --connections 10]`: the project's Worker and a
// minimal baseline Worker (scripts/baseline/, deployed the same way: static assets beside
// it, the API's paths running the Worker first) under the same local runtime (wrangler
// dev, started through its API with the V8 inspector off, as no DevTools is attached in
// production: scripts/lib/start-worker.mjs), each driven by autocannon on loopback,
// scenario by scenario. Reports requests/s, p50/p99 latency and
// their ratios to the baseline measured right before each scenario; the remote calls per request,
// counted from every response's X-Edge-Calls header; where each request's CPU went, by
// process (scripts/lib/process-cpu.mjs); the deployable bundle's gzip size;
// and a cost per million assignments from those counts. Also the example consumer Worker
// (examples/consumer-worker) assigning through its RPC service binding, and the same
// consumer assigning through a fetch to the public route.
import { execFileSync, spawn } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import autocannon from "autocannon";
import { client, countedTotals, eventually, FIFTY_FIFTY, runningAndConcluded } from "./lib/client.mjs";
import { costPerMillion, PRICES } from "./lib/prices.mjs";
import { perRequest, processCpu, runtimeQuiet } from "./lib/process-cpu.mjs";
import { freePort, SCRIPTED_WRANGLER_ENV, startWranglerDev } from "./lib/wrangler-dev.mjs";

const { values: args } = parseArgs({
  options: {
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "10" },
    // Locally every exposure line travels from workerd through wrangler's Node process to
    // be printed, which production Workers Logs does outside the request: this measures
    // the Worker with the consumer's lines off (EXPOSURE_LOG=off; the counts stay).
    "no-exposure-log": { type: "boolean", default: false },
  },
});
const duration = Number(args.duration);
const connections = Number(args.connections);
const TOKEN = "bench-admin-token";
const WARM_ACTORS = 1000;
const persistTo = mkdtempSync(join(tmpdir(), "edge-experiments-bench-"));
const consumerState = mkdtempSync(join(tmpdir(), "edge-experiments-bench-consumer-"));

console.log(
  `bench:http: ${duration} s per scenario, ${connections} connections, loopback` +
    `${args["no-exposure-log"] ? ", EXPOSURE_LOG=off" : ""}\n`,
);
// The object path is measured with the isolate's sticky cache off, so that a warm actor
// still costs its Durable Object call; the cache and the sticky token get their own
// scenarios (the token with the cache still off, the cache hit last, after a restart
// with it on).
const STICKY_SECRET = "bench-sticky-secret";
const logVars = args["no-exposure-log"] ? { EXPOSURE_LOG: "off" } : {};
const uncached = { STICKY_SECRET, STICKY_CACHE_SIZE: "0", ...logVars };
let app = await startWranglerDev({ token: TOKEN, persistTo, quiet: true, inspector: false, vars: uncached });
const baseline = await startWranglerDev({ config: "scripts/baseline/wrangler.toml", quiet: true, inspector: false });
let consumer = null;

try {
  const api = client(app.url, TOKEN);
  const batch = Array.from({ length: 10 }, (_, i) => `bench-batch-${i}`);
  await runningAndConcluded(api, ["bench-running", ...batch], "bench-concluded");
  // A metric on the running experiment, so that the tracked events are attributed (an
  // actor-object call per actor and batch in the consumer), not dropped unheard.
  await api.define("bench-running", { ...FIFTY_FIFTY, metrics: [{ name: "purchase", kind: "sum" }] });
  for (let i = 0; (await api.list()).experiments.length < 50; i++) {
    await api.define(`bench-draft-${i}`, FIFTY_FIFTY);
  }
  // The consumer runs in one process with its own copy of the assignment Worker, as in
  // production a service binding's callee runs beside its caller (started by the CLI,
  // which alone runs two configs in one process: its inspector stays on); that copy starts from
  // these configs, copied while the assignment Worker is stopped. Its `via=http` mode
  // fetches the public route of the assignment Worker that the other scenarios measure.
  await app.stop();
  cpSync(persistTo, consumerState, { recursive: true });
  const port = Number(new URL(app.url).port);
  app = await startWranglerDev({ token: TOKEN, persistTo, quiet: true, inspector: false, port, vars: uncached });
  consumer = await startConsumer(consumerState, app.url);
  /** Each warm actor's sticky token, as its browser would keep the cookie. */
  const tokens = [];
  for (let i = 0; i < WARM_ACTORS; i += 50) {
    await Promise.all(
      Array.from({ length: 50 }, (_, j) => [
        api
          .request("assignBatch", { body: { actor: `warm:${i + j}`, experiments: ["bench-running", ...batch] } })
          .then((r) => {
            tokens[i + j] = r.headers.get("x-experiment-sticky");
          }),
        fetch(`${consumer.url}/?experiment=bench-running&actor=warm:${i + j}`),
      ]).flat(),
    );
  }
  if (tokens.filter(Boolean).length !== WARM_ACTORS)
    throw new Error("the warm-up did not hand out a sticky token per actor");
  // The warm-up made 22,000 events; let the queue's consumer count them before anything
  // is measured, or it would compete for the CPU with the first scenarios.
  await drained(api, [...batch, "bench-running"], (counts) => counts.enrolled >= WARM_ACTORS);

  const randomWarm = () => `warm:${Math.floor(Math.random() * WARM_ACTORS)}`;
  let tokenActor = 0;
  let fresh = 0;
  const runId = Date.now().toString(36);
  const scenarios = [
    { name: "concluded experiment", path: () => `/v1/assign/bench-concluded?actor=${randomWarm()}` },
    { name: "running, warm actors", path: () => `/v1/assign/bench-running?actor=${randomWarm()}` },
    { name: "running, first assignment", path: () => `/v1/assign/bench-running?actor=new:${runId}:${fresh++}` },
    {
      // The request's own path: the consumer drops an event no metric listens to unread by any object.
      name: "track, event nobody counts",
      method: "POST",
      path: () => "/v1/track",
      body: () => JSON.stringify({ actor: randomWarm(), events: [{ event: "page_view" }] }),
    },
    {
      // And with its attribution: the consumer's call to each actor's object and the stats
      // object's, which locally share the runtime (and its two cores) with the requests.
      name: "track, one event counted",
      method: "POST",
      path: () => "/v1/track",
      body: () => JSON.stringify({ actor: randomWarm(), events: [{ event: "purchase", value: 1 }] }),
    },
    {
      name: "batch of 10 running",
      method: "POST",
      path: () => "/v1/assign",
      body: () => JSON.stringify({ actor: randomWarm(), experiments: batch }),
    },
    {
      name: "running, repeat visitor with token",
      // The next warm actor, request after request, with its own token.
      path: () => {
        tokenActor = (tokenActor + 1) % WARM_ACTORS;
        return `/v1/assign/bench-running?actor=warm:${tokenActor}`;
      },
      headers: () => ({ "x-experiment-sticky": tokens[tokenActor] }),
    },
    {
      name: "consumer, RPC binding",
      path: () => `/?experiment=bench-running&actor=${randomWarm()}`,
      consumer: true,
    },
    {
      name: "consumer, HTTP route",
      path: () => `/?experiment=bench-running&actor=${randomWarm()}&via=http`,
      consumer: true,
    },
    {
      name: "admin list, 50 experiments",
      path: () => "/v1/admin/experiments",
      headers: { authorization: `Bearer ${TOKEN}` },
      admin: true,
    },
  ];

  const results = [];
  const experiments = [...batch, "bench-running"];
  // Each scenario starts with the queue's consumer idle: the events of the one before
  // (the batch scenario makes ten a request) must not compete with it for the CPU.
  await settled(api, experiments);
  for (const scenario of scenarios) {
    // The consumer's scenarios count both trees: its `via=http` mode calls this app.
    const servers = scenario.consumer ? [consumer, app] : [app];
    results.push(await againstBaseline(scenario, servers, () => settled(api, experiments)));
  }
  // The isolate's sticky cache on (its default), warmed with every warm actor once.
  await app.stop();
  app = await startWranglerDev({
    token: TOKEN,
    persistTo,
    quiet: true,
    inspector: false,
    port,
    vars: { STICKY_SECRET, ...logVars },
  });
  const before = await countedTotals(api, "bench-running");
  for (let i = 0; i < WARM_ACTORS; i += 50) {
    await Promise.all(Array.from({ length: 50 }, (_, j) => api.assign("bench-running", { actor: `warm:${i + j}` })));
  }
  await drained(api, ["bench-running"], (counts) => counts.exposures >= before.exposures + WARM_ACTORS);
  results.push(
    await againstBaseline(
      { name: "running, isolate cache hit", path: () => `/v1/assign/bench-running?actor=${randomWarm()}` },
      [app],
      () => settled(api, ["bench-running"]),
    ),
  );
  report(results);
  console.log(`\nbundle: ${bundleGzipKiB().toFixed(1)} KiB gzipped (wrangler deploy --dry-run)`);
} finally {
  await app.stop();
  await baseline.stop();
  await consumer?.stop();
  rmSync(persistTo, { recursive: true, force: true });
  rmSync(consumerState, { recursive: true, force: true });
}

/** Waits (at most a minute) until every experiment's counts satisfy `done`: the events queue has drained. */
async function drained(api, experiments, done) {
  const ok = await eventually(async () => {
    for (const experiment of experiments) if (!done(await countedTotals(api, experiment))) return false;
    return true;
  }, 60_000);
  if (!ok) throw new Error("the events queue did not drain within a minute");
}

/** Waits (at most a minute) until the counted exposures and metric sums stop changing: the consumer has caught up. */
async function settled(api, experiments) {
  const total = async () => {
    let sum = 0;
    for (const experiment of experiments) {
      const counted = await countedTotals(api, experiment);
      sum += counted.exposures + counted.tracked;
    }
    return sum;
  };
  let last = await total();
  let stableSince = Date.now();
  const deadline = Date.now() + 60_000;
  // The isolate's event window (1 s) plus the queue's batch timeout (1 s), with room to spare.
  while (Date.now() - stableSince < 3000 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = await total();
    if (now !== last) {
      last = now;
      stableSince = Date.now();
    }
  }
}

/**
 * The scenario, right after the baseline Worker for as long: each ratio is to the
 * baseline measured next to it, so that the machine's drift over the run (a shared
 * VM's speed changes by minutes) does not count against the scenarios measured last.
 * Each server's CPU is read around its run, the scenario's until its runtime is quiet
 * again (the events queue's consumer has counted and logged what the run sent), so that
 * the work a request leaves behind counts against it; off Linux, `settle` (which asks the
 * Worker for its counts) waits for the consumer instead.
 */
async function againstBaseline(scenario, servers, settle) {
  const base = await withCpu([baseline], () => measure({ name: "baseline", path: () => "/v1/baseline" }, baseline.url));
  // The consumer's copy of the assignment Worker prints into the consumer's output, which is not kept.
  const from = scenario.consumer ? null : servers[0].lines.length;
  const result = await withCpu(servers, () => measure(scenario, servers[0].url), settle);
  const printed = from === null ? null : servers[0].lines.slice(from).filter(isExposureLine).length;
  return { ...result, base, printed };
}

function isExposureLine(line) {
  return line.includes('"event":"experiment_exposure"');
}

/**
 * `run`'s result with `cpu`: the servers' CPU milliseconds per response by process role,
 * summed over the servers, counted until their runtimes are quiet again (off Linux,
 * `null`, and `settle` waits instead).
 */
async function withCpu(servers, run, settle = async () => {}) {
  const sampler = processCpu(servers);
  if (sampler === null) {
    const result = await run();
    await settle();
    return { ...result, cpu: null };
  }
  const before = sampler.sample();
  const result = await run();
  await runtimeQuiet(sampler);
  return { ...result, cpu: perRequest(before, sampler.sample(), result.responses) };
}

async function measure(scenario, url) {
  const calls = { kv: 0, actor: 0, registry: 0, exposures: 0, responses: 0, non2xx: 0 };
  const result = await autocannon({
    url,
    connections,
    duration,
    requests: [
      {
        method: scenario.method ?? "GET",
        headers: { "content-type": "application/json" },
        setupRequest: (request) => {
          const path = scenario.path();
          const headers = typeof scenario.headers === "function" ? scenario.headers() : scenario.headers;
          return { ...request, path, body: scenario.body?.(), headers: { ...request.headers, ...headers } };
        },
        onResponse: (status, _body, _context, headers) => {
          calls.responses++;
          // The consumer answers 200 either way; a failed assignment is its X-Experiment-Error.
          if (status < 200 || status > 299 || headers["x-experiment-error"]) calls.non2xx++;
          for (const pair of (headers["x-edge-calls"] ?? "").split(", ")) {
            const [key, value] = pair.split("=");
            if (key in calls) calls[key] += Number(value);
          }
          calls.exposures += Number(headers["x-exposures"] ?? 0);
        },
      },
    ],
  });
  const per = (n) => (calls.responses === 0 ? 0 : n / calls.responses);
  return {
    name: scenario.name,
    admin: scenario.admin === true,
    consumer: scenario.consumer === true,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: calls.non2xx,
    responses: calls.responses,
    calls: {
      kv: per(calls.kv),
      actor: per(calls.actor),
      registry: per(calls.registry),
      exposures: per(calls.exposures),
    },
  };
}

function report(results) {
  const pad = (text, n) => String(text).padStart(n);
  const bases = results.map((r) => r.base.rps);
  console.log(
    `baseline (minimal Worker, deployed like this one), measured before each scenario: ${Math.min(...bases).toFixed(0)}–${Math.max(...bases).toFixed(0)} req/s\n`,
  );
  console.log(
    `${"scenario".padEnd(36)}${pad("req/s", 7)}${pad("base", 6)}${pad("p50 ms", 8)}${pad("p99 ms", 8)}${pad("rps ratio", 11)}${pad("p99 ratio", 11)}${pad("errors", 8)}  per request (kv, actor, registry, exposures)  $/M`,
  );
  for (const r of results) {
    // The consumer's answers carry no X-Edge-Calls: the assignment Worker's calls are not visible there.
    const calls = r.consumer
      ? "-"
      : `${r.calls.kv.toFixed(3)}, ${r.calls.actor.toFixed(3)}, ${r.calls.registry.toFixed(3)}, ${r.calls.exposures.toFixed(1)}`;
    const cost =
      r.admin || r.consumer ? "" : costPerMillion({ ...r.calls, logged: !args["no-exposure-log"] }).toFixed(3);
    console.log(
      `${r.name.padEnd(36)}${pad(r.rps.toFixed(0), 7)}${pad(r.base.rps.toFixed(0), 6)}${pad(r.p50, 8)}${pad(r.p99, 8)}${pad(ratio(r).toFixed(2), 11)}${pad((r.p99 / r.base.p99).toFixed(2), 11)}${pad(r.errors + r.non2xx, 8)}  ${calls.padEnd(44)}  ${cost}`,
    );
  }
  if (results.every((r) => r.cpu && r.base.cpu)) reportCpu(results);
  const target = (name) => results.find((r) => r.name === name);
  const checks = [
    ["concluded >= 0.8x baseline req/s", ratio(target("concluded experiment")) >= 0.8],
    ["warm running >= 0.5x baseline req/s", ratio(target("running, warm actors")) >= 0.5],
    ["batch of 10 >= 0.4x baseline req/s", ratio(target("batch of 10 running")) >= 0.4],
    [
      "consumer: RPC binding >= HTTP route req/s",
      target("consumer, RPC binding").rps >= target("consumer, HTTP route").rps,
    ],
    ["repeat visitor with token >= 0.8x baseline req/s", ratio(target("running, repeat visitor with token")) >= 0.8],
    ["isolate cache hit >= 0.8x baseline req/s", ratio(target("running, isolate cache hit")) >= 0.8],
    [
      "repeat visitor with token and cache hit: 0 actor calls",
      target("running, repeat visitor with token").calls.actor === 0 &&
        target("running, isolate cache hit").calls.actor === 0,
    ],
    ...results.filter((r) => !r.admin).map((r) => [`${r.name}: p99 <= 3x baseline p99`, r.p99 <= 3 * r.base.p99]),
    // That the Worker did the work measured: with the lines on, every exposure answered was
    // printed (at least once: a redelivered batch prints again); off, none was.
    ...results
      .filter((r) => r.printed !== null && r.calls.exposures > 0)
      .map((r) => {
        const answered = Math.round(r.calls.exposures * r.responses);
        return args["no-exposure-log"]
          ? [`${r.name}: no exposure line printed (${r.printed})`, r.printed === 0]
          : [`${r.name}: ${r.printed} exposure lines printed for ${answered} exposures`, r.printed >= answered];
      }),
  ];
  console.log("\ntargets:");
  for (const [what, met] of checks) console.log(`  ${met ? "met   " : "MISSED"} ${what}`);
  console.log(
    `\nprices: Worker request $${PRICES.workerRequestPerMillion}/M, Durable Object request $${PRICES.durableObjectRequestPerMillion}/M, KV read $${PRICES.kvReadPerMillion}/M, log event (one per exposure line${args["no-exposure-log"] ? ", none with EXPOSURE_LOG=off" : ""}) $${PRICES.logEventPerMillion}/M, events queue per exposure (scripts/lib/prices.mjs)`,
  );
}

/**
 * Where each request's CPU went, by process (process-cpu.mjs): production runs only the
 * runtime's share, so the baseline's runtime CPU over the scenario's is the throughput
 * ratio that the Worker's own work would allow.
 */
function reportCpu(results) {
  const pad = (text, n) => String(text).padStart(n);
  const pair = (r, role) => `${r.base.cpu[role].toFixed(2)} → ${r.cpu[role].toFixed(2)}`;
  console.log(
    "\nCPU ms per request by process, baseline → scenario (the scenario's until its runtime is quiet, the events consumer done):",
  );
  console.log(
    `${"scenario".padEnd(36)}${pad("runtime", 14)}${pad("proxy", 14)}${pad("wrangler", 14)}${pad("runtime ratio", 15)}`,
  );
  for (const r of results) {
    console.log(
      `${r.name.padEnd(36)}${pad(pair(r, "runtime"), 14)}${pad(pair(r, "proxy"), 14)}${pad(pair(r, "wrangler"), 14)}${pad((r.base.cpu.runtime / r.cpu.runtime).toFixed(2), 15)}`,
    );
  }
  console.log(
    "  runtime: the workerd running the Worker, its objects and its queue consumer (all production has);\n" +
      "  proxy: wrangler's workerd in front of it; wrangler: its Node process, which prints the log lines",
  );
}

/** A scenario's requests per second against its own baseline's. */
function ratio(result) {
  return result.rps / result.base.rps;
}

/**
 * The example consumer Worker with the assignment Worker in one `wrangler dev` process,
 * the consumer first (the one served), as docs/rpc.md describes; `startWranglerDev`
 * starts a single config. Its own dev registry, so that neither Worker is confused with
 * another session's.
 */
async function startConsumer(state, assignUrl) {
  const port = await freePort();
  const registry = mkdtempSync(join(tmpdir(), "edge-experiments-bench-registry-"));
  const args = ["wrangler", "dev", "-c", "examples/consumer-worker/wrangler.toml", "-c", "wrangler.toml"];
  args.push("--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(await freePort()));
  args.push("--persist-to", state, "--var", `ASSIGN_URL:${assignUrl}`);
  const child = spawn("npx", args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...SCRIPTED_WRANGLER_ENV, WRANGLER_REGISTRY_PATH: registry },
    detached: true,
  });
  let output = "";
  const keep = (chunk) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const stop = async () => {
    if (child.exitCode === null) {
      process.kill(-child.pid, "SIGTERM");
      await exited;
    }
    rmSync(registry, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 60_000; ; ) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`the consumer did not start:\n${output}`);
    }
    const probe = await fetch(`${url}/?experiment=bench-running&actor=warm:0`).catch(() => null);
    if (probe?.headers.has("x-variant")) return { url, pid: child.pid, stop };
    await new Promise((r) => setTimeout(r, 250));
  }
}

function bundleGzipKiB() {
  const outdir = mkdtempSync(join(tmpdir(), "edge-experiments-bundle-"));
  try {
    execFileSync("npx", ["wrangler", "deploy", "--dry-run", "--outdir", outdir], { stdio: "ignore" });
    const files = readdirSync(outdir).filter((f) => f.endsWith(".js"));
    return files.reduce((sum, f) => sum + gzipSync(readFileSync(join(outdir, f))).length, 0) / 1024;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
