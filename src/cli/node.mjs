// The Node entry of `expctl`, and the only file that touches `process` and `node:fs`:
// everything else takes them through `CliIo`, so it type-checks with the project's
// Workers types and runs in tests without a child process. Plain JavaScript because the
// project's TypeScript config for src/ has no Node types; `scripts/build-cli.mjs`
// bundles this file into dist/expctl.mjs.
import { readFile } from "node:fs/promises";
import { run } from "./main.ts";

// `expctl list | head -1`: a reader that stops reading early is not an error.
process.stdout.on("error", (error) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await run(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readFile: (path) => readFile(path, "utf8"),
  readStdin: async () => {
    let text = "";
    process.stdin.setEncoding("utf8");
    for await (const chunk of process.stdin) text += chunk;
    return text;
  },
});
