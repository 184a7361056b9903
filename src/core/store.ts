import type { AssignOutcome, AssignRequest } from "./assignment";
import type { HoldoutChange, HoldoutConfig } from "./holdouts";
import type { Change } from "./lifecycle";
import type { ChangeRecord, EnrolmentRecord, ExperimentConfig, ExposureRecord, HoldoutChangeRecord } from "./types";

/**
 * The assignment port. A remote implementation makes ONE call per `assign`, however
 * many experiments it carries: override check, sticky lookup, exclusion check and
 * first-writer-wins insert all happen inside the store (see `resolveAtStore`).
 */
export interface AssignmentStore {
  /**
   * Rules 4–8 for one actor and several experiments, in the order given (the order
   * decides which experiment of an exclusion group an unassigned actor lands in).
   * Returns one outcome per request, in the same order.
   */
  assign(actor: string, requests: readonly AssignRequest[]): Promise<AssignOutcome[]>;
}

/** An override as the admin API lists it. */
export interface OverrideEntry {
  actor: string;
  variant: string;
}

/** The configuration, history and override port: what admin operations need. */
export interface ExperimentRepository {
  get(name: string): Promise<ExperimentConfig | null>;
  /** Every experiment, sorted by name. */
  list(): Promise<ExperimentConfig[]>;
  /**
   * An atomic read-modify-write of one experiment: `change` gets the current config
   * (`null` if unknown) and returns the next one with its history string, or throws an
   * `ExperimentError`, in which case nothing is written. The store refuses, with
   * `variant_in_use`, a config that drops a variant which has (or, for a store that
   * cannot know exactly, may have) sticky assignments.
   */
  update(
    name: string,
    change: (current: ExperimentConfig | null) => Change,
    by: string | null,
  ): Promise<ExperimentConfig>;
  /** Newest first; `limit` 0 means all. Unknown experiments have an empty history. */
  history(experiment: string, limit: number): Promise<ChangeRecord[]>;
  /** Sets or replaces an override; the actor's sticky assignment, if any, stays stored beneath it. */
  setOverride(experiment: string, actor: string, variant: string, by: string | null): Promise<void>;
  /**
   * Removes the override, so the actor gets its sticky assignment again (or, with none,
   * is bucketed normally). Returns whether there was an override.
   */
  removeOverride(experiment: string, actor: string, by: string | null): Promise<boolean>;
  /** Sorted by actor. */
  listOverrides(experiment: string): Promise<OverrideEntry[]>;
}

/**
 * The holdouts' port: what holdout admin needs. The registry implements it; the
 * in-process service has none (and so refuses an experiment that names a holdout).
 */
export interface HoldoutRepository {
  getHoldout(name: string): Promise<HoldoutConfig | null>;
  /** Every holdout, sorted by name. */
  listHoldouts(): Promise<HoldoutConfig[]>;
  /** An atomic read-modify-write of one holdout, recorded in its history; nothing is written if `change` throws. */
  updateHoldout(
    name: string,
    change: (current: HoldoutConfig | null) => HoldoutChange,
    by: string | null,
  ): Promise<HoldoutConfig>;
  /** Deletes the holdout once `check` (which may throw) accepts it, recording `deleted`. */
  deleteHoldout(name: string, check: (current: HoldoutConfig | null) => void, by: string | null): Promise<void>;
  /** Newest first; `limit` 0 means all. */
  holdoutHistory(name: string, limit: number): Promise<HoldoutChangeRecord[]>;
}

/** Everything `ExperimentService` needs. */
export interface ExperimentStore extends ExperimentRepository, AssignmentStore {}

/** What one assignment call emits: its exposures and its enrolments. */
export interface AssignmentEvents {
  exposures: ExposureRecord[];
  enrolments: EnrolmentRecord[];
}

/**
 * Where an assignment call's events go: exposures one by one (the console line), or
 * every event of the call at once, enrolments included (the events queue, which counts
 * them). Callers isolate failures: a sink that throws or rejects is logged and never
 * fails an assignment.
 */
export type ExposureSink =
  | { record(exposure: ExposureRecord): void | Promise<void> }
  | { recordEvents(events: AssignmentEvents): void | Promise<void> };
