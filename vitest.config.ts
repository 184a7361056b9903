import { existsSync, readFileSync } from "node:fs";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Integration tests read configs fresh unless a test asks for the cache, count their
// remote calls through the debug headers, and wait for a request's events (its
// waitUntil) for a short window rather than the default second.
const TEST_BINDINGS = {
  ADMIN_TOKEN: "test-admin-token",
  CONFIG_CACHE_TTL_MS: "0",
  DEBUG_HEADERS: "1",
  EVENTS_FLUSH_MS: "50",
};

/**
 * Every var a local `.dev.vars` declares that the tests do not set themselves, set to
 * "" (which the Worker reads as unset). The plugin, like `wrangler dev`, loads
 * `.dev.vars`, and `npm run dev` creates one with a `STICKY_SECRET`: without this, the
 * tests would see sticky tokens they never asked for once a developer had run the
 * Worker. A test that needs a secret sets it on its own env.
 */
function devVarsUnset(): Record<string, string> {
  if (!existsSync(".dev.vars")) return {};
  const names = readFileSync(".dev.vars", "utf8")
    .split("\n")
    .map((line) => /^\s*(?:export\s+)?([A-Za-z_][\w.-]*)\s*=/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined && !(name in TEST_BINDINGS));
  return Object.fromEntries(names.map((name) => [name, ""]));
}

// biome-ignore lint/style/noDefaultExport: Vitest loads its config from the default export.
export default defineConfig({
  test: {
    projects: [
      {
        // The engine and the Worker, inside workerd with real KV and Durable Objects.
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            // TEST_ARCHIVE: an R2 bucket the archive's tests pass as EVENTS_ARCHIVE; the Worker
            // itself runs without one, as by default.
            miniflare: { bindings: { ...devVarsUnset(), ...TEST_BINDINGS }, r2Buckets: ["TEST_ARCHIVE"] },
          }),
        ],
        test: { name: "workers", include: ["test/unit/**/*.test.ts", "test/integration/**/*.test.ts"] },
      },
      {
        // Build-time tooling that needs Node (the OpenAPI generator and validator).
        test: { name: "node", include: ["test/node/**/*.test.ts"], environment: "node" },
      },
      {
        // The dashboard in Debian's Chromium (playwright-core) against `wrangler dev`.
        test: { name: "browser", include: ["test/browser/**/*.test.ts"], environment: "node" },
      },
    ],
  },
});
