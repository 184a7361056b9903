// Bundles the project's TypeScript for scripts that run in Node (benchmarks,
// measurements, the OpenAPI generator): the source is written for bundlers
// (extensionless imports), so Node imports one bundled ES module instead.
import { build } from "esbuild";

/**
 * Bundles `entry` (a path, or `{ contents }` of a module written at the repository's
 * root) into `outfile` under `.bench/`, and returns the file URL to `import()`.
 * @param {string | { contents: string }} entry
 * @param {string} outfile
 * @param {{ external?: string[] }} [options]
 */
export async function bundleForNode(entry, outfile, options = {}) {
  const input =
    typeof entry === "string" ? { entryPoints: [entry] } : { stdin: { ...entry, resolveDir: ".", loader: "ts" } };
  await build({
    ...input,
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2024",
    outfile,
    external: options.external ?? [],
    logLevel: "warning",
  });
  return new URL(`../../${outfile}`, import.meta.url).href;
}

/** src/core, bundled into `outfile`. */
export function buildCore(outfile = ".bench/core.mjs") {
  return bundleForNode("src/core/index.ts", outfile);
}
