import type { Holdout, HoldoutList, HoldoutResults, Metric } from "../client";
import { coverageText, keyValues, metricText, table, timeText } from "./format";
import { type FullHoldout, sameJson } from "./plan";
import { resultsText } from "./results";

/** How `expctl` shows holdouts to a person (`--json` shows the API's answers as they are). */

/** Names space-separated, as `variantsText` writes variants, or `-` for none. */
const namesText = (names: readonly string[]) => (names.length === 0 ? "-" : names.join(" "));

/** `500 bp (5%)`. */
const basisPoints = (coverage: number) => `${coverage} bp (${coverageText(coverage)})`;

/** One row per holdout: how much it holds out, the experiments that name it, its metrics. */
export function holdoutsTable(holdouts: HoldoutList["holdouts"]): string {
  if (holdouts.length === 0) return "no holdouts\n";
  return table(
    ["NAME", "COVERAGE", "MEMBERS", "METRICS"],
    holdouts.map((h) => [
      h.name,
      coverageText(h.coverage),
      namesText(h.members),
      namesText(h.metrics.map((m) => m.name)),
    ]),
  );
}

/** One holdout, field by field (its members when known), then its metrics. */
export function holdoutDetails(holdout: Holdout, members: readonly string[] | null): string {
  const details = keyValues([
    ["name", holdout.name],
    ["description", holdout.description ?? "-"],
    ["coverage", `${basisPoints(holdout.coverage)} held out of every member`],
    ...(members === null ? [] : [["members", namesText(members)] as const]),
    ["created", timeText(holdout.created_at_secs)],
    ["updated", timeText(holdout.updated_at_secs)],
  ]);
  const metrics =
    holdout.metrics.length === 0
      ? "metrics: none\n"
      : table(
          ["METRIC", "KIND", "EVENT", "DIRECTION", "ROLE"],
          holdout.metrics.map((m) => [m.name, m.kind, m.event, m.direction, m.role]),
        );
  return `${details}\n${metrics}`;
}

/** How `holdout set` and `apply` word each field of a holdout's definition; a stored holdout is one too. */
const HOLDOUT_FIELDS: { [K in keyof FullHoldout]: [label: string, text: (holdout: FullHoldout) => string] } = {
  coverage: ["coverage", (h) => String(h.coverage)],
  description: ["description", (h) => (h.description === null ? "-" : JSON.stringify(h.description))],
  // With their defaults filled in (`fullHoldout`), as a read shows them.
  metrics: ["metrics", (h) => (h.metrics.length === 0 ? "none" : (h.metrics as Metric[]).map(metricText).join(" "))],
};

/**
 * What a new holdout's definition applies: `coverage 500 | metrics
 * purchase:conversion:purchase:increase:goal` (the metrics when there are some; the
 * description, which decides nothing, never).
 */
export function holdoutDefinitionText(holdout: FullHoldout): string {
  const fields: (keyof FullHoldout)[] = holdout.metrics.length > 0 ? ["coverage", "metrics"] : ["coverage"];
  return fields
    .map((field) => {
      const [label, text] = HOLDOUT_FIELDS[field];
      return `${label} ${text(holdout)}`;
    })
    .join(" | ");
}

/**
 * What a holdout `PUT` changed, field by field: `["coverage", "500 → 300"]`. It replaces
 * the whole definition, so a description or metrics not given are removed, and this is
 * where that shows.
 */
export function holdoutChanges(before: FullHoldout, after: FullHoldout): [string, string][] {
  return (Object.keys(HOLDOUT_FIELDS) as (keyof FullHoldout)[])
    .filter((field) => !sameJson(before[field], after[field]))
    .map((field) => {
      const [label, text] = HOLDOUT_FIELDS[field];
      return [label, `${text(before)} → ${text(after)}`];
    });
}

/**
 * A holdout's results: a line saying what is compared, then an experiment's results
 * (`resultsText`) for its arms, `held_out` the baseline and `exposed`.
 */
export function holdoutResultsText(results: HoldoutResults): string {
  const heading = `holdout ${results.holdout}: ${basisPoints(results.coverage)} held out; exposed is compared with held_out`;
  return `${heading}\n\n${resultsText(results)}`;
}
