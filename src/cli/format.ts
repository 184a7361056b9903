import {
  type ApiError,
  type ChangeRecord,
  type ExperimentConfig,
  type Layer,
  type Metric,
  type ScheduleDefinition,
  type TargetingCondition,
  type Variant,
  winnerInForce,
} from "../client";
import { type FullDefinition, sameJson } from "./plan";

/** How `expctl` shows the API's answers to a person (`--json` shows them as they are). */

/** Width in characters (code points, so `é` and `😀` count as one). */
const width = (text: string) => [...text].length;

/**
 * Columns aligned with two spaces between them; the last column is not padded.
 *
 * @example
 * table(["NAME", "STATE"], [["checkout_v2", "running"]])
 * // "NAME         STATE\ncheckout_v2  running\n"
 */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => width(row[column] ?? ""))));
  const line = (row: readonly string[]) =>
    row
      .map((cell, column) =>
        column === row.length - 1 ? cell : cell + " ".repeat((widths[column] ?? 0) - width(cell)),
      )
      .join("  ")
      .trimEnd();
  return `${all.map(line).join("\n")}\n`;
}

/** `key  value` lines, the keys padded to one width, each line after `indent`. */
export function keyValues(pairs: readonly (readonly [string, string])[], indent = ""): string {
  const keyWidth = Math.max(...pairs.map(([key]) => width(key)));
  const line = ([key, value]: readonly [string, string]) =>
    `${indent}${key}${" ".repeat(keyWidth - width(key))}  ${value}`;
  return `${pairs.map((pair) => line(pair).trimEnd()).join("\n")}\n`;
}

/** `control=50 treatment=50`. */
export const variantsText = (variants: readonly Variant[]) => variants.map((v) => `${v.name}=${v.weight}`).join(" ");

/** Basis points as a share: `10000` → `100%`, `250` → `2.5%`. */
export const coverageText = (basisPoints: number) => `${basisPoints / 100}%`;

/**
 * The winner, while it applies: only a concluded experiment shows it to everyone. One
 * started again keeps its `winner` field (the reference's `start()` does), unused.
 */
const winnerText = (config: ExperimentConfig) => winnerInForce(config) ?? "-";

/** `2026-11-26 03:17:00Z`, or `-` for none. */
export function timeText(secs: number | null | undefined): string {
  if (secs === null || secs === undefined) return "-";
  return `${new Date(secs * 1000).toISOString().slice(0, 19).replace("T", " ")}Z`;
}

/** `country in DE,FR`, as `--target` takes it (`/i` when case-insensitive). */
export function conditionText(condition: TargetingCondition): string {
  const operator = condition.case_insensitive ? `${condition.operator}/i` : condition.operator;
  // Escaped as `--target` reads them back: a comma inside a value is `\,`, a backslash `\\`.
  const values = condition.values.map((value) => value.replaceAll("\\", "\\\\").replaceAll(",", "\\,"));
  return [condition.attribute, operator, values.join(",")].filter((part) => part !== "").join(" ");
}

/** `[0, 2500)`: a half-open range of basis points. */
export const rangeText = ([start, end]: readonly [number, number]) => `[${start}, ${end})`;

/** `checkout [0, 2500)`: an experiment's slice of a layer. */
export const layerText = (layer: Layer) => `${layer.name} ${rangeText(layer.range)}`;

/** `revenue:sum:purchase:increase:goal`, as `--metric` takes it, every part written out. */
export const metricText = (metric: Metric) =>
  [metric.name, metric.kind, metric.event, metric.direction, metric.role].join(":");

/** The metrics' names, space-separated as `variantsText` writes variants, or `-` for none. */
const metricNames = (config: ExperimentConfig) =>
  config.metrics.length === 0 ? "-" : config.metrics.map((m) => m.name).join(" ");

/** One row per experiment; METRICS, the widest, last. */
export function experimentsTable(experiments: readonly ExperimentConfig[]): string {
  if (experiments.length === 0) return "no experiments\n";
  return table(
    ["NAME", "STATE", "VARIANTS", "COVERAGE", "GROUP", "WINNER", "METRICS"],
    experiments.map((e) => [
      e.name,
      e.state,
      variantsText(e.variants),
      coverageText(e.coverage),
      e.exclusion_group ?? "-",
      winnerText(e),
      metricNames(e),
    ]),
  );
}

/** One experiment, field by field, then its variants, targeting and metrics. */
export function experimentDetails(config: ExperimentConfig): string {
  const total = config.variants.reduce((sum, v) => sum + v.weight, 0);
  const share = (weight: number) => (total === 0 ? "-" : `${((weight / total) * 100).toFixed(1)}%`);
  const details = keyValues([
    ["name", config.name],
    ["state", config.state],
    ["description", config.description ?? "-"],
    ["winner", winnerText(config)],
    ["exclusion group", config.exclusion_group ?? "-"],
    ["layer", config.layer === null ? "-" : layerText(config.layer)],
    ["holdout", config.holdout ?? "-"],
    ["coverage", `${config.coverage} bp (${coverageText(config.coverage)})`],
    ["hash version", String(config.hash_version)],
    ["schedule", scheduleText(config.schedule)],
    ["auto stop", autoStopText(config)],
    ["started", timeText(config.started_at_secs)],
    ["updated", timeText(config.updated_at_secs)],
  ]);
  const variants = table(
    ["VARIANT", "WEIGHT", "SHARE"],
    config.variants.map((v) => [v.name, String(v.weight), share(v.weight)]),
  );
  const targeting =
    config.targeting.length === 0
      ? "targeting: everyone\n"
      : `targeting (all must hold):\n${config.targeting.map((c) => `  ${conditionText(c)}\n`).join("")}`;
  const metrics =
    config.metrics.length === 0
      ? "metrics: none\n"
      : table(
          ["METRIC", "KIND", "EVENT", "DIRECTION", "ROLE"],
          config.metrics.map((m) => [m.name, m.kind, m.event, m.direction, m.role]),
        );
  return `${details}\n${variants}\n${targeting}\n${metrics}`;
}

/**
 * How `create` and `apply` word each field of a definition, in the order the definition
 * has them; a stored config is one too.
 */
const DEFINITION_FIELDS: {
  [K in keyof FullDefinition]: [label: string, text: (definition: FullDefinition) => string];
} = {
  variants: ["variants", (c) => variantsText(c.variants)],
  description: ["description", (c) => (c.description === null ? "-" : JSON.stringify(c.description))],
  exclusion_group: ["group", (c) => c.exclusion_group ?? "-"],
  targeting: ["targeting", (c) => (c.targeting.length === 0 ? "everyone" : c.targeting.map(conditionText).join("; "))],
  coverage: ["coverage", (c) => String(c.coverage)],
  hash_version: ["hash version", (c) => String(c.hash_version)],
  // The definition's metrics have their defaults filled in (`fullDefinition`), as a read shows them.
  metrics: ["metrics", (c) => (c.metrics.length === 0 ? "none" : (c.metrics as Metric[]).map(metricText).join(" "))],
  layer: ["layer", (c) => (c.layer === null ? "none" : layerText(c.layer))],
  holdout: ["holdout", (c) => c.holdout ?? "none"],
  schedule: ["schedule", (c) => scheduleText(c.schedule)],
  auto_stop: ["auto stop", (c) => (c.auto_stop ? "on" : "off")],
};

/**
 * What a new experiment's definition applies, the defaults of the fields it leaves out
 * included: `control=50 treatment=50 | group checkout | targeting country in DE,FR |
 * coverage 2500 | hash version 1`. The group, the metrics, the layer, the holdout and
 * the schedule only when there are some, auto stop only when on; the description, which
 * decides nothing about who sees what, never.
 */
export function definitionText(definition: FullDefinition): string {
  const fields: (keyof FullDefinition)[] = ["targeting", "coverage", "hash_version"];
  if (definition.exclusion_group !== null) fields.unshift("exclusion_group");
  if (definition.metrics.length > 0) fields.push("metrics");
  if (definition.layer !== null) fields.push("layer");
  if (definition.holdout !== null) fields.push("holdout");
  if (definition.schedule !== null) fields.push("schedule");
  if (definition.auto_stop) fields.push("auto_stop");
  const labelled = fields.map((field) => {
    const [label, text] = DEFINITION_FIELDS[field];
    return `${label} ${text(definition)}`;
  });
  return [variantsText(definition.variants), ...labelled].join(" | ");
}

/**
 * What a definition `PUT` changed, field by field: `["coverage", "2500 → 10000"]`. A
 * definition replaces the whole, so a field the command did not give takes its default,
 * and this is where that shows.
 */
export function definitionChanges(before: ExperimentConfig, after: ExperimentConfig): [string, string][] {
  return (Object.keys(DEFINITION_FIELDS) as (keyof FullDefinition)[])
    .filter((field) => !sameJson(before[field], after[field]))
    .map((field) => {
      const [label, text] = DEFINITION_FIELDS[field];
      return [label, `${text(before)} → ${text(after)}`];
    });
}

/** An experiment's or a holdout's history, newest first. */
export function historyTable(history: readonly Pick<ChangeRecord, "timestamp_secs" | "mutation" | "actor">[]): string {
  if (history.length === 0) return "no history\n";
  return table(
    ["TIME", "MUTATION", "BY"],
    history.map((r) => [timeText(r.timestamp_secs), r.mutation, r.actor ?? "-"]),
  );
}

/**
 * `code: detail`, then each offending field the detail does not already state: the
 * Worker's detail is its first field in the Worker's words (`body /winner: is
 * required`, `'name': must match …`: `parseInput` in src/edge/http/body.ts), so that
 * one is not printed twice.
 *
 * @example
 * // invalid_request: body /variants/0/weight: must be a number
 * //   /coverage: must be a number
 */
export function refusalText(error: ApiError): string {
  const [first, ...others] = error.errors;
  const shown = first !== undefined && error.detail === fieldText(first) ? others : error.errors;
  const fields = shown.map((field) => `  ${field.pointer || field.parameter || "(root)"}: ${field.detail}\n`);
  return `${error.code ?? `HTTP ${error.status}`}: ${error.detail}\n${fields.join("")}`;
}

/** A field as the Worker's `detail` states its first one. */
function fieldText(field: ApiError["errors"][number]): string {
  const where = field.pointer !== undefined ? `body ${field.pointer || "(root)"}` : `'${field.parameter}'`;
  return `${where}: ${field.detail}`;
}

/**
 * `start 2026-12-24 09:00:00Z, conclude 2027-01-07 09:00:00Z (winner treatment)`, or
 * `none` (`undefined` too: a Worker older than schedules sends none); the times as
 * `timeText` writes them, which `--start-at` reads back.
 */
export function scheduleText(schedule: ScheduleDefinition | null | undefined): string {
  const parts: string[] = [];
  if (schedule?.start_at_secs != null) parts.push(`start ${timeText(schedule.start_at_secs)}`);
  if (schedule?.conclude_at_secs != null) {
    parts.push(`conclude ${timeText(schedule.conclude_at_secs)} (winner ${schedule.winner ?? "-"})`);
  }
  return parts.length === 0 ? "none" : parts.join(", ");
}

/**
 * `off`; `on: concludes on control when a guardrail (refunds) turns worse`; or, with no
 * guardrail metric, a warning that there is nothing to stop on.
 */
export function autoStopText(config: Pick<ExperimentConfig, "auto_stop" | "metrics" | "variants">): string {
  if (!config.auto_stop) return "off";
  const guardrails = config.metrics.filter((metric) => metric.role === "guardrail").map((metric) => metric.name);
  if (guardrails.length === 0) return "on, but no metric is a guardrail: nothing to stop on";
  const baseline = config.variants[0]?.name ?? "-";
  return `on: concludes on ${baseline} when a guardrail (${guardrails.join(", ")}) turns worse`;
}
