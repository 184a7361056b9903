import * as v from "valibot";
import {
  type ExperimentConfig,
  type HoldoutConfig,
  METRIC_DIRECTIONS,
  METRIC_KINDS,
  METRIC_ROLES,
  type MetricConfig,
  TARGETING_OPERATORS,
  type VariantConfig,
} from "../../core";

/** A metric as version 1 stores it, in a config or a holdout. */
const StoredMetricV1Schema = v.object({
  name: v.string(),
  event: v.string(),
  kind: v.picklist(METRIC_KINDS),
  direction: v.picklist(METRIC_DIRECTIONS),
  role: v.picklist(METRIC_ROLES),
});

/** A variant as version 1 stores it, in a config and in the registry's `revisions` rows. */
export const StoredVariantV1Schema = v.object({ name: v.string(), weight: v.pipe(v.number(), v.integer()) });

/**
 * An experiment config as it is stored: version 1, the JSON that the registry's
 * `config` column (migrations 1 and 2) and format-1 KV snapshots hold. Written apart
 * from the API's `ExperimentConfigSchema` on purpose: the wire shape may change for
 * clients, what stored data decodes to must not. A new way of storing configs is a new
 * schema beside this one, with a new snapshot format or registry migration, and this
 * one keeps reading what was written before.
 *
 * Types and closed sets only (states, operators, hash versions): names, limits and
 * weights were the engine's to check when the registry wrote the config
 * (`validateConfig`), so they are not checked again on every read.
 * Not strict: fields a newer Worker adds are dropped, so its snapshots still parse.
 * Fields added after the first release default to what values written before them
 * meant.
 */
export const StoredConfigV1Schema = v.object({
  name: v.string(),
  description: v.nullable(v.string()),
  state: v.picklist(["draft", "running", "concluded", "archived"]),
  variants: v.array(StoredVariantV1Schema),
  winner: v.nullable(v.string()),
  exclusion_group: v.nullable(v.string()),
  /** Absent before targeting existed: everyone may enter. */
  targeting: v.optional(
    v.array(
      v.object({
        attribute: v.string(),
        // The engine's operators: a config with one it cannot evaluate is not readable.
        operator: v.picklist(TARGETING_OPERATORS),
        values: v.array(v.string()),
        case_insensitive: v.optional(v.boolean(), false),
      }),
    ),
    () => [],
  ),
  /** Basis points. Absent before coverage existed: everyone eligible (10,000). */
  coverage: v.optional(v.number(), 10_000),
  /** Absent before hash versions existed: the reference's FNV-1a 64. */
  hash_version: v.optional(v.picklist([1, 2]), 1),
  /**
   * Absent before metrics existed, and written only when there are some (so that a
   * config without metrics is stored byte for byte as before): none.
   */
  metrics: v.optional(v.array(StoredMetricV1Schema), () => []),
  /** Absent before layers existed, and written only when there is one: none. */
  layer: v.optional(v.nullable(v.object({ name: v.string(), range: v.tuple([v.number(), v.number()]) })), null),
  /** Absent before holdouts existed, and written only when there is one: none. */
  holdout: v.optional(v.nullable(v.string()), null),
  /** Absent before schedules existed, and written only when something is scheduled: nothing. */
  schedule: v.optional(
    v.nullable(
      v.object({
        start_at_secs: v.nullable(v.number()),
        conclude_at_secs: v.nullable(v.number()),
        winner: v.nullable(v.string()),
      }),
    ),
    null,
  ),
  /** Absent before automatic stops existed, and written only when on: off. */
  auto_stop: v.optional(v.boolean(), false),
  /** Absent before revisions existed: the first. */
  revision: v.optional(v.number(), 1),
  updated_at_secs: v.number(),
  /** Absent before it was recorded: null, as for a draft that never ran. */
  started_at_secs: v.optional(v.nullable(v.number()), null),
});

export type StoredVariantV1 = v.InferOutput<typeof StoredVariantV1Schema>;
export type StoredConfigV1 = v.InferOutput<typeof StoredConfigV1Schema>;
/** What version 1 writes: the fields that are absent when they hold their default may be. */
type OptionalV1 = "metrics" | "layer" | "holdout" | "schedule" | "auto_stop";
export type WrittenConfigV1 = Omit<StoredConfigV1, OptionalV1> & Partial<Pick<StoredConfigV1, OptionalV1>>;
type StoredMetricV1 = StoredConfigV1["metrics"][number];

/**
 * A stored config as the engine's `ExperimentConfig`: the one place where the stored
 * names meet the domain's, field by field (in the order every read has shown them).
 */
export function configFromStoredV1(stored: StoredConfigV1): ExperimentConfig {
  return {
    name: stored.name,
    description: stored.description,
    state: stored.state,
    variants: stored.variants,
    winner: stored.winner,
    exclusion_group: stored.exclusion_group,
    targeting: stored.targeting,
    coverage: stored.coverage,
    hash_version: stored.hash_version,
    metrics: stored.metrics,
    layer: stored.layer,
    holdout: stored.holdout,
    schedule: stored.schedule,
    auto_stop: stored.auto_stop,
    revision: stored.revision,
    updated_at_secs: stored.updated_at_secs,
    started_at_secs: stored.started_at_secs,
  };
}

/**
 * What is stored for `config`: every field of version 1 and nothing else (a caller's
 * stray field never reaches storage).
 *
 * @example
 * JSON.stringify(storedConfigV1(config)) // the registry's `config` column
 */
export function storedConfigV1(config: ExperimentConfig): WrittenConfigV1 {
  return {
    name: config.name,
    description: config.description,
    state: config.state,
    variants: storedVariantsV1(config.variants),
    winner: config.winner,
    exclusion_group: config.exclusion_group,
    targeting: config.targeting.map((c) => ({
      attribute: c.attribute,
      operator: c.operator,
      values: c.values,
      case_insensitive: c.case_insensitive,
    })),
    coverage: config.coverage,
    hash_version: config.hash_version,
    // Only when there are some: what a config without metrics stores is what it stored before.
    ...(config.metrics.length > 0 ? { metrics: config.metrics.map(storedMetricV1) } : {}),
    ...(config.layer !== null ? { layer: { name: config.layer.name, range: [...config.layer.range] } } : {}),
    ...(config.holdout !== null ? { holdout: config.holdout } : {}),
    ...(config.schedule !== null ? { schedule: { ...config.schedule } } : {}),
    ...(config.auto_stop ? { auto_stop: true } : {}),
    revision: config.revision,
    updated_at_secs: config.updated_at_secs,
    started_at_secs: config.started_at_secs,
  };
}

function storedMetricV1({ name, event, kind, direction, role }: MetricConfig): StoredMetricV1 {
  return { name, event, kind, direction, role };
}

/** Variants as version 1 stores them. */
export function storedVariantsV1(variants: readonly VariantConfig[]): StoredVariantV1[] {
  return variants.map(({ name, weight }) => ({ name, weight }));
}

/**
 * A holdout as version 1 stores it: the registry's `holdouts` rows (migration 3) and the
 * `holdouts` of format-1 KV snapshots. Apart from the API's schema, as configs are.
 */
export const StoredHoldoutV1Schema = v.object({
  name: v.string(),
  description: v.nullable(v.string()),
  coverage: v.number(),
  metrics: v.array(StoredMetricV1Schema),
  created_at_secs: v.number(),
  updated_at_secs: v.number(),
});

export type StoredHoldoutV1 = v.InferOutput<typeof StoredHoldoutV1Schema>;

/** What is stored for a holdout: every field of version 1 and nothing else. */
export function storedHoldoutV1(holdout: HoldoutConfig): StoredHoldoutV1 {
  return {
    name: holdout.name,
    description: holdout.description,
    coverage: holdout.coverage,
    metrics: holdout.metrics.map(storedMetricV1),
    created_at_secs: holdout.created_at_secs,
    updated_at_secs: holdout.updated_at_secs,
  };
}
