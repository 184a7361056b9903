import type { Command } from "commander";
import type { Holdout, HoldoutDefinition } from "../../client";
import { ApiError, type MetricDefinition } from "../../client";
import { parseHoldoutCoverage, parseLimit, parseMetric, parseName } from "../args";
import { UsageError } from "../errors";
import { coverageText, historyTable, keyValues } from "../format";
import { holdoutChanges, holdoutDetails, holdoutResultsText, holdoutsTable } from "../holdouts";
import { fullHoldout, holdoutProblem } from "../plan";
import type { Session, SessionOf } from "../session";
import { type ResultsOptions, withResultsOptions } from "./outcomes";
import { many, one } from "./parsers";

/** `holdouts`, `holdout list|show|set|rm|history|results`: the share of actors kept out of every member experiment. */
export function holdoutCommands(program: Command, sessionOf: SessionOf): void {
  const list = async (_options: object, command: Command) => {
    const session = sessionOf(command);
    const answer = await session.client.holdouts();
    session.show(answer, () => holdoutsTable(answer.holdouts));
  };
  program
    .command("holdouts")
    .description("every holdout: NAME COVERAGE MEMBERS METRICS (as holdout list)")
    .action(list);

  const holdout = program
    .command("holdout")
    .description("actors kept out of every experiment that joins the holdout, to measure what they add up to");

  holdout.command("list").description("every holdout, sorted by name, with the experiments that name it").action(list);

  holdout
    .command("show")
    .description("one holdout: coverage, members, metrics")
    .argument("<name>", "holdout", one(parseName))
    .action(async (name: string, _options: object, command: Command) => {
      const session = sessionOf(command);
      // The members are the list's (a holdout's own read does not name them); `--json` is the holdout's read alone.
      const [answer, list] = await Promise.all([
        session.client.holdout(name),
        session.json ? null : session.client.holdouts(),
      ]);
      const members = list?.holdouts.find((h) => h.name === name)?.members ?? null;
      session.show(answer, () => holdoutDetails(answer, members));
    });

  setCommand(holdout, sessionOf);

  holdout
    .command("rm")
    .alias("remove")
    .description("delete a holdout that no experiment (not archived) names")
    .argument("<name>", "holdout", one(parseName))
    .action(async (name: string, _options: object, command: Command) => {
      const session = sessionOf(command);
      await session.client.deleteHoldout(name);
      // 204: no JSON to show, so `--json` prints nothing.
      if (!session.json) session.print(`removed holdout ${name}`);
    });

  holdout
    .command("history")
    .description("a holdout's change history, newest first")
    .argument("<name>", "holdout", one(parseName))
    .option("--limit <n>", "at most this many entries (0: all; the Worker's default is 100)", one(parseLimit))
    .action(async (name: string, options: { limit?: number }, command: Command) => {
      const session = sessionOf(command);
      const answer = await session.client.holdoutHistory(name, options);
      session.show(answer, () => historyTable(answer.history));
    });

  withResultsOptions(
    holdout
      .command("results")
      .description("the arms held_out and exposed: counts with the SRM check, and each metric's lift of exposed")
      .argument("<name>", "holdout", one(parseName)),
  ).action(async (name: string, options: ResultsOptions, command: Command) => {
    const session = sessionOf(command);
    const answer = await session.client.holdoutResults(name, options);
    session.show(answer, () => holdoutResultsText(answer));
  });
}

interface SetOptions {
  coverage: number;
  description?: string;
  metric?: MetricDefinition[];
}

/** `holdout set`: the holdout `PUT`, which replaces the whole definition. */
function setCommand(holdout: Command, sessionOf: SessionOf): void {
  holdout
    .command("set")
    .description("create a holdout, or replace its definition (its coverage is fixed once a member has run)")
    .argument("<name>", "holdout", one(parseName))
    .requiredOption("--coverage <bp>", "basis points held out of every member, 1 to 5000", one(parseHoldoutCoverage))
    .option("--description <text>", "what it measures")
    .option(
      "--metric <name:kind[:event[:direction[:role]]]>",
      "a metric, as for create (repeat: at most 10)",
      many(parseMetric),
    )
    .action(async (name: string, options: SetOptions, command: Command) => {
      const session = sessionOf(command);
      const definition: HoldoutDefinition = { coverage: options.coverage };
      if (options.description !== undefined) definition.description = options.description;
      if (options.metric !== undefined) definition.metrics = options.metric;
      const problem = holdoutProblem(name, definition);
      if (problem !== null) throw new UsageError(problem);
      // Read first, to say what the replacement changed (a description or metrics not given are removed).
      const before = await stored(session, name);
      const answer = await session.client.defineHoldout(name, definition);
      session.show(answer.holdout, () => {
        const { coverage } = answer.holdout;
        if (answer.created) return `created holdout ${name}: ${coverage} bp (${coverageText(coverage)}) held out\n`;
        const replaced = `replaced the definition of holdout ${name}`;
        if (before === null) return `${replaced}\n`;
        const changes = holdoutChanges(fullHoldout(before), fullHoldout(answer.holdout));
        return changes.length === 0 ? `${replaced}: nothing changed\n` : `${replaced}:\n${keyValues(changes, "  ")}`;
      });
    });
}

/** The holdout as stored, or null when there is none. */
async function stored(session: Session, name: string): Promise<Holdout | null> {
  try {
    return await session.client.holdout(name);
  } catch (error) {
    if (error instanceof ApiError && error.code === "not_found") return null;
    throw error;
  }
}
