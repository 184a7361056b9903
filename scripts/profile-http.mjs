// `npm run profile:http [-- --path /v1/assign/bench?actor={actor} --seconds 8 --token]`: where an
// answer's CPU goes in the Worker's isolate. Starts `wrangler dev`, defines a running
// experiment `bench` (and a concluded one, `bench-concluded`), warms 1,000 actors, then
// drives the path with autocannon while V8's sampling profiler runs in the isolate
// (through wrangler's inspector), and prints the functions with the most self time.
// `{actor}` in the path is replaced by a random warm actor per request.
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { client, runningAndConcluded } from "./lib/client.mjs";
import { startWranglerDev } from "./lib/wrangler-dev.mjs";

const { values: args } = parseArgs({
  options: {
    path: { type: "string", default: "/v1/assign/bench?actor={actor}" },
    seconds: { type: "string", default: "8" },
    top: { type: "string", default: "30" },
    // Each request presents its actor's sticky token (X-Experiment-Sticky), as a repeat
    // visitor's client does: the token path instead of the isolate's sticky cache.
    token: { type: "boolean", default: false },
  },
});
const TOKEN = "profile-admin-token";
const WARM_ACTORS = 1000;

// With --token, the isolate's sticky cache is off, so that the token answers.
const vars = { STICKY_SECRET: "profile-sticky-secret", ...(args.token ? { STICKY_CACHE_SIZE: "0" } : {}) };
// Unminified, so that the profile names our functions.
const app = await startWranglerDev({ token: TOKEN, quiet: true, vars, minify: false, inspector: true });
try {
  const api = client(app.url, TOKEN);
  await runningAndConcluded(api, ["bench"], "bench-concluded");
  /** Each warm actor's sticky token, by actor. */
  const tokens = new Map();
  for (let i = 0; i < WARM_ACTORS; i += 50) {
    await Promise.all(
      Array.from({ length: 50 }, async (_, j) => {
        const actor = `warm:${i + j}`;
        const answer = await api.request("assign", { params: { experiment: "bench" }, query: { actor } });
        tokens.set(actor, answer.headers.get("x-experiment-sticky"));
      }),
    );
  }

  const inspector = await connectInspector(app.inspectorPort);
  await inspector.send("Profiler.enable");
  await inspector.send("Profiler.setSamplingInterval", { interval: 100 });
  await inspector.send("Profiler.start");
  const warmActor = () => `warm:${Math.floor(Math.random() * WARM_ACTORS)}`;
  const load = await autocannon({
    url: app.url,
    connections: 10,
    duration: Number(args.seconds),
    requests: [
      {
        setupRequest: (request) => {
          const actor = warmActor();
          const token = args.token ? { "x-experiment-sticky": tokens.get(actor) } : {};
          return {
            ...request,
            path: args.path.replaceAll("{actor}", actor),
            headers: { ...request.headers, ...token },
          };
        },
      },
    ],
  });
  const { profile } = await inspector.send("Profiler.stop");
  inspector.close();
  console.log(`${args.path}: ${load.requests.average.toFixed(0)} req/s while profiled (the profiler slows it)\n`);
  printSelfTime(profile, Number(args.top));
} finally {
  await app.stop();
}

/** A Chrome DevTools Protocol session with the Worker's isolate, through wrangler's inspector proxy. */
async function connectInspector(port) {
  const [target] = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
  // wrangler's proxy accepts local origins only.
  const socket = new WebSocket(target.webSocketDebuggerUrl, { headers: { Origin: "http://localhost" } });
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve, { once: true });
    socket.addEventListener("error", () => reject(new Error("could not connect to the inspector")), { once: true });
  });
  let nextId = 0;
  const pending = new Map();
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    pending.get(message.id)?.(message.result);
    pending.delete(message.id);
  });
  return {
    send(method, params = {}) {
      const id = ++nextId;
      socket.send(JSON.stringify({ id, method, params }));
      return new Promise((resolve) => pending.set(id, resolve));
    },
    close: () => socket.close(),
  };
}

/** Self time by function (name, bundle file and line), as shares of all samples. */
function printSelfTime(profile, top) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  for (const id of profile.samples) {
    const { functionName, url, lineNumber } = nodes.get(id).callFrame;
    const key = `${functionName || "(anonymous)"} ${url ? `${url.split("/").pop()}:${lineNumber + 1}` : ""}`;
    self.set(key, (self.get(key) ?? 0) + 1);
  }
  const total = profile.samples.length;
  for (const [key, count] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((100 * count) / total).toFixed(1).padStart(5)} %  ${key}`);
  }
}
