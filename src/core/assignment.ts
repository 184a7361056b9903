import { ExperimentError, type Result } from "./errors";
import { coverageBucket, experimentBucket, experimentBucketV2, layerBucket } from "./hash";
import { type HoldoutArm, type HoldoutConfig, isHeldOut } from "./holdouts";
import { selectVariant } from "./select";
import { type Attributes, compileTargeting, type TargetingPredicate } from "./targeting";
import type { Assignment, ExperimentConfig } from "./types";

/**
 * The reference's `assign()` rules, with eligibility added, split where the data lives:
 *
 *   1. archived  → `archived`                      ┐
 *   2. concluded → the winner, no exposure          │ `planAssignment`: decided from the
 *   3. draft     → `not_running`                    │ config and the caller's attributes,
 *   (eligibility, bucket and weighted choice are    │ statelessly, at the edge
 *    computed here)                                 ┘
 *   4. override  → the override variant             ┐
 *   5. sticky    → the stored variant               │ `resolveAtStore`: one serialised step
 *   6. eligibility: targeting, layer, coverage      │ of the store that owns the actor's
 *      → `not_eligible`, nothing stored             │ records, returning what is persisted
 *   6½. holdout: a held-out actor gets the baseline │
 *      (its arm recorded once), nothing stored      │
 *   7. exclusion → `excluded_by_group`              │
 *   8. insert the bucketed variant, first writer    │
 *      wins (or `no_variant` if all weights are 0)  ┘
 *
 * Computing eligibility and the bucket before the store call costs a few hundred
 * nanoseconds that rules 4 and 5 may not need, and buys a single round trip to the
 * store. Eligibility only gates new enrolments: an override (QA must reach any
 * variant) and a sticky assignment (once enrolled, always enrolled) come first.
 */

/** What the store needs to finish an assignment (rules 4–8) for one experiment. */
export interface AssignRequest {
  experiment: string;
  /** The configured variant names: an override naming anything else is stale and skipped. */
  variants: string[];
  exclusion_group: string | null;
  /** Why rule 6 keeps the actor out (targeting or coverage), or `null` when it may enter. */
  ineligible: string | null;
  /** Rule 8's weighted choice, or `null` when every weight is zero (or the actor is ineligible). */
  candidate: string | null;
  /**
   * The experiment's holdout, decided from the hash: whether the actor is held out, and
   * the baseline it then gets. `null`: the experiment has no holdout (or the actor is
   * ineligible, which records no arm). Absent from a Worker of an older version (during
   * a deploy): none.
   */
  holdout?: { name: string; held_out: boolean; baseline: string } | null;
}

/** A config with its targeting compiled once, as the edge keeps it for a whole snapshot. */
export interface PreparedExperiment {
  config: ExperimentConfig;
  /** -1 when every targeting condition holds, else the index of the first that does not. */
  matches: TargetingPredicate;
  /** The holdout the config names, as known with it (`null`: none, or unknown). */
  holdout: Pick<HoldoutConfig, "name" | "coverage"> | null;
}

export function prepareExperiment(
  config: ExperimentConfig,
  holdout: Pick<HoldoutConfig, "name" | "coverage"> | null = null,
): PreparedExperiment {
  return { config, matches: compileTargeting(config.targeting), holdout };
}

/** The variant an actor sees, whether an override chose it, and the holdout that kept it back, if one did. */
export interface Assigned {
  variant: string;
  is_override: boolean;
  /** Present only for an actor held out of the experiment: it gets the baseline, and is not enrolled. */
  holdout?: string;
}

/**
 * The persisted result of rules 4–8, or the error that ended them (plain data: it
 * crosses RPC). `enrolled`: this call created the actor's sticky assignment (rule 8).
 */
export type AssignOutcome = Result<Assigned & { enrolled: boolean }>;

/**
 * The result of an assignment, as the caller sees it: `exposed` says whether an
 * exposure is owed, `enrolled` whether an enrolment happened.
 */
export type AssignResult = Result<Assigned & { exposed: boolean; enrolled: boolean }>;

export type Plan = { kind: "decided"; result: AssignResult } | { kind: "store"; request: AssignRequest };

/**
 * Rules 1–3, eligibility and the bucket for rule 8. `prepared` is `null` for an unknown
 * experiment.
 *
 * With `known` (the caller knows whether the actor has an override), an ineligible
 * actor outside the experiment's layer range is refused here, with no store call: no
 * override puts it in, and it cannot have a sticky assignment, since the range is fixed
 * once the experiment has run (`layer_locked`) and only actors inside it ever enrolled.
 */
export function planAssignment(
  experiment: string,
  actor: string,
  prepared: PreparedExperiment | null,
  attributes: Attributes,
  known?: { overridden: boolean },
): Plan {
  if (prepared === null) return failed(ExperimentError.notFound(experiment));
  const { config } = prepared;
  switch (config.state) {
    case "archived":
      return failed(ExperimentError.archived(experiment));
    case "concluded":
      if (config.winner === null) return failed(ExperimentError.noVariant(experiment));
      return {
        kind: "decided",
        result: { ok: true, value: { variant: config.winner, is_override: false, exposed: false, enrolled: false } },
      };
    case "draft":
      return failed(ExperimentError.notRunning(experiment, "draft"));
    case "running": {
      const ineligible = ineligibility(experiment, actor, prepared, attributes);
      if (ineligible !== null && known?.overridden === false && !inLayerRange(config, actor)) {
        return failed(ExperimentError.notEligible(experiment, ineligible));
      }
      return {
        kind: "store",
        request: {
          experiment,
          variants: config.variants.map((v) => v.name),
          exclusion_group: config.exclusion_group,
          ineligible,
          candidate: ineligible === null ? selectVariant(config.variants, variantBucket(config, actor)) : null,
          holdout: ineligible === null ? holdoutRequest(prepared, actor) : null,
        },
      };
    }
  }
}

/** The actor's variant bucket, by the experiment's hash version. */
export function variantBucket(config: ExperimentConfig, actor: string): number {
  return config.hash_version === 2 ? experimentBucketV2(config.name, actor) : experimentBucket(config.name, actor);
}

/**
 * Rule 6: why `actor` may not enter, or `null`. Every targeting condition must hold,
 * then the actor's layer bucket must fall in the experiment's range of its layer, then
 * the actor's coverage bucket (a hash independent of the variant bucket, so
 * ramping coverage moves nobody between variants) must fall below the coverage.
 */
function ineligibility(
  experiment: string,
  actor: string,
  { config, matches }: PreparedExperiment,
  attributes: Attributes,
): string | null {
  const failing = matches(attributes);
  if (failing >= 0) {
    const condition = config.targeting[failing];
    return `targeting[${failing}] (${condition?.attribute} ${condition?.operator}) does not hold`;
  }
  const { layer } = config;
  if (layer !== null && !inLayerRange(config, actor)) {
    return `outside its range of layer '${layer.name}' ([${layer.range[0]}, ${layer.range[1]}) of 10000)`;
  }
  if (config.coverage < 10_000 && coverageBucket(experiment, actor) >= config.coverage) {
    return `outside its coverage (${config.coverage} of 10000 basis points)`;
  }
  return null;
}

/** The experiment's holdout for this actor: held out or not (a stateless hash), and the baseline. */
function holdoutRequest({ config, holdout }: PreparedExperiment, actor: string): AssignRequest["holdout"] {
  const baseline = config.variants[0]?.name;
  if (holdout === null || baseline === undefined) return null;
  return { name: holdout.name, held_out: isHeldOut(holdout, actor), baseline };
}

/** Whether the actor's layer bucket falls in the experiment's range of its layer (true without a layer). */
function inLayerRange({ layer }: ExperimentConfig, actor: string): boolean {
  if (layer === null) return true;
  const bucket = layerBucket(layer.name, actor);
  return bucket >= layer.range[0] && bucket < layer.range[1];
}

function failed(error: ExperimentError): Plan {
  return { kind: "decided", result: { ok: false, error: error.failure } };
}

/** Turns a store outcome into the caller's result: a running experiment owes an exposure, unless its holdout kept the actor back. */
export function outcomeResult(outcome: AssignOutcome): AssignResult {
  if (!outcome.ok) return outcome;
  return { ok: true, value: { ...outcome.value, exposed: outcome.value.holdout === undefined } };
}

/**
 * One actor's records, as a store sees them inside its serialised step. An override
 * lives beside the sticky assignment and shadows it; it never replaces it, so removing
 * the override gives the actor back exactly what it had. (The reference overwrites the
 * sticky row instead; see the README.)
 */
export interface ActorRecords {
  override(experiment: string): string | null;
  /** The sticky assignment bucketing made (rows written before overrides shadowed may say `is_override`). */
  assignment(experiment: string): { variant: string; is_override: boolean } | null;
  /**
   * Whether the actor is in another experiment of exclusion group `group`: it has a
   * sticky assignment there, or has been answered with an override that still exists.
   * `siblings` are the group's other experiments as the caller's config knows them; a
   * store that records each assignment's group (the actor object) also finds those a
   * stale config does not know yet.
   */
  inGroup(experiment: string, group: string, siblings: readonly string[]): boolean;
  /** Stores the bucketed variant as the actor's sticky assignment, with the experiment's group. */
  put(experiment: string, variant: string, group: string | null): void;
  /** Notes that the actor was answered with its override; from then on it counts for exclusion. */
  markOverrideAnswered(experiment: string, group: string | null): void;
  /** Records the actor's arm of a holdout, the first time it passes eligibility for a member (later calls change nothing). */
  joinHoldout(holdout: string, arm: HoldoutArm): void;
}

/**
 * Rules 4–8 for one experiment. The caller must run this with no other writer to the
 * actor's records in between (a transaction under a per-actor lock, or a Durable
 * Object's single thread), which is what makes the first writer win: the sticky check
 * and the insert see the same state.
 *
 * @param siblings the other experiments of the request's exclusion group
 */
export function resolveAtStore(
  records: ActorRecords,
  request: AssignRequest,
  siblings: readonly string[],
): AssignOutcome {
  const { experiment } = request;
  // 4. An override wins over everything, exclusion included; a stale one is skipped.
  //    It shadows the sticky assignment, which stays stored for when it is removed.
  const override = records.override(experiment);
  if (override !== null && request.variants.includes(override)) {
    records.markOverrideAnswered(experiment, request.exclusion_group);
    return { ok: true, value: { variant: override, is_override: true, enrolled: false } };
  }
  // 5. Sticky: never re-bucketed, whatever the weights, targeting or coverage are now.
  const sticky = records.assignment(experiment);
  if (sticky !== null) {
    return { ok: true, value: { variant: sticky.variant, is_override: sticky.is_override, enrolled: false } };
  }
  // 6. Eligibility, decided at the edge: an ineligible actor is refused and nothing is stored.
  if (request.ineligible !== null) {
    return { ok: false, error: ExperimentError.notEligible(experiment, request.ineligible).failure };
  }
  // 6½. The holdout: its arm recorded once; a held-out actor gets the baseline, and
  //     nothing of the experiment is stored (no sticky row, no group slot, no enrolment).
  const holdout = request.holdout ?? null;
  if (holdout !== null) {
    records.joinHoldout(holdout.name, holdout.held_out ? "held_out" : "exposed");
    if (holdout.held_out) {
      return {
        ok: true,
        value: { variant: holdout.baseline, is_override: false, enrolled: false, holdout: holdout.name },
      };
    }
  }
  // 7. Mutual exclusion against the other experiments of the group.
  if (request.exclusion_group !== null && records.inGroup(experiment, request.exclusion_group, siblings)) {
    return { ok: false, error: ExperimentError.excludedByGroup(experiment, request.exclusion_group).failure };
  }
  // 8. The bucketed choice becomes sticky.
  if (request.candidate === null) return { ok: false, error: ExperimentError.noVariant(experiment).failure };
  records.put(experiment, request.candidate, request.exclusion_group);
  return { ok: true, value: { variant: request.candidate, is_override: false, enrolled: true } };
}

/**
 * What an assignment lookup shows for one actor: the override while one exists (it is
 * what the actor gets; `assigned_at_secs` is when it was set), else the sticky
 * assignment, else nothing.
 */
export function lookupAssignment(
  experiment: string,
  actor: string,
  override: { variant: string; set_at_secs: number } | undefined,
  sticky: { variant: string; is_override: boolean; assigned_at_secs: number } | undefined,
): Assignment | null {
  if (override !== undefined) {
    return { experiment, actor, variant: override.variant, is_override: true, assigned_at_secs: override.set_at_secs };
  }
  if (sticky === undefined) return null;
  return {
    experiment,
    actor,
    variant: sticky.variant,
    is_override: sticky.is_override,
    assigned_at_secs: sticky.assigned_at_secs,
  };
}
