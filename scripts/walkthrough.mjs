// `npm run walkthrough`: pastes the README's curl walk-through, exactly as written, into
// bash against a fresh `wrangler dev` with `npm run dev`'s settings, and checks every
// answer against the README's own comments. A walk-through that stops working when
// pasted fails CI.
//
// What is checked: no command answers with a problem document unless its comment shows
// one, every `"field":value` pair that a `# {…}` comment under a command shows is in
// its answer, and a command whose comment starts with a number answers that number.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checker } from "./lib/client.mjs";
import { startWranglerDev } from "./lib/wrangler-dev.mjs";

const MARK = "<<walkthrough: end of command>>";
/**
 * Commands whose answer the walk-through shows: curl, and the shell functions it defines
 * and calls, at the top level (a function's indented body is not answered line by line).
 */
const answering = (line) => line.startsWith("curl") || /^[a-z_]+$/.test(line);
const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const section = readme.slice(readme.indexOf("## A walk-through with curl"));
const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
if (block === undefined) throw new Error("README has no sh block under 'A walk-through with curl'");

/** Whether a command goes on to the next line: a trailing backslash, or a single quote still open. */
function continues(lines) {
  const quotes = lines.join("\n").split("'").length - 1;
  return (lines.at(-1) ?? "").endsWith("\\") || quotes % 2 === 1;
}

/** The block as commands (continuation lines joined), each with the comment lines right after it. */
function commandsOf(text) {
  const commands = [];
  let current = null;
  for (const line of text.split("\n")) {
    if (current?.open) {
      current.lines.push(line);
      current.open = continues(current.lines);
    } else if (line.startsWith("#") && current !== null) {
      current.expected.push(line.slice(1).trim());
    } else if (line.trim() === "" || line.startsWith("#")) {
      current = null;
    } else {
      current = { lines: [line], expected: [], open: continues([line]) };
      commands.push(current);
    }
  }
  return commands;
}

const { check, finish } = checker("walkthrough");
// Its own empty state: without `persistTo`, wrangler dev would reuse .wrangler/state (that
// of `npm run dev` and of earlier runs), where sticky assignments change the answers.
const persistTo = mkdtempSync(join(tmpdir(), "edge-experiments-walkthrough-"));
const dev = await startWranglerDev({ token: "dev-admin-token", persistTo, quiet: !process.argv.includes("--verbose") });
try {
  const commands = commandsOf(block);
  const script = commands
    .map(({ lines }) => {
      const command = lines.join("\n").replace(/^B=.*$/m, `B=${dev.url}`);
      return answering(lines[0]) ? `${command}\necho; echo '${MARK}'` : command;
    })
    .join("\n");
  const run = spawnSync("bash", ["-e", "-c", script], { encoding: "utf8", timeout: 300_000 });
  check(run.status === 0, "the walk-through runs to its end", run.stderr);
  const answers = run.stdout.split(`${MARK}\n`);
  const curls = commands.filter(({ lines }) => answering(lines[0]));
  check(answers.length - 1 === curls.length, "every curl answered", `${answers.length - 1} of ${curls.length}`);
  curls.forEach(({ lines, expected }, i) => {
    const answer = (answers[i] ?? "").trim();
    const what = lines[0].slice(0, 90);
    const shown = expected.join(" ");
    if (!shown.includes("problem:")) {
      check(!answer.includes('"type":"urn:edge-experiments:problem:'), `no problem answer: ${what}`, answer);
    }
    for (const pair of shown.matchAll(/"[a-z_]+":("[^"]*"|true|false|null|\d+)/g)) {
      check(answer.includes(pair[0]), `${what} answers ${pair[0]}`, answer);
    }
    const number = /^(\d+)\b/.exec(shown)?.[1];
    if (number !== undefined) check(answer === number, `${what} answers ${number}`, answer);
  });
} finally {
  await dev.stop();
  rmSync(persistTo, { recursive: true, force: true });
}
process.exitCode = finish();
