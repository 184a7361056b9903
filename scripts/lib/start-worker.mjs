// `wrangler dev` without its inspector and without watching files, for the scripts and
// tests (startWranglerDev): wrangler's API (`unstable_startWorker`), which the CLI drives
// too, with `dev.inspector: false` and `dev.watch: false`, switches the CLI does not offer.
// The inspector is DevTools' connection to the Worker;
// while it is on, every console call in the Worker is also an inspector message, which
// wrangler's proxy parses and keeps until a DevTools window drains it (wrangler 4.156,
// InspectorProxyWorker.runtimeMessageBuffer): about 0.3-0.4 ms of local CPU per exposure
// line that a deployed Worker does not spend. The Worker's output is still printed.
//
// Usage (by startWranglerDev): node start-worker.mjs '<json: {config, port, persistTo, vars, minify?}>'
import { unstable_startWorker } from "wrangler";

const { config, port, persistTo, vars, minify } = JSON.parse(process.argv[2]);
const bindings = Object.fromEntries(Object.entries(vars).map(([name, value]) => [name, { type: "plain_text", value }]));
const worker = await unstable_startWorker({
  config,
  bindings,
  // Only the vars given, never a developer's .dev.vars (see wrangler-dev.mjs).
  envFiles: ["/dev/null"],
  ...(minify === false ? { build: { minify: false } } : {}),
  dev: { server: { hostname: "127.0.0.1", port }, inspector: false, persist: persistTo, watch: false },
});
await worker.ready;

const stop = async () => {
  await worker.dispose();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
