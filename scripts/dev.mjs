// `npm run dev [-- wrangler dev options]`: runs the Worker locally with zero set-up.
// Creates .dev.vars (the local ADMIN_TOKEN) from .dev.vars.example when it is missing,
// then hands over to `wrangler dev`, which embeds KV and Durable Objects (SQLite).
// It builds the dashboard first (src/dashboard → dist/assets, served at /dashboard/);
// after editing the dashboard, `npm run build:dashboard` and wrangler reloads the assets.
import { spawn } from "node:child_process";
import { copyFileSync, existsSync } from "node:fs";
import { buildDashboard } from "./build-dashboard.mjs";

if (!existsSync(".dev.vars")) {
  copyFileSync(".dev.vars.example", ".dev.vars");
  console.log("created .dev.vars from .dev.vars.example (ADMIN_TOKEN=dev-admin-token)");
}
await buildDashboard();
// Nothing here needs the internet, so wrangler is told not to reach for it (each
// variable can still be overridden from the calling shell):
// - CLOUDFLARE_CF_FETCH_ENABLED=false: miniflare otherwise downloads a sample
//   `Request.cf` object from https://workers.cloudflare.com/cf.json when it starts
//   (twice: once for wrangler's proxy, once for the Worker), and without internet it
//   prints a warning with a stack trace each time. Locally every request then carries
//   miniflare's built-in placeholder (country US, continent NA, colo DFW, asn 395747,
//   region_code TX), which targeting reads like any `request.cf` (README, "Targeting").
// - WRANGLER_SEND_METRICS=false: no usage telemetry from a development server (it
//   fails quietly without internet, but it is a request nobody here needs).
const env = {
  ...process.env,
  CLOUDFLARE_CF_FETCH_ENABLED: process.env.CLOUDFLARE_CF_FETCH_ENABLED ?? "false",
  WRANGLER_SEND_METRICS: process.env.WRANGLER_SEND_METRICS ?? "false",
};
// DEBUG_HEADERS=1: responses show X-Edge-Calls and X-Exposures locally (off in wrangler.toml).
const args = ["wrangler", "dev", "--var", "DEBUG_HEADERS:1", ...lastPortOnly(process.argv.slice(2))];
const child = spawn("npx", args, { stdio: "inherit", env });
child.on("exit", (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));

/**
 * The options with only the last `--port` (or `--port=N`): `npm run dev:consumer` names
 * 8788 and `npm run dev:consumer -- --port 8912` another, which wrangler would refuse as
 * two values.
 */
function lastPortOnly(options) {
  const spelled = options.flatMap((option) => (option.startsWith("--port=") ? ["--port", option.slice(7)] : [option]));
  const last = spelled.lastIndexOf("--port");
  return spelled.filter(
    (option, i) => !(option === "--port" && i !== last) && !(spelled[i - 1] === "--port" && i - 1 !== last),
  );
}
