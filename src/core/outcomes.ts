import type { MetricSumRow, UnattributedRow } from "./attribution";
import type { CountRow } from "./results";
import type { SrmResult } from "./srm";
import {
  type AnalysisOptions,
  type AnalysisSettings,
  analyseMetric,
  analysisSettings,
  type MetricAnalysis,
  type MetricDescriptor,
} from "./stats";
import type { ExperimentConfig, MetricConfig } from "./types";

/** What the results add to the counts: how the comparisons were made, and each metric's. */
export interface Outcomes {
  analysis: AnalysisSettings & {
    /** False when the SRM check says `mismatch`: the arms differ by more than chance, so no comparison can be trusted. */
    trustworthy: boolean;
  };
  metrics: MetricAnalysis<MetricConfig & MetricDescriptor>[];
}

/**
 * Each of the experiment's metrics (in definition order) analysed: per variant the
 * enrolled actors as n (an actor with no event counts as 0) and the metric's sums, and
 * each variant after the first compared with the first.
 *
 * The sums are the current definition's: a metric whose kind or event changed counts
 * from then on (`MetricKey`). Rounding can leave a Σy² a hair below zero after refunds
 * bring values back to 0; it is read as 0.
 *
 * @throws {RangeError} when the options are invalid (the route checks them first).
 */
export function experimentOutcomes(
  config: Pick<ExperimentConfig, "variants" | "metrics">,
  enrolled: ReadonlyMap<string, number>,
  reading: { metrics: readonly MetricSumRow[]; unattributed: readonly UnattributedRow[] },
  srm: Pick<SrmResult, "status">,
  options: AnalysisOptions,
): Outcomes {
  const sameKey = (metric: MetricConfig) => (row: { metric: string; kind: string; event: string }) =>
    row.metric === metric.name && row.kind === metric.kind && row.event === metric.event;
  return {
    analysis: { ...analysisSettings(options), trustworthy: srm.status !== "mismatch" },
    metrics: config.metrics.map((metric) => {
      const rows = reading.metrics.filter(sameKey(metric));
      const unattributed = reading.unattributed.find(sameKey(metric))?.events ?? 0;
      const arms = config.variants.map(({ name }) => {
        const row = rows.find((r) => r.variant === name);
        return {
          name,
          n: enrolled.get(name) ?? 0,
          sum: row?.sum ?? 0,
          sum_squares: Math.max(0, row?.sum_squares ?? 0),
        };
      });
      return analyseMetric({ ...metric, unattributed }, arms, options);
    }),
  };
}

/** The alpha every automatic stop decides at, with the sequential method (valid at every look). */
export const AUTO_STOP_ALPHA = 0.05;

/**
 * The first guardrail metric whose sequential decision is `worse` for a variant, as the
 * counts stand: what stops an experiment with `auto_stop` on. The sequential method's
 * intervals hold at every sample size at once, which is what makes checking after every
 * batch of events valid (docs/STATISTICS.md); a fixed test checked that often would stop
 * good experiments by chance.
 */
export function guardrailBreach(
  config: Pick<ExperimentConfig, "variants" | "metrics">,
  reading: {
    counts: readonly Pick<CountRow, "variant" | "enrolled">[];
    metrics: readonly MetricSumRow[];
    unattributed: readonly UnattributedRow[];
  },
): { metric: string; variant: string } | null {
  const guardrails = config.metrics.filter((metric) => metric.role === "guardrail");
  if (guardrails.length === 0) return null;
  const enrolled = new Map<string, number>();
  for (const row of reading.counts) enrolled.set(row.variant, (enrolled.get(row.variant) ?? 0) + row.enrolled);
  const { metrics } = experimentOutcomes(
    { variants: config.variants, metrics: guardrails },
    enrolled,
    reading,
    { status: "ok" },
    { method: "sequential", alpha: AUTO_STOP_ALPHA },
  );
  for (const metric of metrics) {
    const worse = metric.comparisons.find((comparison) => comparison.decision === "worse");
    if (worse !== undefined) return { metric: metric.name, variant: worse.variant };
  }
  return null;
}
