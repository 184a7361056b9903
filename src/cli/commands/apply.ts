import type { Command } from "commander";
import { ApiError, type ExperimentsClient } from "../../client";
import { parseApplyFile } from "../apply-file";
import { EXIT, UsageError } from "../errors";
import { definitionText, refusalText, variantsText } from "../format";
import { holdoutDefinitionText } from "../holdouts";
import { fullDefinition, fullHoldout, type Impossible, type Plan, plan, type Step } from "../plan";
import type { Session, SessionOf } from "../session";

/**
 * `apply -f experiments.yaml [--dry-run]`: make the Worker match a file, with the fewest
 * admin calls. `-f -` reads the file from standard input (`generate | expctl apply -f -`).
 */
export function applyCommand(program: Command, sessionOf: SessionOf, exit: (code: number) => void): void {
  program
    .command("apply")
    .description("make the holdouts and experiments a YAML file declares match it (others are left alone)")
    .requiredOption("-f, --file <path>", "the experiments file (YAML); - reads standard input")
    .option("--dry-run", "print the plan, change nothing")
    .action(async (options: { file: string; dryRun?: boolean }, command: Command) => {
      const session = sessionOf(command);
      const fromStdin = options.file === "-";
      const source = fromStdin ? "standard input" : options.file;
      let text: string;
      try {
        text = fromStdin ? await session.io.readStdin() : await session.io.readFile(options.file);
      } catch (error) {
        throw new UsageError(`cannot read ${source}: ${error instanceof Error ? error.message : error}`);
      }
      const desired = parseApplyFile(text, source);
      const [{ experiments }, { holdouts }] = await Promise.all([session.client.list(), session.client.holdouts()]);
      const now = Math.floor(Date.now() / 1000);
      const planned = plan(experiments, desired.experiments, { current: holdouts, desired: desired.holdouts }, now);
      exit(await carryOut(session, planned, options.dryRun === true));
    });
}

/**
 * Prints the plan, then runs it unless it is a dry run or has an impossible step, and
 * returns the exit code. The first refused call stops the run: the steps before it
 * stay applied, and running `apply` again plans only what is left.
 */
async function carryOut(session: Session, planned: Plan, dryRun: boolean): Promise<number> {
  const { steps, impossible } = planned;
  if (!session.json) {
    const lines = [
      ...steps.map(stepLine),
      ...impossible.map(
        ({ name, holdout, reason }) => `${"impossible".padEnd(10)} ${holdout ? "holdout " : ""}${name}: ${reason}`,
      ),
    ];
    session.print(lines.length === 0 ? "nothing to do" : lines.join("\n"));
  }
  let applied = 0;
  let refusal: { step: Step; error: ApiError } | null = null;
  if (impossible.length === 0 && !dryRun) {
    for (const step of steps) {
      try {
        await run(session.client, step);
        applied++;
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        refusal = { step, error };
        break;
      }
    }
  }

  if (session.json) session.print(JSON.stringify({ steps, impossible, applied }, null, 2));
  if (impossible.length > 0) {
    session.io.stderr(`nothing changed: ${impossibleCount(impossible)} cannot be brought to what the file says\n`);
    return EXIT.refused;
  }
  if (refusal !== null) {
    const { step, error } = refusal;
    session.io.stderr(
      `stopped at step ${applied + 1} of ${steps.length} (${stepLine(step).replace(/ +/, " ")}), ${applied} applied before it\n` +
        refusalText(error),
    );
    return EXIT.refused;
  }
  if (!session.json && steps.length > 0) {
    session.print(dryRun ? `dry run: ${steps.length} step(s) planned, nothing changed` : `applied ${applied} step(s)`);
  }
  return EXIT.ok;
}

/** `1 holdout(s) and 2 experiment(s)`: what a plan cannot bring to what the file says. */
function impossibleCount(impossible: readonly Impossible[]): string {
  const holdouts = impossible.filter((entry) => entry.holdout).length;
  const experiments = impossible.length - holdouts;
  const parts = [
    ...(holdouts > 0 ? [`${holdouts} holdout(s)`] : []),
    ...(experiments > 0 ? [`${experiments} experiment(s)`] : []),
  ];
  return parts.join(" and ");
}

function run(client: ExperimentsClient, step: Step): Promise<unknown> {
  switch (step.kind) {
    case "create_holdout":
    case "define_holdout":
      return client.defineHoldout(step.name, step.definition);
    case "create":
    case "define":
      return client.define(step.name, step.definition);
    case "weights":
      return client.setWeights(step.name, step.variants);
    case "coverage":
      return client.setCoverage(step.name, step.coverage);
    case "start":
      return client.start(step.name);
    case "conclude":
      return client.conclude(step.name, step.winner);
    case "archive":
      return client.archive(step.name);
  }
}

/**
 * One plan line: `create     checkout_v2: control=50 treatment=50 | targeting everyone |
 * coverage 10000 | hash version 1` (a create says what it applies, defaults included);
 * a holdout's name follows the word `holdout`.
 */
export function stepLine(step: Step): string {
  const verb = (word: string) => word.padEnd(10);
  switch (step.kind) {
    case "create_holdout":
      return `${verb("create")} holdout ${step.name}: ${holdoutDefinitionText(fullHoldout(step.definition))}`;
    case "define_holdout":
      return `${verb("change")} holdout ${step.name}: ${step.changed.join(", ")}`;
    case "create":
      return `${verb("create")} ${step.name}: ${definitionText(fullDefinition(step.definition))}`;
    case "define":
      return `${verb("change")} ${step.name}: ${step.changed.join(", ")}`;
    case "weights":
      return `${verb("weights")} ${step.name}: ${variantsText(step.from)} → ${variantsText(step.variants)}`;
    case "coverage":
      return `${verb("coverage")} ${step.name}: ${step.from} → ${step.coverage}`;
    case "start":
      return `${verb("start")} ${step.name}`;
    case "conclude":
      return `${verb("conclude")} ${step.name}: winner ${step.winner}`;
    case "archive":
      return `${verb("archive")} ${step.name}`;
  }
}
