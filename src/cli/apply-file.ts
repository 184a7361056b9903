import * as v from "valibot";
import { parseDocument } from "yaml";
import { DefineBody, ExperimentName, HoldoutBody } from "../api/schemas";
import type { ExperimentState } from "../core";
import { timeSeconds } from "./args";
import { UsageError } from "./errors";
import { type DesiredExperiment, type DesiredHoldout, declarationProblem, holdoutProblem } from "./plan";

const STATES = ["draft", "running", "concluded", "archived"] as const satisfies readonly ExperimentState[];

/**
 * A schedule's time in a file: UNIX seconds as the API takes them, or, for a person to
 * write and read, ISO 8601 text with its zone (`2026-12-01T09:00:00Z`, quoted or not:
 * YAML 1.2 reads it as text), read as `--start-at` reads it.
 */
const FileTime = v.union(
  [
    v.number(),
    v.pipe(
      v.string(),
      v.check((text) => timeSeconds(text) !== null),
      v.transform((text) => timeSeconds(text) as number),
    ),
  ],
  "must be UNIX seconds or an ISO 8601 time with its zone (2026-12-01T09:00:00Z)",
);

/** The definition's `schedule`, its times as {@link FileTime}. */
const FileSchedule = v.strictObject(
  {
    start_at_secs: v.optional(v.nullable(FileTime)),
    conclude_at_secs: v.optional(v.nullable(FileTime)),
    winner: v.optional(v.nullable(v.string("must be a string or null"))),
  },
  "must be an object {start_at_secs?, conclude_at_secs?, winner?} with no other fields",
);

/**
 * One entry of an `apply` file: the name, the definition exactly as the definition
 * `PUT` takes it (the same schema, so a field the API gains is accepted here too; a
 * schedule's times may also be ISO 8601 text), and the state to reach.
 */
const FileExperiment = v.strictObject({
  name: ExperimentName,
  ...DefineBody.entries,
  schedule: v.optional(FileSchedule),
  state: v.optional(v.picklist(STATES, `must be one of ${STATES.join(", ")}`)),
  winner: v.optional(v.string("must be a string")),
});

/** One holdout of an `apply` file: the name and the definition as the holdout `PUT` takes it. */
const FileHoldout = v.strictObject({ name: ExperimentName, ...HoldoutBody.entries });

const ApplyFileSchema = v.strictObject({
  holdouts: v.optional(v.array(FileHoldout, "must be a list of holdouts"), []),
  experiments: v.optional(v.array(FileExperiment, "must be a list of experiments"), []),
});

/** What an `apply` file declares: holdouts (applied first) and experiments. */
export interface ApplyFile {
  holdouts: DesiredHoldout[];
  experiments: DesiredExperiment[];
}

/**
 * Reads an `apply` file (YAML, or JSON, which is YAML too): `experiments:`, `holdouts:`
 * or both.
 *
 * @param source the file's name, for the messages
 * @throws {UsageError} for YAML that does not parse, a shape the schema refuses (every
 *   offending field named), a name given twice, or an experiment or holdout the Worker's
 *   rules refuse whatever is stored ({@link declarationProblem}, {@link holdoutProblem}:
 *   every one named)
 */
export function parseApplyFile(text: string, source: string): ApplyFile {
  const document = parseDocument(text);
  if (document.errors.length > 0) {
    throw new UsageError(`${source}: ${document.errors.map((e) => e.message).join("\n")}`);
  }
  const parsed = v.safeParse(ApplyFileSchema, document.toJS());
  if (!parsed.success) {
    const issues = parsed.issues.map((issue) => `  ${pathOf(issue) || "(file)"}: ${issue.message}`);
    throw new UsageError(`${source} is not a valid experiments file:\n${issues.join("\n")}`);
  }
  const raw = document.toJS() as Record<string, unknown>;
  if (!("experiments" in raw) && !("holdouts" in raw)) {
    throw new UsageError(`${source} is not a valid experiments file: it declares neither experiments nor holdouts`);
  }
  const once = uniqueNames(source);
  const holdouts = parsed.output.holdouts.map(({ name, ...definition }): DesiredHoldout => {
    once("holdout", name);
    return { name, definition };
  });
  const experiments = parsed.output.experiments.map(({ name, state, winner, ...definition }): DesiredExperiment => {
    once("experiment", name);
    return { name, definition, ...(state === undefined ? {} : { state }), ...(winner === undefined ? {} : { winner }) };
  });
  const refused = [
    ...holdouts.map((want, i) => [`holdouts[${i}] (${want.name})`, holdoutProblem(want.name, want.definition)]),
    ...experiments.map((want, i) => [`experiments[${i}] (${want.name})`, declarationProblem(want)]),
  ].flatMap(([where, problem]) => (problem === null ? [] : [`  ${where}: ${problem}`]));
  if (refused.length > 0) throw new UsageError(`${source} is not a valid experiments file:\n${refused.join("\n")}`);
  return { holdouts, experiments };
}

/** A check that each experiment, and each holdout, is declared once. */
function uniqueNames(source: string): (what: "experiment" | "holdout", name: string) => void {
  const seen = { experiment: new Set<string>(), holdout: new Set<string>() };
  return (what, name) => {
    if (seen[what].has(name)) throw new UsageError(`${source}: ${what} '${name}' is declared more than once`);
    seen[what].add(name);
  };
}

/** `experiments[0].variants[1].weight`. */
function pathOf(issue: v.BaseIssue<unknown>): string {
  return (issue.path ?? [])
    .map((item) => (typeof item.key === "number" ? `[${item.key}]` : `.${String(item.key)}`))
    .join("")
    .replace(/^\./, "");
}
