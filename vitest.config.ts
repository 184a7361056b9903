import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// biome-ignore lint/style/noDefaultExport: Vitest loads its config from the default export.
export default defineConfig({
  test: {
    projects: [
      {
        // The engine and the Worker, inside workerd with real KV and Durable Objects.
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              // Integration tests read configs fresh unless a test asks for the cache, count
              // their remote calls through the debug headers, and wait for a request's
              // events (its waitUntil) for a short window rather than the default second.
              bindings: {
                ADMIN_TOKEN: "test-admin-token",
                CONFIG_CACHE_TTL_MS: "0",
                DEBUG_HEADERS: "1",
                EVENTS_FLUSH_MS: "50",
              },
            },
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
