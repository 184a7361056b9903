// `npm run dev [-- wrangler dev options]`: runs the Worker locally with zero set-up.
// Creates .dev.vars (the local ADMIN_TOKEN) from .dev.vars.example when it is missing,
// then hands over to `wrangler dev`, which embeds KV and Durable Objects (SQLite).
import { spawn } from "node:child_process";
import { copyFileSync, existsSync } from "node:fs";

if (!existsSync(".dev.vars")) {
  copyFileSync(".dev.vars.example", ".dev.vars");
  console.log("created .dev.vars from .dev.vars.example (ADMIN_TOKEN=dev-admin-token)");
}
const child = spawn("npx", ["wrangler", "dev", ...process.argv.slice(2)], { stdio: "inherit" });
child.on("exit", (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
