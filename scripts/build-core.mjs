// Bundles src/core for scripts that run in Node (benchmarks): the core is written for
// bundlers (extensionless imports), so Node imports this single ES module instead.
import { build } from "esbuild";

/** Builds src/core/index.ts into `outfile` and returns its file URL. */
export async function buildCore(outfile = ".bench/core.mjs") {
  await build({
    entryPoints: ["src/core/index.ts"],
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2024",
    outfile,
    logLevel: "warning",
  });
  return new URL(`../${outfile}`, import.meta.url).href;
}
