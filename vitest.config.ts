import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// biome-ignore lint/style/noDefaultExport: Vitest loads its config from the default export.
export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        // Integration tests read configs fresh unless a test asks for the cache.
        bindings: { ADMIN_TOKEN: "test-admin-token", CONFIG_CACHE_TTL_MS: "0" },
        // A real local queue for the exposure-queue test, under a name the Worker does not
        // read, so every other test keeps the default console sink.
        queueProducers: { TEST_EXPOSURE_QUEUE: "test-exposures" },
      },
    }),
  ],
  test: { include: ["test/**/*.test.ts"] },
});
