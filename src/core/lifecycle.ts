import { ExperimentError } from "./errors";
import { rangesOverlap } from "./layers";
import { type MetricDefinition, metricConfig } from "./metrics";
import { type ScheduleDefinition, scheduleConfig, withoutSchedulePart } from "./schedule";
import type { TargetingCondition } from "./targeting";
import type { ExperimentConfig, HashVersion, LayerConfig, VariantConfig } from "./types";
import { requireVariant, validateConfig, validateCoverage, validateVariants } from "./validation";

/**
 * The lifecycle rules as pure functions from the current config to the next one and
 * the history string that records it. Every store applies them inside its own atomic
 * read-modify-write (`ExperimentRepository.update`), so a rule is written once and a
 * transition can never interleave with another.
 */
export interface Change {
  config: ExperimentConfig;
  /** The history string, in the reference's words (`created`, `state=running`, …). */
  mutation: string;
}

/** The part of a config an admin defines; state and winner are the lifecycle's. */
export interface ExperimentDefinition {
  variants: VariantConfig[];
  description: string | null;
  exclusion_group: string | null;
  /** Default: none, everyone may enter. */
  targeting?: TargetingCondition[];
  /** Default: `FULL_COVERAGE`. */
  coverage?: number;
  /** Default: 1, the reference's bucketing. */
  hash_version?: HashVersion;
  /** Default: none. Each metric's own defaults are filled in (`metricConfig`). */
  metrics?: MetricDefinition[];
  /** Default: none. */
  layer?: LayerConfig | null;
  /** Default: none. */
  holdout?: string | null;
  /** Default: nothing scheduled. */
  schedule?: ScheduleDefinition | null;
  /** Default: false. */
  auto_stop?: boolean;
}

/** Coverage when none is given: everyone eligible may enter. */
export const FULL_COVERAGE = 10_000;

/** A draft config, like the reference's `ExperimentConfig::new`. */
export function experimentConfig(
  name: string,
  variants: VariantConfig[],
  options: Partial<
    Pick<
      ExperimentConfig,
      | "description"
      | "exclusion_group"
      | "targeting"
      | "coverage"
      | "hash_version"
      | "metrics"
      | "layer"
      | "holdout"
      | "schedule"
      | "auto_stop"
    >
  > = {},
): ExperimentConfig {
  return {
    name,
    description: options.description ?? null,
    state: "draft",
    variants,
    winner: null,
    exclusion_group: options.exclusion_group ?? null,
    targeting: options.targeting ?? [],
    coverage: options.coverage ?? FULL_COVERAGE,
    hash_version: options.hash_version ?? 1,
    metrics: options.metrics ?? [],
    layer: options.layer ?? null,
    holdout: options.holdout ?? null,
    schedule: options.schedule ?? null,
    auto_stop: options.auto_stop ?? false,
    revision: 1,
    updated_at_secs: 0,
    started_at_secs: null,
  };
}

function existing(name: string, current: ExperimentConfig | null): ExperimentConfig {
  if (current === null) throw ExperimentError.notFound(name);
  return current;
}

function notArchived(name: string, current: ExperimentConfig | null): ExperimentConfig {
  const config = existing(name, current);
  if (config.state === "archived") throw ExperimentError.archived(name);
  return config;
}

/**
 * The reference's `create`: validates, then inserts or replaces the whole config. The
 * departures guard what actors were assigned under: once an experiment has run, its
 * exclusion group (`group_locked`), hash version (`hash_locked`), layer slice
 * (`layer_locked`) and holdout (`holdout_locked`) are fixed; when it
 * first started is kept whatever the new config says; and the revision grows when the
 * variants or weights change.
 */
export function upsertConfig(config: ExperimentConfig, current: ExperimentConfig | null, now: number): Change {
  validateConfig(config);
  if (current !== null && hasRun(current)) {
    if (config.exclusion_group !== current.exclusion_group) throw ExperimentError.groupLocked(config.name);
    if (config.hash_version !== current.hash_version) throw ExperimentError.hashLocked(config.name);
    if (!sameLayer(config.layer, current.layer)) throw ExperimentError.layerLocked(config.name);
    if (config.holdout !== current.holdout) {
      throw ExperimentError.holdoutLocked(
        `the holdout of experiment '${config.name}' can only change while it is a draft that never ran: ` +
          "who was held out of it, and who was exposed, would be mixed",
      );
    }
  }
  const startedAt = current?.started_at_secs ?? (config.state === "draft" ? null : now);
  return {
    config: {
      ...config,
      updated_at_secs: now,
      started_at_secs: startedAt,
      revision: revisionAfter(current, config.variants),
    },
    mutation: current === null ? "created" : "updated",
  };
}

function sameLayer(a: LayerConfig | null, b: LayerConfig | null): boolean {
  if (a === null || b === null) return a === b;
  return a.name === b.name && a.range[0] === b.range[0] && a.range[1] === b.range[1];
}

/** 1 for a new experiment; one more than before when the variants or weights change. */
function revisionAfter(current: ExperimentConfig | null, variants: readonly VariantConfig[]): number {
  if (current === null) return 1;
  const same =
    current.variants.length === variants.length &&
    current.variants.every((v, i) => v.name === variants[i]?.name && v.weight === variants[i]?.weight);
  return same ? current.revision : current.revision + 1;
}

/**
 * Whether actors may have been assigned: anything but a draft that never started. Its
 * exclusion group is then fixed, since an actor already in it (or in another group's
 * experiment) would otherwise end up in two experiments of one group.
 */
export function hasRun(config: ExperimentConfig): boolean {
  return config.state !== "draft" || config.started_at_secs !== null;
}

/**
 * An admin's `PUT`: a new experiment starts as a draft; an existing one gets the new
 * definition and keeps its state and winner. Archived experiments are frozen. The
 * definition replaces the old one whole: targeting, coverage and metrics left out are
 * the defaults (none, full, none), not the previous values. Metrics may change in any
 * state but archived, recorded as `updated` like any definition: a metric added while
 * running counts from then on.
 */
export function defineExperiment(
  name: string,
  definition: ExperimentDefinition,
  current: ExperimentConfig | null,
  now: number,
): Change {
  const defined = {
    ...definition,
    targeting: definition.targeting ?? [],
    coverage: definition.coverage ?? FULL_COVERAGE,
    hash_version: definition.hash_version ?? 1,
    metrics: (definition.metrics ?? []).map(metricConfig),
    layer: definition.layer ?? null,
    holdout: definition.holdout ?? null,
    schedule: scheduleConfig(definition.schedule, definition.variants, now),
    auto_stop: definition.auto_stop ?? false,
  };
  if (current === null) return upsertConfig({ ...experimentConfig(name, definition.variants), ...defined }, null, now);
  const config = notArchived(name, current);
  return upsertConfig({ ...config, ...defined }, config, now);
}

/**
 * Draft or concluded → running. Archived is terminal. `others` are the other
 * experiments: one running on an overlapping range of the same layer refuses the start
 * (`layer_overlap`), since an actor could then enter both.
 */
export function startExperiment(
  name: string,
  current: ExperimentConfig | null,
  now: number,
  others: readonly ExperimentConfig[] = [],
): Change {
  const config = notArchived(name, current);
  const { layer } = config;
  if (layer !== null) {
    const clash = others.find(
      (other) =>
        other.name !== name &&
        other.state === "running" &&
        other.layer?.name === layer.name &&
        rangesOverlap(other.layer.range, layer.range),
    );
    if (clash !== undefined) throw ExperimentError.layerOverlap(name, clash.name, layer.name);
  }
  return {
    config: {
      ...config,
      state: "running",
      updated_at_secs: now,
      started_at_secs: config.started_at_secs ?? now,
      // Started now: a scheduled start is moot (a scheduled conclusion stays).
      schedule: withoutSchedulePart(config.schedule, "start"),
    },
    mutation: "state=running",
  };
}

/** Pins `winner` for every actor. */
export function concludeExperiment(
  name: string,
  winner: string,
  current: ExperimentConfig | null,
  now: number,
): Change {
  const config = notArchived(name, current);
  requireVariant(config, winner, "winner");
  return {
    // Concluded now: the whole schedule is moot.
    config: { ...config, state: "concluded", winner, updated_at_secs: now, schedule: null },
    mutation: `concluded=${winner}`,
  };
}

/** Any state → archived, for good. Archiving again is `archived`: nothing changes, nothing is recorded. */
export function archiveExperiment(name: string, current: ExperimentConfig | null, now: number): Change {
  const config = notArchived(name, current);
  return {
    config: { ...config, state: "archived", updated_at_secs: now, schedule: null },
    mutation: "state=archived",
  };
}

/**
 * The schedule's due part, fired: a start of a draft or concluded experiment, or a
 * conclusion of a draft or running one, each clearing what it makes moot. A part that
 * finds nothing to do (the experiment was archived, say) is cleared and recorded as
 * such. `others` as for `startExperiment`.
 *
 * @throws {ExperimentError} what the start or conclusion throws (`layer_overlap`, a winner no longer configured)
 */
export function fireSchedule(
  name: string,
  part: "start" | "conclude",
  current: ExperimentConfig | null,
  now: number,
  others: readonly ExperimentConfig[] = [],
): Change {
  const config = existing(name, current);
  const winner = config.schedule?.winner ?? null;
  if (part === "start" && (config.state === "draft" || config.state === "concluded")) {
    return startExperiment(name, config, now, others);
  }
  if (part === "conclude" && winner !== null && (config.state === "draft" || config.state === "running")) {
    return concludeExperiment(name, winner, config, now);
  }
  return skipSchedule(config, part, `nothing to do while ${config.state}`, now);
}

/** Clears a due part that cannot fire, and records why: `schedule_skipped=start (…)`. */
export function skipSchedule(config: ExperimentConfig, part: "start" | "conclude", why: string, now: number): Change {
  return {
    config: { ...config, schedule: withoutSchedulePart(config.schedule, part), updated_at_secs: now },
    mutation: `schedule_skipped=${part} (${why})`,
  };
}

/** A guardrail metric that got worse for a variant: what an automatic stop names. */
export interface GuardrailBreach {
  metric: string;
  variant: string;
}

/**
 * Concludes a running experiment with `auto_stop` on the baseline (its first variant),
 * recorded with the breach: `concluded=control (guardrail errors: slow worse)`.
 *
 * @throws {ExperimentError} `not_running` when it is not running or `auto_stop` is off (nothing to do)
 */
export function autoStopExperiment(
  name: string,
  breach: GuardrailBreach,
  current: ExperimentConfig | null,
  now: number,
): Change {
  const config = existing(name, current);
  const baseline = config.variants[0]?.name;
  if (config.state !== "running" || !config.auto_stop || baseline === undefined) {
    throw ExperimentError.notRunning(name, config.state);
  }
  const { config: concluded } = concludeExperiment(name, baseline, config, now);
  return {
    config: concluded,
    mutation: `concluded=${baseline} (guardrail ${breach.metric}: ${breach.variant} worse)`,
  };
}

/** New weights (and possibly variants) for a draft or running experiment. */
export function setExperimentWeights(
  name: string,
  variants: VariantConfig[],
  current: ExperimentConfig | null,
  now: number,
): Change {
  validateVariants(variants);
  const config = draftOrRunning(name, current);
  return {
    config: { ...config, variants, revision: revisionAfter(config, variants), updated_at_secs: now },
    mutation: "set_weights",
  };
}

/** A new coverage (a ramp) for a draft or running experiment; enrolled actors stay enrolled. */
export function setExperimentCoverage(
  name: string,
  coverage: number,
  current: ExperimentConfig | null,
  now: number,
): Change {
  validateCoverage(coverage);
  const config = draftOrRunning(name, current);
  return { config: { ...config, coverage, updated_at_secs: now }, mutation: `coverage=${coverage}` };
}

/** Weights and coverage change only while the experiment can still enrol actors. */
function draftOrRunning(name: string, current: ExperimentConfig | null): ExperimentConfig {
  const config = existing(name, current);
  if (config.state === "concluded") throw ExperimentError.notRunning(name, config.state);
  if (config.state === "archived") throw ExperimentError.archived(name);
  return config;
}
