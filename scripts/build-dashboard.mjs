// `npm run build:dashboard` (and `prepare`, so every `npm install` / `npm ci` runs it;
// `npm run dev` and the browser test run it too): builds the operators' dashboard, and
// places the OpenAPI document, into dist/assets/, the directory that wrangler.toml's
// [assets] serves beside the Worker:
//
//   dist/assets/_headers                   security headers for every asset (CSP, no framing)
//   dist/assets/openapi.json               docs/openapi.json (written by `npm run openapi`), at /openapi.json
//   dist/assets/dashboard/index.html       the page, at /dashboard/
//   dist/assets/dashboard/dashboard.js     src/dashboard/main.ts and the typed client, one ES module
//   dist/assets/dashboard/dashboard.css    src/dashboard/styles.css
//   dist/assets/dashboard/favicon.svg      src/dashboard/favicon.svg
//
// Nothing comes from a CDN: no fonts (the system font stack), no libraries at run time.
// A file is written only when its content changed, and then through a rename, so a
// `wrangler dev` already serving the directory (another test, `npm run dev`) never
// reads half a file and is not reloaded for nothing. dist/ is git-ignored.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SOURCE = join(ROOT, "src/dashboard");
export const ASSETS_DIR = join(ROOT, "dist/assets");

/**
 * Workers Static Assets applies these to the files it serves (not to the Worker's own
 * answers). The OpenAPI document is public, so any origin may read it (a Swagger UI
 * elsewhere, say). The page loads only its own script and style sheet and talks only to its
 * own origin; it builds every element through the DOM, so it needs no inline script or
 * style attribute.
 */
const HEADERS = `/openapi.json
  Access-Control-Allow-Origin: *
  X-Content-Type-Options: nosniff
/dashboard/*
  Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'
  X-Content-Type-Options: nosniff
  X-Frame-Options: DENY
  Referrer-Policy: no-referrer
`;

/**
 * Builds the dashboard into `outDir` and returns the files it holds, with their sizes.
 * @param {string} [outDir]
 * @returns {Promise<{ path: string, bytes: number, written: boolean }[]>}
 */
export async function buildDashboard(outDir = ASSETS_DIR) {
  const result = await build({
    entryPoints: { dashboard: join(SOURCE, "main.ts") },
    bundle: true,
    platform: "browser",
    format: "esm",
    // Browsers of the last two years: native <dialog>, :focus-visible, optional chaining.
    target: ["chrome111", "firefox111", "safari16.4"],
    minify: true,
    legalComments: "none",
    write: false,
    outdir: "out",
    logLevel: "warning",
  });
  const js = result.outputFiles.find((file) => file.path.endsWith(".js"));
  if (js === undefined) throw new Error("esbuild produced no JavaScript");
  const css = await build({
    entryPoints: [join(SOURCE, "styles.css")],
    bundle: true,
    minify: true,
    write: false,
    outfile: "out.css",
    logLevel: "warning",
  });
  const [sheet] = css.outputFiles;
  if (sheet === undefined) throw new Error("esbuild produced no CSS");

  const files = new Map([
    ["_headers", HEADERS],
    // Served as a file rather than bundled into the Worker, whose size it would be a third of.
    ["openapi.json", readFileSync(join(ROOT, "docs/openapi.json"), "utf8")],
    ["dashboard/index.html", readFileSync(join(SOURCE, "index.html"), "utf8")],
    ["dashboard/favicon.svg", readFileSync(join(SOURCE, "favicon.svg"), "utf8")],
    ["dashboard/dashboard.js", js.text],
    ["dashboard/dashboard.css", sheet.text],
  ]);
  const written = [];
  for (const [path, content] of files) written.push({ path, ...writeIfChanged(join(outDir, path), content) });
  // A file left from an earlier build (a renamed asset) would still be served: remove it.
  // (A `.tmp` file is another build's, about to be renamed: not stale.)
  for (const stale of listFiles(outDir)) {
    const path = relative(outDir, stale).split("\\").join("/");
    if (!files.has(path) && !path.endsWith(".tmp")) rmSync(stale, { force: true });
  }
  return written;
}

function writeIfChanged(path, content) {
  const bytes = Buffer.byteLength(content);
  try {
    if (readFileSync(path, "utf8") === content) return { bytes, written: false };
  } catch {
    // not there yet
  }
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
  return { bytes, written: true };
}

function listFiles(dir) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = await buildDashboard();
  const summary = files.map(({ path, bytes }) => `${path} ${(bytes / 1024).toFixed(1)} KiB`).join(", ");
  console.log(`dashboard: ${relative(ROOT, ASSETS_DIR)}/: ${summary}`);
}
