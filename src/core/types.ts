import type { TargetingCondition } from "./targeting";

/**
 * The data types of the reference module, with its serde field names (snake_case) so
 * that the JSON is identical. Absent optional values are `null`, as serde writes them.
 */

/** Which bucketing function assigns variants: see `ExperimentConfig.hash_version`. */
export type HashVersion = 1 | 2;

/** Lifecycle state: `draft → running → concluded`, `archived` from any state. */
export type ExperimentState = "draft" | "running" | "concluded" | "archived";

/** One variant and its relative weight (weights need not sum to anything; 0 disables). */
export interface VariantConfig {
  name: string;
  weight: number;
}

/** What a metric measures per actor: see `MetricConfig.kind`. */
export type MetricKind = "conversion" | "sum";

/** Which way a metric should move for a variant to be better. */
export type MetricDirection = "increase" | "decrease";

/** A goal decides the experiment; a guardrail must not get worse. */
export type MetricRole = "goal" | "guardrail";

/**
 * One metric of an experiment (not in the reference), with every default filled in.
 * Metrics are defined now and measured once events are tracked; a metric added while
 * the experiment runs counts events from then on.
 */
export interface MetricConfig {
  /** Unique within the experiment; the experiment-name rules. */
  name: string;
  /** The event it listens to (default: `name`). */
  event: string;
  /**
   * `conversion`: an actor's value is 1 if it sent the event at least once after
   * enrolling, else 0. `sum`: the sum of the event's values after enrolling, each
   * defaulting to 1 (a count is a `sum` of events without values); values may be negative.
   */
  kind: MetricKind;
  direction: MetricDirection;
  role: MetricRole;
}

/**
 * An experiment's share of a layer (not in the reference): a slice `[start, end)` of the
 * layer's 10,000 basis points. Experiments of one layer whose slices do not overlap
 * never share an actor, decided from the hash alone (`layerBucket`).
 */
export interface LayerConfig {
  /** The exclusion-group name rules. */
  name: string;
  /** `0 ≤ start < end ≤ 10000`: the half-open range of layer buckets that may enter. */
  range: [number, number];
}

/** When the registry starts or concludes the experiment by itself (not in the reference); each part cleared once it fires. */
export interface ScheduleConfig {
  start_at_secs: number | null;
  conclude_at_secs: number | null;
  /** The winner of the scheduled conclusion; set exactly when `conclude_at_secs` is. */
  winner: string | null;
}

export interface ExperimentConfig {
  name: string;
  description: string | null;
  state: ExperimentState;
  variants: VariantConfig[];
  /** Set when concluded: the variant every actor sees. */
  winner: string | null;
  /** Actors assigned to one experiment of a group are excluded from its siblings. */
  exclusion_group: string | null;
  /**
   * Who may enter (not in the reference): every condition must hold for an actor to be
   * enrolled. Empty: everyone.
   */
  targeting: TargetingCondition[];
  /**
   * How much of the eligible traffic may enter, in basis points (`10000`: all). Ramping
   * it moves nobody: enrolled actors stay, new ones follow the new share.
   */
  coverage: number;
  /**
   * How actors are bucketed into variants (not in the reference): `1`, the reference's
   * FNV-1a 64 mod 10 000; `2`, the same finalized with fmix64 (`bucketV2`), which is
   * uniform and independent across experiments on sequential ids. Fixed once it has run.
   */
  hash_version: HashVersion;
  /** At most 10, names unique (not in the reference). Empty: none. */
  metrics: MetricConfig[];
  /** The layer slice an actor's layer bucket must fall in to enter; `null`: no layer. Fixed once it has run. */
  layer: LayerConfig | null;
  /**
   * The holdout the experiment belongs to (`null`: none): actors the holdout keeps back
   * get the baseline and are not enrolled. Fixed once it has run.
   */
  holdout: string | null;
  /** What the registry will do by itself, and when; `null`: nothing scheduled. */
  schedule: ScheduleConfig | null;
  /**
   * Conclude on the baseline by itself as soon as a guardrail metric's sequential
   * decision is `worse` for any variant (not in the reference).
   */
  auto_stop: boolean;
  /**
   * Grows by one with every change of the variants or their weights, so that counted
   * enrolments can be held against the weights in force when they happened.
   */
  revision: number;
  updated_at_secs: number;
  /**
   * When the experiment first started; `null` for a draft that never ran. Not in the
   * reference: it is what locks the exclusion group once actors may have been assigned.
   */
  started_at_secs: number | null;
}

/**
 * An actor's assignment as a lookup shows it: the override while one exists
 * (`is_override: true`), else the sticky assignment that bucketing made.
 */
export interface Assignment {
  experiment: string;
  actor: string;
  variant: string;
  is_override: boolean;
  assigned_at_secs: number;
}

/** One entry of an experiment's change history. */
export interface ChangeRecord {
  experiment: string;
  mutation: string;
  actor: string | null;
  timestamp_secs: number;
}

/** One entry of a holdout's change history. */
export interface HoldoutChangeRecord {
  holdout: string;
  mutation: string;
  actor: string | null;
  timestamp_secs: number;
}

/** Emitted once per successful assignment of a running experiment. */
export interface ExposureRecord {
  experiment: string;
  variant: string;
  actor: string;
  request_id: string | null;
  is_override: boolean;
  timestamp_secs: number;
}

/**
 * The creation of an actor's sticky, non-override assignment (not in the reference):
 * what the sample-ratio check counts, held against the weights of `revision`.
 */
export interface EnrolmentRecord {
  experiment: string;
  variant: string;
  actor: string;
  revision: number;
  timestamp_secs: number;
}

/** Wall-clock seconds since the UNIX epoch. */
export function nowSecs(): number {
  return Math.floor(Date.now() / 1000);
}
