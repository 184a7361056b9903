// `npm run build:cli` (and `prepare`, so every `npm install` / `npm ci` runs it): bundles
// `expctl` (src/cli, with commander, yaml, valibot and the typed client) into one ES
// module, dist/expctl.mjs, that Node 20 or newer runs without a TypeScript loader and
// without node_modules. package.json's "bin" points at it, so `npx expctl` works in
// this repository right after an install. dist/ is git-ignored: the build is a product
// of the source, never edited or committed.
import { chmodSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

export const CLI_OUTFILE = "dist/expctl.mjs";

/**
 * Builds the CLI into `outfile` and returns its size in bytes.
 * @param {string} [outfile]
 */
export async function buildCli(outfile = CLI_OUTFILE) {
  await build({
    entryPoints: [fileURLToPath(new URL("../src/cli/node.mjs", import.meta.url))],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile,
    minify: true,
    legalComments: "eof",
    banner: {
      // commander 14 is CommonJS and `require`s Node's built-ins, which an ES module has
      // no `require` for: give the bundle one.
      js: "#!/usr/bin/env node\nimport { createRequire as __expctlRequire } from 'node:module';\nconst require = __expctlRequire(import.meta.url);",
    },
    logLevel: "warning",
  });
  chmodSync(outfile, 0o755);
  return statSync(outfile).size;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outfile = process.argv[2] ?? CLI_OUTFILE;
  const size = await buildCli(outfile);
  console.log(`expctl: ${outfile}, ${(size / 1024).toFixed(1)} KiB`);
}
