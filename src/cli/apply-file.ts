import * as v from "valibot";
import { parseDocument } from "yaml";
import { DefineBody, ExperimentName } from "../api/schemas";
import type { ExperimentState } from "../core";
import { UsageError } from "./errors";
import { type DesiredExperiment, declarationProblem } from "./plan";

const STATES = ["draft", "running", "concluded", "archived"] as const satisfies readonly ExperimentState[];

/**
 * One entry of an `apply` file: the name, the definition exactly as the definition
 * `PUT` takes it (the same schema, so a field the API gains is accepted here too), and
 * the state to reach.
 */
const FileExperiment = v.strictObject({
  name: ExperimentName,
  ...DefineBody.entries,
  state: v.optional(v.picklist(STATES, `must be one of ${STATES.join(", ")}`)),
  winner: v.optional(v.string("must be a string")),
});

const ApplyFile = v.strictObject({
  experiments: v.array(FileExperiment, "must be a list of experiments"),
});

/**
 * Reads an `apply` file (YAML, or JSON, which is YAML too).
 *
 * @param source the file's name, for the messages
 * @throws {UsageError} for YAML that does not parse, a shape the schema refuses (every
 *   offending field named), a name given twice, or an experiment the Worker's rules
 *   refuse whatever is stored ({@link declarationProblem}: every one named)
 */
export function parseApplyFile(text: string, source: string): DesiredExperiment[] {
  const document = parseDocument(text);
  if (document.errors.length > 0) {
    throw new UsageError(`${source}: ${document.errors.map((e) => e.message).join("\n")}`);
  }
  const parsed = v.safeParse(ApplyFile, document.toJS());
  if (!parsed.success) {
    const issues = parsed.issues.map((issue) => `  ${pathOf(issue) || "(file)"}: ${issue.message}`);
    throw new UsageError(`${source} is not a valid experiments file:\n${issues.join("\n")}`);
  }
  const seen = new Set<string>();
  const desired = parsed.output.experiments.map(({ name, state, winner, ...definition }): DesiredExperiment => {
    if (seen.has(name)) throw new UsageError(`${source}: experiment '${name}' is declared more than once`);
    seen.add(name);
    return { name, definition, ...(state === undefined ? {} : { state }), ...(winner === undefined ? {} : { winner }) };
  });
  const refused = desired.flatMap((want, i) => {
    const problem = declarationProblem(want);
    return problem === null ? [] : [`  experiments[${i}] (${want.name}): ${problem}`];
  });
  if (refused.length > 0) throw new UsageError(`${source} is not a valid experiments file:\n${refused.join("\n")}`);
  return desired;
}

/** `experiments[0].variants[1].weight`. */
function pathOf(issue: v.BaseIssue<unknown>): string {
  return (issue.path ?? [])
    .map((item) => (typeof item.key === "number" ? `[${item.key}]` : `.${String(item.key)}`))
    .join("")
    .replace(/^\./, "");
}
