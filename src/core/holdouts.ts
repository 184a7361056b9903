import { ExperimentError } from "./errors";
import { holdoutBucket } from "./hash";
import { hasRun } from "./lifecycle";
import { type MetricDefinition, metricConfig } from "./metrics";
import type { ExperimentConfig, MetricConfig } from "./types";
import { invalidField, isValidName, NAME_PATTERN, validateDescription, validateMetrics } from "./validation";

/**
 * Holdouts (not in the reference): a share of actors kept out of every experiment that
 * joins the holdout, to measure what those experiments add up to. Whether an actor is
 * held out is decided from the hash alone (`isHeldOut`); the holdout is measured like an
 * experiment with two arms, `held_out` (the baseline) and `exposed`.
 */

/** The largest share a holdout may keep back: half the population, in basis points. */
export const MAX_HOLDOUT_COVERAGE = 5000;

/** A holdout's arms, the baseline first. */
export const HOLDOUT_ARMS = ["held_out", "exposed"] as const;
export type HoldoutArm = (typeof HOLDOUT_ARMS)[number];

export interface HoldoutConfig {
  /** The experiment-name rules. */
  name: string;
  description: string | null;
  /** 1–5000 basis points: the share held out. Fixed once any member experiment has run. */
  coverage: number;
  metrics: MetricConfig[];
  created_at_secs: number;
  updated_at_secs: number;
}

/** What an admin's `PUT` gives. */
export interface HoldoutDefinition {
  coverage: number;
  description?: string | null;
  metrics?: MetricDefinition[];
}

/** A holdout as the history records a change to it (the experiments' `Change`). */
export interface HoldoutChange {
  holdout: HoldoutConfig;
  mutation: string;
}

/**
 * The key under which a holdout's counts and metric sums are kept (its stats object,
 * the actors' outbox rows, metric listeners): experiment names hold no `:`, so no
 * experiment's key is ever a holdout's.
 */
export function holdoutKey(name: string): string {
  return `${HOLDOUT_KEY_PREFIX}${name}`;
}

export const HOLDOUT_KEY_PREFIX = "holdout:";

/** Whether `actor` is held out: its holdout bucket falls below the coverage. */
export function isHeldOut(holdout: Pick<HoldoutConfig, "name" | "coverage">, actor: string): boolean {
  return holdoutBucket(holdout.name, actor) < holdout.coverage;
}

/**
 * Creates or replaces a holdout's definition. `members` are the experiments naming it:
 * once any of them has run, the coverage is fixed (`holdout_locked`), since it decides
 * who has been kept back.
 *
 * @throws {ExperimentError} `invalid_config` (name, coverage, description, metrics; with the field's pointer), `holdout_locked`.
 */
export function defineHoldout(
  name: string,
  definition: HoldoutDefinition,
  current: HoldoutConfig | null,
  members: readonly ExperimentConfig[],
  now: number,
): HoldoutChange {
  if (!isValidName(name))
    throw ExperimentError.invalidConfig(`invalid holdout name '${name}': must match ${NAME_PATTERN.source}`);
  const { coverage } = definition;
  if (!(Number.isInteger(coverage) && coverage >= 1 && coverage <= MAX_HOLDOUT_COVERAGE)) {
    const problem = `must be a whole number of basis points from 1 to ${MAX_HOLDOUT_COVERAGE}`;
    throw invalidField(`holdout coverage ${problem}, found ${coverage}`, "/coverage", problem);
  }
  const description = definition.description ?? null;
  if (description !== null) validateDescription(description);
  const metrics = (definition.metrics ?? []).map(metricConfig);
  validateMetrics(metrics);
  if (current !== null && coverage !== current.coverage) {
    const ran = members.find(hasRun);
    if (ran !== undefined) {
      throw ExperimentError.holdoutLocked(
        `the coverage of holdout '${name}' can only change while none of its experiments has run ('${ran.name}' has): it decides who has been kept back`,
      );
    }
  }
  const holdout = {
    name,
    description,
    coverage,
    metrics,
    created_at_secs: current?.created_at_secs ?? now,
    updated_at_secs: now,
  };
  const mutation = current === null ? "created" : coverage !== current.coverage ? `coverage=${coverage}` : "updated";
  return { holdout, mutation };
}

/**
 * Checks that a holdout may be deleted: no experiment that is not archived names it.
 * @throws {ExperimentError} `not_found`, `holdout_in_use` naming the experiments.
 */
export function checkHoldoutDeletable(
  name: string,
  current: HoldoutConfig | null,
  members: readonly ExperimentConfig[],
): void {
  if (current === null) throw new ExperimentError("not_found", `holdout '${name}' not found`);
  const using = members.filter((member) => member.state !== "archived").map((member) => member.name);
  if (using.length > 0) throw ExperimentError.holdoutInUse(name, using);
}

/** The experiments that name `holdout`, by name. */
export function holdoutMembers(holdout: string, experiments: readonly ExperimentConfig[]): ExperimentConfig[] {
  return experiments.filter((config) => config.holdout === holdout);
}

/**
 * The holdout as an experiment of two arms weighted by its coverage, for the results
 * (counts, sample-ratio check, metrics) that experiments use.
 */
export function holdoutAsExperiment(holdout: HoldoutConfig): Pick<ExperimentConfig, "variants" | "metrics"> {
  return {
    variants: [
      { name: "held_out", weight: holdout.coverage },
      { name: "exposed", weight: 10_000 - holdout.coverage },
    ],
    metrics: holdout.metrics,
  };
}
