import type { Command } from "commander";
import {
  ApiError,
  type Definition,
  type ExperimentConfig,
  type Layer,
  type MetricDefinition,
  type ScheduleDefinition,
  type TargetingCondition,
  type Variant,
} from "../../client";
import {
  parseCoverage,
  parseHashVersion,
  parseLayer,
  parseLimit,
  parseMetric,
  parseName,
  parseScheduleTime,
  parseTarget,
  parseVariant,
} from "../args";
import { UsageError } from "../errors";
import {
  autoStopText,
  coverageText,
  definitionChanges,
  experimentDetails,
  experimentsTable,
  historyTable,
  keyValues,
  scheduleText,
  timeText,
  variantsText,
} from "../format";
import { layersText } from "../layers";
import { configProblem, fullDefinition, scheduleProblem } from "../plan";
import type { Session, SessionOf } from "../session";
import { resultsCommand } from "./outcomes";
import { many, one } from "./parsers";

/** `list`, `show`, `create`, `start`, `conclude`, `archive`, `weights`, `coverage`, `results`, `layers`, `history`. */
export function experimentCommands(program: Command, sessionOf: SessionOf): void {
  program
    .command("list")
    .description("every experiment, sorted by name")
    .action(async (_options: object, command: Command) => {
      const session = sessionOf(command);
      const answer = await session.client.list();
      session.show(answer, () => experimentsTable(answer.experiments));
    });

  program
    .command("show")
    .description("one experiment's config")
    .argument("<name>", "experiment", one(parseName))
    .action(async (name: string, _options: object, command: Command) => {
      const session = sessionOf(command);
      const config = await session.client.get(name);
      session.show(config, () => experimentDetails(config));
    });

  createCommand(program, sessionOf);

  program
    .command("start")
    .description("any state but archived → running (a concluded one runs again)")
    .argument("<name>", "experiment", one(parseName))
    .action(async (name: string, _options: object, command: Command) => {
      const session = sessionOf(command);
      const config = await session.client.start(name);
      session.show(config, () => `${name} is running\n`);
    });

  program
    .command("conclude")
    .description("everyone sees the winner; no more exposures")
    .argument("<name>", "experiment", one(parseName))
    .requiredOption("--winner <variant>", "the variant everyone sees")
    .action(async (name: string, options: { winner: string }, command: Command) => {
      const session = sessionOf(command);
      const config = await session.client.conclude(name, options.winner);
      session.show(config, () => `${name} is concluded: everyone sees ${options.winner}\n`);
    });

  program
    .command("archive")
    .description("any state → archived, for good")
    .argument("<name>", "experiment", one(parseName))
    .action(async (name: string, _options: object, command: Command) => {
      const session = sessionOf(command);
      const config = await session.client.archive(name);
      session.show(config, () => `${name} is archived\n`);
    });

  program
    .command("weights")
    .description("new weights (and variants) for new actors; assigned actors keep their variant")
    .argument("<name>", "experiment", one(parseName))
    .argument("<variants...>", "<variant>=<weight>, one per variant", many(parseVariant))
    .action(async (name: string, variants: Variant[], _options: object, command: Command) => {
      checkDefinition(name, { variants });
      const session = sessionOf(command);
      const config = await session.client.setWeights(name, variants);
      session.show(config, () => `${name} weights: ${variantsText(config.variants)}\n`);
    });

  program
    .command("coverage")
    .description("ramp: the share of eligible new actors that may enter; enrolled actors stay")
    .argument("<name>", "experiment", one(parseName))
    .argument("<bp>", "basis points, 0 to 10000 (10000: all)", one(parseCoverage))
    .action(async (name: string, coverage: number, _options: object, command: Command) => {
      const session = sessionOf(command);
      const config = await session.client.setCoverage(name, coverage);
      session.show(config, () => `${name} coverage: ${config.coverage} bp (${coverageText(config.coverage)})\n`);
    });

  resultsCommand(program, sessionOf);

  program
    .command("layers")
    .description("every layer: its experiments by range, and the ranges no running one holds")
    .action(async (_options: object, command: Command) => {
      const session = sessionOf(command);
      const answer = await session.client.layers();
      session.show(answer, () => layersText(answer.layers));
    });

  program
    .command("history")
    .description("the change history, newest first")
    .argument("<name>", "experiment", one(parseName))
    .option("--limit <n>", "at most this many entries (0: all; the Worker's default is 100)", one(parseLimit))
    .action(async (name: string, options: { limit?: number }, command: Command) => {
      const session = sessionOf(command);
      const answer = await session.client.history(name, options);
      session.show(answer, () => historyTable(answer.history));
    });
}

/** `create`: the definition `PUT`, which declares a draft or replaces a whole definition. */
function createCommand(program: Command, sessionOf: SessionOf): void {
  program
    .command("create")
    .description("declare a draft, or replace the definition of an existing experiment (its state is kept)")
    .argument("<name>", "experiment", one(parseName))
    .requiredOption(
      "--variant <name=weight>",
      "a variant and its relative weight (repeat: one per variant)",
      many(parseVariant),
    )
    .option("--description <text>", "what it tests")
    .option("--group <name>", "exclusion group (can change only while a draft that never ran)", one(parseName))
    .option("--coverage <bp>", "basis points of eligible new actors that may enter (10000: all)", one(parseCoverage))
    .option("--target <condition>", "'<attribute> <operator> <v1>,<v2>' (repeat: all must hold)", many(parseTarget))
    .option(
      "--hash-version <1|2>",
      "1: the reference's buckets (default); 2: uniform on sequential ids",
      one(parseHashVersion),
    )
    .option(
      "--metric <name:kind[:event[:direction[:role]]]>",
      "a metric: kind conversion|sum, event (default: the name), direction increase|decrease, role goal|guardrail (repeat: at most 10)",
      many(parseMetric),
    )
    .option(
      "--layer <name:start-end>",
      "its slice [start, end) of a layer, in basis points (fixed once it has run)",
      one(parseLayer),
    )
    .option("--holdout <name>", "the holdout it joins (fixed once it has run)", one(parseName))
    .option(
      "--start-at <time>",
      "start it then: ISO 8601 with a zone, or UNIX seconds, in the future (a manual start cancels it)",
      one(parseScheduleTime),
    )
    .option(
      "--conclude-at <time>",
      "conclude it then on --winner: a time as for --start-at, after it (a manual conclusion or archive cancels the schedule)",
      one(parseScheduleTime),
    )
    .option("--winner <variant>", "the variant the scheduled conclusion makes everyone see (with --conclude-at)")
    .option("--auto-stop", "conclude on the first variant by itself once a guardrail metric turns worse")
    .addHelpText("after", CREATE_HELP)
    .action(async (name: string, options: CreateOptions, command: Command) => {
      const session = sessionOf(command);
      const definition = definitionOf(options);
      checkDefinition(name, definition);
      // Read first, to say what the replacement changed: a definition PUT replaces every
      // field, so a field not given falls back to its default (coverage to 10000).
      const before = await stored(session, name);
      const { config, created } = await session.client.define(name, definition);
      session.show(config, () => {
        if (created) return `created ${name} (draft)\n${scheduledText(config)}`;
        const replaced = `replaced the definition of ${name} (${config.state})`;
        // Created by someone else between the read and the PUT: nothing to compare with.
        if (before === null) return `${replaced}\n`;
        const changes = definitionChanges(before, config);
        return changes.length === 0 ? `${replaced}: nothing changed\n` : `${replaced}:\n${keyValues(changes, "  ")}`;
      });
    });
}

const CREATE_HELP = `
A definition replaces the whole: a field not given takes its default (no schedule, auto
stop off), and what changed is printed.

Examples:
  expctl create checkout_v2 --variant control=50 --variant treatment=50 --metric purchase:conversion
  expctl create checkout_v2 --variant control=50 --variant treatment=50 \\
    --start-at 2026-12-24T09:00:00Z --conclude-at 2027-01-07T09:00:00Z --winner treatment
  expctl create checkout_v2 --variant control=50 --variant treatment=50 \\
    --metric errors:sum:::guardrail --auto-stop
`;

interface CreateOptions {
  variant: Variant[];
  description?: string;
  group?: string;
  coverage?: number;
  target?: TargetingCondition[];
  hashVersion?: number;
  metric?: MetricDefinition[];
  layer?: Layer;
  holdout?: string;
  startAt?: number;
  concludeAt?: number;
  winner?: string;
  autoStop?: boolean;
}

/** What a new experiment will do by itself: its schedule and automatic stop, when it has them. */
function scheduledText(config: ExperimentConfig): string {
  const lines: [string, string][] = [];
  if (config.schedule) lines.push(["schedule", scheduleText(config.schedule)]);
  if (config.auto_stop) lines.push(["auto stop", autoStopText(config)]);
  return lines.length === 0 ? "" : keyValues(lines, "  ");
}

/** The definition `create` sends: the options given, and nothing for the others (their defaults). */
function definitionOf(options: CreateOptions): Definition {
  const definition: Definition = { variants: options.variant };
  if (options.description !== undefined) definition.description = options.description;
  if (options.group !== undefined) definition.exclusion_group = options.group;
  if (options.coverage !== undefined) definition.coverage = options.coverage;
  if (options.target !== undefined) definition.targeting = options.target;
  if (options.hashVersion !== undefined) definition.hash_version = options.hashVersion;
  if (options.metric !== undefined) definition.metrics = options.metric;
  if (options.layer !== undefined) definition.layer = options.layer;
  if (options.holdout !== undefined) definition.holdout = options.holdout;
  const schedule = scheduleOf(options);
  if (schedule !== null) definition.schedule = schedule;
  if (options.autoStop === true) definition.auto_stop = true;
  return definition;
}

/** `--start-at`, `--conclude-at` and `--winner` as a definition's schedule, or null for none. */
function scheduleOf({ startAt, concludeAt, winner }: CreateOptions): ScheduleDefinition | null {
  if (concludeAt === undefined && winner !== undefined) {
    throw new UsageError("--winner goes with --conclude-at (to conclude now: expctl conclude)");
  }
  if (concludeAt !== undefined && winner === undefined) {
    throw new UsageError("--conclude-at needs --winner: the variant everyone sees from then on");
  }
  if (startAt !== undefined && concludeAt !== undefined && concludeAt <= startAt) {
    throw new UsageError(`--conclude-at (${timeText(concludeAt)}) must be after --start-at (${timeText(startAt)})`);
  }
  if (startAt === undefined && concludeAt === undefined) return null;
  return {
    ...(startAt === undefined ? {} : { start_at_secs: startAt }),
    ...(concludeAt === undefined ? {} : { conclude_at_secs: concludeAt, winner }),
  };
}

/**
 * Refuses, before anything is sent, a definition the engine's own rules refuse whatever
 * is stored (a duplicate variant, a weight out of range, a condition that cannot hold).
 */
function checkDefinition(name: string, definition: Definition): void {
  // The times were checked against the clock as they were read (`parseScheduleTime`).
  const problem = configProblem(name, fullDefinition(definition)) ?? scheduleProblem(definition);
  if (problem !== null) throw new UsageError(problem);
}

/** The experiment as stored, or null when there is none. */
async function stored(session: Session, name: string): Promise<ExperimentConfig | null> {
  try {
    return await session.client.get(name);
  } catch (error) {
    if (error instanceof ApiError && error.code === "not_found") return null;
    throw error;
  }
}
