import { expectedEnrolments, type RevisionCounts, type SrmResult, srmCheck } from "./srm";
import type { ExperimentConfig, HashVersion, VariantConfig } from "./types";

/** Counted events of one variant, one UTC day and one config revision. */
export interface CountRow {
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  revision: number;
  variant: string;
  enrolled: number;
  exposures: number;
}

/** Rows added up per day, revision and variant, in first-seen order. */
export function sumCountRows(rows: Iterable<CountRow>): CountRow[] {
  const sums = new Map<string, CountRow>();
  for (const row of rows) {
    const key = `${row.day}\u0000${row.revision}\u0000${row.variant}`;
    const sum = sums.get(key);
    if (sum === undefined) sums.set(key, { ...row });
    else {
      sum.enrolled += row.enrolled;
      sum.exposures += row.exposures;
    }
  }
  return [...sums.values()];
}

/** The variants and weights of one config revision. */
export interface RevisionWeights {
  revision: number;
  variants: VariantConfig[];
}

/** What `GET …/results` answers: counts per variant, the sample-ratio check, and the days. */
export interface ExperimentResults {
  experiment: string;
  state: ExperimentConfig["state"];
  hash_version: HashVersion;
  as_of_secs: number;
  variants: {
    name: string;
    weight: number;
    enrolled: number;
    exposures: number;
    /** This variant's share of all enrolments; `null` before any. */
    observed_share: number | null;
    /** The share the weights in force at each enrolment give it; today's weights before any. */
    expected_share: number;
  }[];
  srm: SrmResult;
  daily: { day: string; variants: Record<string, { enrolled: number; exposures: number }> }[];
}

/**
 * The results of one experiment from its counted events. Each enrolment is held
 * against the weights of the revision it happened under (a revision with no recorded
 * weights falls back to today's), so a weight change does not look like a mismatch.
 */
export function experimentResults(
  config: Pick<ExperimentConfig, "name" | "state" | "hash_version" | "variants">,
  revisions: readonly RevisionWeights[],
  rows: readonly CountRow[],
  asOfSecs: number,
): ExperimentResults {
  const weightsOf = new Map(revisions.map((r) => [r.revision, weightMap(r.variants)]));
  const byRevision = new Map<number, RevisionCounts>();
  const totals = new Map<string, { enrolled: number; exposures: number }>();
  const days = new Map<string, Record<string, { enrolled: number; exposures: number }>>();
  for (const row of rows) {
    const counts = byRevision.get(row.revision) ?? {
      weights: weightsOf.get(row.revision) ?? weightMap(config.variants),
      enrolled: record<number>(),
    };
    counts.enrolled[row.variant] = (counts.enrolled[row.variant] ?? 0) + row.enrolled;
    byRevision.set(row.revision, counts);
    add(totals, row.variant, row);
    const day = days.get(row.day) ?? record<{ enrolled: number; exposures: number }>();
    day[row.variant] = sum(day[row.variant], row);
    days.set(row.day, day);
  }
  const revisionCounts = [...byRevision.values()];
  const expected = expectedEnrolments(revisionCounts);
  const expectedTotal = Object.values(expected).reduce((a, b) => a + b, 0);
  const weightTotal = config.variants.reduce((a, v) => a + v.weight, 0);
  const enrolledTotal = [...totals.values()].reduce((a, t) => a + t.enrolled, 0);
  return {
    experiment: config.name,
    state: config.state,
    hash_version: config.hash_version,
    as_of_secs: asOfSecs,
    variants: config.variants.map(({ name, weight }) => {
      const { enrolled, exposures } = totals.get(name) ?? { enrolled: 0, exposures: 0 };
      return {
        name,
        weight,
        enrolled,
        exposures,
        observed_share: enrolledTotal === 0 ? null : enrolled / enrolledTotal,
        expected_share:
          expectedTotal > 0 ? (expected[name] ?? 0) / expectedTotal : weightTotal > 0 ? weight / weightTotal : 0,
      };
    }),
    srm: srmCheck(revisionCounts),
    daily: [...days].sort(([a], [b]) => (a < b ? -1 : 1)).map(([day, variants]) => ({ day, variants })),
  };
}

/**
 * A record keyed by variant names, without a prototype: a variant may be called
 * `__proto__`, which on a plain object would reach the prototype instead of a key.
 */
function record<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

function weightMap(variants: readonly VariantConfig[]): Record<string, number> {
  return Object.fromEntries(variants.map((v) => [v.name, v.weight]));
}

function sum(
  a: { enrolled: number; exposures: number } | undefined,
  b: { enrolled: number; exposures: number },
): { enrolled: number; exposures: number } {
  return { enrolled: (a?.enrolled ?? 0) + b.enrolled, exposures: (a?.exposures ?? 0) + b.exposures };
}

function add(
  totals: Map<string, { enrolled: number; exposures: number }>,
  variant: string,
  row: { enrolled: number; exposures: number },
) {
  totals.set(variant, sum(totals.get(variant), row));
}

/** The UTC day of a timestamp, `YYYY-MM-DD`. */
export function utcDay(timestampSecs: number): string {
  return new Date(timestampSecs * 1000).toISOString().slice(0, 10);
}
