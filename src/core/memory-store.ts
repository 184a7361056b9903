import {
  type ActorRecords,
  type AssignOutcome,
  type AssignRequest,
  lookupAssignment,
  resolveAtStore,
} from "./assignment";
import { ExperimentError } from "./errors";
import type { Change } from "./lifecycle";
import type { ExperimentStore, OverrideEntry } from "./store";
import { type Assignment, type ChangeRecord, type ExperimentConfig, nowSecs } from "./types";

const key = (experiment: string, actor: string) => `${experiment}\u0000${actor}`;
const clone = <T>(value: T): T => structuredClone(value);

/**
 * An `ExperimentStore` in process memory: for tests and single-process use. Every
 * method runs to completion without awaiting, so JavaScript's single thread is its
 * per-actor lock. Its delete-variant guard is exact: it knows every sticky assignment.
 */
export class InMemoryExperimentStore implements ExperimentStore {
  private readonly experiments = new Map<string, ExperimentConfig>();
  /** Sticky assignments that bucketing made. */
  private readonly assignments = new Map<string, Assignment>();
  /** Overrides, shadowing `assignments`; `answered` once the actor was given one (it then counts for exclusion). */
  private readonly overrides = new Map<string, { variant: string; set_at_secs: number; answered: boolean }>();
  private readonly changes = new Map<string, ChangeRecord[]>();

  async get(name: string): Promise<ExperimentConfig | null> {
    const config = this.experiments.get(name);
    return config === undefined ? null : clone(config);
  }

  async list(): Promise<ExperimentConfig[]> {
    return [...this.experiments.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map(clone);
  }

  async update(
    name: string,
    change: (current: ExperimentConfig | null) => Change,
    by: string | null,
  ): Promise<ExperimentConfig> {
    const { config, mutation } = change(this.experiments.get(name) ?? null);
    const kept = new Set(config.variants.map((v) => v.name));
    for (const assignment of this.assignments.values()) {
      if (assignment.experiment === name && !kept.has(assignment.variant)) {
        throw ExperimentError.variantInUse(assignment.variant);
      }
    }
    for (const [k, override] of this.overrides) {
      if (override.answered && k.startsWith(key(name, "")) && !kept.has(override.variant)) {
        throw ExperimentError.variantInUse(override.variant);
      }
    }
    this.experiments.set(name, clone(config));
    this.log(name, mutation, by);
    return clone(config);
  }

  async history(experiment: string, limit: number): Promise<ChangeRecord[]> {
    const newestFirst = [...(this.changes.get(experiment) ?? [])].reverse();
    return limit === 0 ? newestFirst : newestFirst.slice(0, limit);
  }

  async setOverride(experiment: string, actor: string, variant: string, by: string | null): Promise<void> {
    const k = key(experiment, actor);
    const answered = this.overrides.get(k)?.answered ?? false;
    this.overrides.set(k, { variant, set_at_secs: nowSecs(), answered });
    this.log(experiment, `override=${actor}:${variant}`, by);
  }

  async removeOverride(experiment: string, actor: string, by: string | null): Promise<boolean> {
    if (!this.overrides.delete(key(experiment, actor))) return false;
    this.log(experiment, `override_removed=${actor}`, by);
    return true;
  }

  async listOverrides(experiment: string): Promise<OverrideEntry[]> {
    const prefix = key(experiment, "");
    return [...this.overrides]
      .filter(([k]) => k.startsWith(prefix))
      .map(([k, { variant }]) => ({ actor: k.slice(prefix.length), variant }))
      .sort((a, b) => (a.actor < b.actor ? -1 : a.actor > b.actor ? 1 : 0));
  }

  async assign(actor: string, requests: readonly AssignRequest[]): Promise<AssignOutcome[]> {
    const records = this.recordsOf(actor);
    return requests.map((request) => resolveAtStore(records, request, this.siblings(request)));
  }

  /** What a lookup shows: the override while it exists, else the sticky assignment. */
  async getAssignment(experiment: string, actor: string): Promise<Assignment | null> {
    const k = key(experiment, actor);
    const sticky = this.assignments.get(k);
    return lookupAssignment(experiment, actor, this.overrides.get(k), sticky && clone(sticky));
  }

  /** The other experiments of the request's exclusion group, as configured now. */
  private siblings(request: AssignRequest): string[] {
    if (request.exclusion_group === null) return [];
    return [...this.experiments.values()]
      .filter((c) => c.exclusion_group === request.exclusion_group && c.name !== request.experiment)
      .map((c) => c.name);
  }

  private recordsOf(actor: string): ActorRecords {
    return {
      override: (experiment) => this.overrides.get(key(experiment, actor))?.variant ?? null,
      assignment: (experiment) => this.assignments.get(key(experiment, actor)) ?? null,
      // This store reads every config at each call, so its sibling list is never stale.
      inGroup: (_experiment, _group, siblings) =>
        siblings.some((e) => this.assignments.has(key(e, actor)) || this.overrides.get(key(e, actor))?.answered),
      put: (experiment, variant) => {
        this.assignments.set(key(experiment, actor), {
          experiment,
          actor,
          variant,
          is_override: false,
          assigned_at_secs: nowSecs(),
        });
      },
      markOverrideAnswered: (experiment) => {
        const override = this.overrides.get(key(experiment, actor));
        if (override !== undefined) override.answered = true;
      },
      // Holdouts are the edge's (the registry keeps them): the in-process service has no
      // holdout store, refuses a definition naming one, and so never plans a holdout.
      joinHoldout: (holdout) => {
        throw new Error(`the in-process store knows no holdouts (asked to join '${holdout}')`);
      },
    };
  }

  private log(experiment: string, mutation: string, by: string | null): void {
    const records = this.changes.get(experiment) ?? [];
    records.push({ experiment, mutation, actor: by, timestamp_secs: nowSecs() });
    this.changes.set(experiment, records);
  }
}
