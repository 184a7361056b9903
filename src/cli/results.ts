import type { Comparison, ExperimentResults, MetricResults } from "../client";
import { table } from "./format";

/**
 * How `expctl results` shows an experiment's results to a person: the counts and the
 * sample-ratio check, then how the comparisons were made, then one table per metric
 * (goals first), each variant against the baseline with its lift, interval and decision.
 * docs/STATISTICS.md defines every number shown here.
 */

type Analysis = ExperimentResults["analysis"];
type MetricKind = MetricResults["kind"];

/** What an experiment's results and a holdout's (`held_out` against `exposed`) have alike. */
export type MeasuredResults = Pick<ExperimentResults, "variants" | "srm" | "analysis" | "metrics">;

/** The whole answer: counts, SRM, a warning when it mismatches, the analysis, each metric. */
export function resultsText(results: MeasuredResults): string {
  const parts = [`${countsText(results)}${results.analysis.trustworthy ? "" : `${UNTRUSTWORTHY}\n`}`];
  if (results.metrics.length === 0) {
    parts.push("metrics: none\n");
  } else {
    parts.push(`${analysisText(results.analysis)}\n`);
    for (const metric of goalsFirst(results.metrics)) parts.push(metricResultsText(metric, results.analysis));
  }
  return parts.join("\n");
}

/** Said after the SRM line when `analysis.trustworthy` is false. */
export const UNTRUSTWORTHY =
  "warning: sample ratio mismatch: the variants did not get the shares their weights give them, " +
  "so no comparison below can be trusted until the cause is found";

/** `50.00 %`, or `-` for none. */
export const percent = (share: number | null) => (share === null ? "-" : `${(share * 100).toFixed(2)} %`);

/** Enrolled and exposures per variant, observed against expected shares, and the SRM verdict. */
export function countsText(results: Pick<MeasuredResults, "variants" | "srm">): string {
  const rows = results.variants.map((v) => [
    v.name,
    String(v.weight),
    String(v.enrolled),
    String(v.exposures),
    percent(v.observed_share),
    percent(v.expected_share),
  ]);
  const { srm } = results;
  const detail =
    srm.statistic === null || srm.p_value === null
      ? ""
      : ` (chi-square ${srm.statistic.toFixed(3)}, df ${srm.df}, p ${srm.p_value.toPrecision(3)}, threshold ${srm.threshold})`;
  const header = ["VARIANT", "WEIGHT", "ENROLLED", "EXPOSURES", "OBSERVED", "EXPECTED"];
  return `${table(header, rows)}SRM: ${srm.status.replace("_", " ")}${detail}\n`;
}

/**
 * How the intervals were made: `analysis: sequential, alpha 0.05 (95% intervals, valid
 * however often they are read; tuning 5000)`.
 */
export function analysisText(analysis: Analysis): string {
  const level = `${confidenceLevel(analysis.alpha)}% intervals`;
  if (analysis.method === "fixed") {
    return `analysis: fixed (Welch's t test), alpha ${analysis.alpha} (${level} and p-values, valid when read once, at a sample size fixed in advance)`;
  }
  const tuning = analysis.tuning === null ? "" : `; tuning ${analysis.tuning}`;
  return `analysis: ${analysis.method}, alpha ${analysis.alpha} (${level}, valid however often they are read${tuning})`;
}

/** 1 − α as a percentage without floating-point noise: 0.05 → `95`, 0.025 → `97.5`. */
export const confidenceLevel = (alpha: number) => String(Number(((1 - alpha) * 100).toFixed(8)));

/** Goal metrics, then guardrails, each in the answer's order. */
export function goalsFirst(metrics: readonly MetricResults[]): MetricResults[] {
  return [...metrics.filter((m) => m.role !== "guardrail"), ...metrics.filter((m) => m.role === "guardrail")];
}

/**
 * One metric: a heading, then a row per variant (the baseline first) with its actors,
 * its mean and, for the others, the comparison with the baseline.
 *
 * @example
 * // purchase: goal, conversion of event purchase, higher is better
 * // VARIANT    N    MEAN     LIFT      95% CI                 DECISION
 * // control    200  10.00 %  -         -                      baseline
 * // treatment  200  15.00 %  +50.00 %  [-10.00 %, +110.00 %]  inconclusive
 */
export function metricResultsText(metric: MetricResults, analysis: Analysis): string {
  const fixed = analysis.method === "fixed";
  const header = ["VARIANT", "N", "MEAN", "LIFT", `${confidenceLevel(analysis.alpha)}% CI`];
  if (fixed) header.push("P");
  header.push("DECISION");
  const baseline = metric.comparisons[0]?.baseline ?? metric.variants[0]?.name;
  const rows = metric.variants.map((variant) => {
    const comparison = metric.comparisons.find((c) => c.variant === variant.name);
    const cells = [variant.name, String(variant.n), meanText(metric.kind, variant.mean)];
    return [...cells, ...comparisonCells(metric.kind, comparison, variant.name === baseline, fixed)];
  });
  const notes = metric.comparisons.flatMap((c) => disagreementNote(metric.kind, c));
  return `${metricHeading(metric)}\n${table(header, rows)}${notes.map((note) => `${note}\n`).join("")}`;
}

/**
 * A note when the relative interval shown seems to contradict the decision: the decision
 * comes from the absolute difference's interval, and the relative one, which also
 * carries the baseline mean's uncertainty, can be wider (include 0 beside `better`).
 */
export function disagreementNote(kind: MetricKind, comparison: Comparison): string[] {
  const { relative, absolute, decision } = comparison;
  if (relative === null || absolute.estimate === null) return [];
  const [low, high] = relative.ci;
  const relativeDecides = low > 0 || high < 0;
  const absoluteDecides = decision === "better" || decision === "worse";
  if (relativeDecides === absoluteDecides) return [];
  const [estimate, interval] = absoluteCells(kind, absolute);
  return [
    `note: ${comparison.variant} is ${DECISION_TEXT[decision]} by its absolute difference, ${estimate} ${interval}; ` +
      "the relative interval also carries the uncertainty of the baseline's mean",
  ];
}

/** `refunds: GUARDRAIL, sum of event refund, lower is better, 3 events unattributed`. */
export function metricHeading(metric: MetricResults): string {
  const parts = [
    metric.role === "guardrail" ? "GUARDRAIL" : metric.role,
    `${metric.kind} of event ${metric.event}`,
    metric.direction === "decrease" ? "lower is better" : "higher is better",
  ];
  if (metric.unattributed > 0) {
    parts.push(`${metric.unattributed} event${metric.unattributed === 1 ? "" : "s"} unattributed`);
  }
  return `${metric.name}: ${parts.join(", ")}`;
}

/** What a decision says, in words. */
export const DECISION_TEXT: Record<Comparison["decision"], string> = {
  better: "better",
  worse: "worse",
  inconclusive: "inconclusive",
  insufficient_data: "not enough data",
};

/** LIFT, CI, (P,) DECISION of one variant's row. */
function comparisonCells(
  kind: MetricKind,
  comparison: Comparison | undefined,
  isBaseline: boolean,
  fixed: boolean,
): string[] {
  const pCell = (p: number | null) => (fixed ? [pValueText(p)] : []);
  if (comparison === undefined) return ["-", "-", ...pCell(null), isBaseline ? "baseline" : "-"];
  const [lift, interval] = changeCells(kind, comparison);
  return [lift, interval, ...pCell(comparison.p_value), DECISION_TEXT[comparison.decision]];
}

/**
 * The change against the baseline and its interval: relative (`+50.00 %`) when there is
 * one; else absolute, in percentage points for a conversion (`+5.00 pp`) and marked
 * `(absolute)` for a sum; `-` when there is neither (not enough data).
 */
export function changeCells(kind: MetricKind, comparison: Comparison): [string, string] {
  const { relative, absolute } = comparison;
  if (relative !== null) return [signedPercent(relative.estimate), intervalText(relative.ci, signedPercent)];
  if (absolute.estimate === null) return ["-", "-"];
  const [estimate, interval] = absoluteCells(kind, absolute);
  return [kind === "conversion" ? estimate : `${estimate} (absolute)`, interval];
}

/** The absolute difference and its interval: percentage points for a conversion, the amount for a sum. */
function absoluteCells(kind: MetricKind, absolute: { estimate: number; ci: [number, number] }): [string, string] {
  const text = kind === "conversion" ? signedPoints : signedAmount;
  return [text(absolute.estimate), intervalText(absolute.ci, text)];
}

/** A variant's mean: a share of actors for a conversion (`12.50 %`), the amount per actor for a sum. */
export function meanText(kind: MetricKind, mean: number | null): string {
  if (mean === null) return "-";
  return kind === "conversion" ? percent(mean) : amountText(mean);
}

/** `p < 0.001` as `<0.001`, otherwise three decimals; `-` for none. */
export function pValueText(p: number | null): string {
  if (p === null) return "-";
  return p < 0.001 ? "<0.001" : p.toFixed(3);
}

/** An amount: two decimals (`1234.50`, `0.25`), or two significant digits below 0.01 (`0.0045`). */
export function amountText(value: number): string {
  return value === 0 || Math.abs(value) >= 0.01 ? value.toFixed(2) : value.toPrecision(2);
}

const intervalText = ([low, high]: readonly [number, number], text: (value: number) => string) =>
  `[${text(low)}, ${text(high)}]`;

/** `+` before a positive number's text; a text that rounds to zero has no sign (`-0.00` is `0.00`). */
function signed(value: number, text: string): string {
  if (!/[1-9]/.test(text.replace(/e.*$/, ""))) return text.replace(/^-/, "");
  return value > 0 ? `+${text}` : text;
}

const signedPercent = (share: number) => signed(share, percent(share));
const signedPoints = (share: number) => signed(share, `${(share * 100).toFixed(2)} pp`);
const signedAmount = (value: number) => signed(value, amountText(value));
